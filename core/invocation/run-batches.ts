import { CommitTooLargeError } from '../errors/millrace-error';
import type { QueryResult } from '../runtime/app-runtime';
import { runInvocation } from './invocation-runner';
import type { InputRecord, InvocationRequest, OutputEvent } from './invocation-types';

export interface BatchRunRequest extends Omit<InvocationRequest, 'records' | 'queries'> {
  readonly records: readonly InputRecord[];
  /** Records per invocation; absent runs them all in one. */
  readonly batchSize?: number;
  /** On-demand queries, run after all records as one more invocation (their writes are committed). */
  readonly queries?: readonly string[];
  /** Told the outputs of each committed invocation, in order. */
  readonly onOutputs?: (outputs: readonly OutputEvent[]) => void;
  /** Told about a record that could not be processed and was dropped: its index in `records`, and why. */
  readonly onDropped?: (index: number, failure: unknown) => void;
}

export interface BatchRunResult {
  /** Invocations run, the one for the queries included. */
  readonly invocations: number;
  /** Indexes of the records dropped because they could not be processed. */
  readonly dropped: readonly number[];
  /** One answer per query, in order. */
  readonly queryResults: readonly QueryResult[];
}

/**
 * Runs a whole input through the invocation runner `batchSize` records at a time, the way a
 * platform delivers a stream: the records an invocation reports as failed are delivered again in
 * the next one. A record that could not be processed would fail again, so it is dropped (and
 * told to `onDropped`), as a Lambda event source mapping does once its retries are used up; one
 * that did not fit in a commit is simply retried in a smaller batch. The `millrace` command runs
 * its input file through this.
 *
 * @example
 *   await runBatches({ plan, store, records, batchSize: 100, outputStreams, onOutputs: print });
 */
export async function runBatches(req: BatchRunRequest): Promise<BatchRunResult> {
  const { records, batchSize, queries = [], onOutputs, onDropped, ...invocation } = req;
  const size = batchSize ?? Math.max(1, records.length);
  const dropped: number[] = [];
  let invocations = 0;
  for (let from = 0; from < records.length; ) {
    const batch = records.slice(from, from + size);
    const result = await runInvocation({ ...invocation, records: batch });
    invocations++;
    onOutputs?.(result.outputs);
    from += batch.length - result.failed.length;
    if (result.failed.length && !(result.failure instanceof CommitTooLargeError)) {
      dropped.push(from);
      onDropped?.(from, result.failure);
      from++;
    }
  }
  let queryResults: readonly QueryResult[] = [];
  if (queries.length || !records.length) {
    const result = await runInvocation({ ...invocation, records: [], queries });
    invocations++;
    onOutputs?.(result.outputs);
    queryResults = result.queryResults;
  }
  return { invocations, dropped, queryResults };
}
