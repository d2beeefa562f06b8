import { CommitTooLargeError, StateConflictError } from '../errors/millrace-error';
import type { QueryResult } from '../runtime/app-runtime';
import { defaultSleep } from './invocation-context';
import { runInvocation } from './invocation-runner';
import type { InputRecord, InvocationRequest, InvocationResult, OutputEvent } from './invocation-types';

/** Records per invocation when no batch size is given: memory stays bounded by one batch. */
export const DEFAULT_BATCH_RECORDS = 10_000;
/** How long runBatches keeps retrying a batch whose state other writers keep changing. */
export const DEFAULT_CONFLICT_DEADLINE_MS = 10 * 60_000;

export interface BatchRunRequest extends Omit<InvocationRequest, 'records' | 'queries'> {
  /** The input, read as it is needed (a file of any size streams through one batch at a time). */
  readonly records: Iterable<InputRecord> | AsyncIterable<InputRecord>;
  /** Records per invocation (default DEFAULT_BATCH_RECORDS). */
  readonly batchSize?: number;
  /** On-demand queries, run after all records as one more invocation (their writes are committed). */
  readonly queries?: readonly string[];
  /** Told the outputs of each committed invocation, in order. */
  readonly onOutputs?: (outputs: readonly OutputEvent[]) => void;
  /** Told about a record that could not be processed and was dropped: its index in the input, why, and the record. */
  readonly onDropped?: (index: number, failure: unknown, record: InputRecord) => void;
  /**
   * How long a batch is retried while other writers keep changing its state (each try is an
   * invocation with its own bounded attempts); then the run stops and reports the records it did
   * not apply. Default DEFAULT_CONFLICT_DEADLINE_MS.
   */
  readonly conflictDeadlineMs?: number;
  /** The wall clock for that deadline; injected so that tests need no real time. */
  readonly now?: () => number;
}

export interface BatchRunResult {
  /** Invocations run, the one for the queries included. */
  readonly invocations: number;
  /** Indexes of the records dropped because they could not be processed. */
  readonly dropped: readonly number[];
  /** Records skipped because an earlier run had committed them (their source's checkpoint). */
  readonly skipped: number;
  /** One answer per query, in order (none when the run stopped). */
  readonly queryResults: readonly QueryResult[];
  /**
   * Set when the run stopped before the end of its input: the index of the first record it did
   * not apply (it and every later one were not applied), that record, and why. Running the same
   * input again on the same state applies exactly those (the source checkpoints skip the rest).
   */
  readonly stopped?: { readonly index: number; readonly record: InputRecord | undefined; readonly failure: StateConflictError };
}

/**
 * Pulls batches of at most `size` records from an input, putting back what an invocation did not
 * commit so that it comes first in the next batch (as a platform redelivers failed records).
 */
class Batcher {
  private readonly iterator: Iterator<InputRecord> | AsyncIterator<InputRecord>;
  private pending: InputRecord[] = [];
  private done = false;
  /** Index in the input of the first pending record. */
  index = 0;

  constructor(
    records: Iterable<InputRecord> | AsyncIterable<InputRecord>,
    private readonly size: number,
  ) {
    this.iterator = Symbol.asyncIterator in records ? records[Symbol.asyncIterator]() : records[Symbol.iterator]();
  }

  async next(): Promise<InputRecord[]> {
    while (!this.done && this.pending.length < this.size) {
      const r = await this.iterator.next();
      if (r.done) this.done = true;
      else this.pending.push(r.value);
    }
    return this.pending.slice(0, this.size);
  }

  /** The first `n` records of the last batch are done with (committed or dropped). */
  advance(n: number): void {
    this.pending = this.pending.slice(n);
    this.index += n;
  }
}

/**
 * Runs a whole input through the invocation runner `batchSize` records at a time, the way a
 * platform delivers a stream: the records an invocation reports as failed are delivered again in
 * the next one. A record that could not be processed would fail again, so it is dropped (and
 * told to `onDropped`), as a Lambda event source mapping does once its retries are used up; one
 * that did not fit in a commit is simply retried in a smaller batch. A batch whose state other
 * writers keep changing is tried again, with jittered backoff, until `conflictDeadlineMs`; then
 * the run stops and says from which record on nothing was applied. The `millrace` command runs
 * its input file through this.
 *
 * @example
 *   await runBatches({ plan, store, records, batchSize: 100, outputStreams, onOutputs: print });
 */
export async function runBatches(req: BatchRunRequest): Promise<BatchRunResult> {
  const { records, batchSize, queries = [], onOutputs, onDropped, conflictDeadlineMs, now = Date.now, ...invocation } = req;
  const input = new Batcher(records, batchSize ?? DEFAULT_BATCH_RECORDS);
  const dropped: number[] = [];
  let invocations = 0;
  let skipped = 0;
  // An explicit replay forgets the checkpoints once, before the first commit.
  let rewind = invocation.rewind;
  const invoke = async (batch: readonly InputRecord[], qs: readonly string[]): Promise<InvocationResult | StateConflictError> => {
    const r = await withConflictDeadline(() => runInvocation({ ...invocation, rewind, records: batch, queries: qs }), req, conflictDeadlineMs ?? DEFAULT_CONFLICT_DEADLINE_MS, now);
    if (r instanceof StateConflictError) return r;
    invocations++;
    rewind = undefined;
    skipped += r.skipped;
    onOutputs?.(r.outputs);
    return r;
  };
  for (let batch = await input.next(); batch.length; batch = await input.next()) {
    const result = await invoke(batch, []);
    if (result instanceof StateConflictError) return { invocations, dropped, skipped, queryResults: [], stopped: { index: input.index, record: batch[0], failure: result } };
    input.advance(batch.length - result.failed.length);
    if (result.failed.length && !(result.failure instanceof CommitTooLargeError)) {
      dropped.push(input.index);
      onDropped?.(input.index, result.failure, batch[batch.length - result.failed.length]);
      input.advance(1);
    }
  }
  let queryResults: readonly QueryResult[] = [];
  if (queries.length || invocations === 0) {
    const result = await invoke([], queries);
    if (result instanceof StateConflictError) return { invocations, dropped, skipped, queryResults, stopped: { index: input.index, record: undefined, failure: result } };
    queryResults = result.queryResults;
  }
  return { invocations, dropped, skipped, queryResults };
}

/**
 * Runs an invocation again while it gives up on conflicts (other writers kept changing its
 * state), waiting a jittered, growing pause between tries, until the deadline has passed; then
 * returns the last conflict.
 */
async function withConflictDeadline(
  run: () => Promise<InvocationResult>,
  req: Pick<BatchRunRequest, 'sleep' | 'random' | 'logger'>,
  deadlineMs: number,
  now: () => number,
): Promise<InvocationResult | StateConflictError> {
  const until = now() + deadlineMs;
  const sleep = req.sleep ?? defaultSleep;
  const random = req.random ?? Math.random;
  for (let round = 1; ; round++) {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof StateConflictError)) throw e;
      if (now() >= until) return e;
      req.logger?.debug(`state unit '${e.key}' is busy with other writers (try ${round}); trying the batch again`);
      await sleep(Math.min(5000, 50 * 2 ** Math.min(round, 7)) * (0.5 + random()));
    }
  }
}
