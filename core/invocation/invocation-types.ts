import type { Logger } from '../io/logger';
import type { StreamEvent, Value } from '../kernel/event';
import type { AppPlan } from '../plan/plan';
import type { QueryResult } from '../runtime/app-runtime';
import type { StateStore } from '../state/state-store';
import type { PublishedOutboxes } from './published-outboxes';

/**
 * Where a record came from, so that a replay changes nothing: a Kinesis shard and sequence number
 * (`sequence`: positions only grow), or a Pub/Sub subscription and message id (`message`).
 */
export interface RecordSource {
  readonly kind: 'sequence' | 'message';
  /** Shard id or subscription name. */
  readonly id: string;
  /** Sequence number (decimal digits) or message id. */
  readonly position: string;
  /**
   * With `sequence`: the partition key, when positions only grow per (shard, key). Lambda runs
   * batches of one Kinesis shard concurrently with ParallelizationFactor > 1, in order only per
   * partition key; a checkpoint per shard would then skip the lower-numbered records of a
   * concurrent batch committed later, so the checkpoint is kept per shard and key.
   */
  readonly key?: string;
}

/**
 * One decoded input record: an event for a stream, several events sent as one chunk (`chunk`: a
 * payload that maps to many, as Siddhi's mappers send them), or (without stream) only a move of
 * the clock. Consecutive records with the same source position are one source record (a payload
 * whose events go to a stream and whose unmappable part goes to its fault stream): they pass or
 * are skipped as replays together, and their outputs are numbered on from one to the next.
 */
export interface InputRecord {
  readonly stream?: string;
  readonly time: number;
  readonly data?: Value[];
  readonly chunk?: readonly Value[][];
  readonly source?: RecordSource;
}

/**
 * An output event with its deterministic id: the position of the record that produced it (or the
 * invocation and record index without a source) and its rank among that record's outputs. A
 * consumer drops an id it has seen; duplicates can only follow a crash between commit and publish.
 */
export interface OutputEvent {
  readonly id: string;
  readonly stream: string;
  readonly event: StreamEvent;
}

export interface InvocationRequest {
  readonly plan: AppPlan;
  readonly store: StateStore;
  /** The state unit this invocation works on (the app's global unit); default `appUnitKey(plan.name)`. */
  readonly unitKey?: string;
  readonly records: readonly InputRecord[];
  /** On-demand queries run after the records, in this invocation (their writes are committed). */
  readonly queries?: readonly string[];
  /** Streams whose events are collected as outputs. */
  readonly outputStreams: ReadonlySet<string>;
  readonly logger?: Logger;
  /**
   * Publishes outputs to the sinks, after they are committed (step 6). An outbox committed by an
   * earlier invocation and not known to be published is published again first.
   */
  readonly publish?: (outputs: readonly OutputEvent[]) => Promise<void>;
  readonly published?: PublishedOutboxes;
  /** Told after each record is processed (for progress on long batches). */
  readonly progress?: (recordsDone: number, recordsTotal: number) => void;
  /**
   * Sources whose checkpoints this invocation forgets before it runs, so that their records are
   * applied again: an explicit replay (`millrace run --from-start`), never a redelivery.
   */
  readonly rewind?: readonly string[];
  /** Attempts on version conflicts before giving up (default 8). */
  readonly maxAttempts?: number;
  /** Waits between attempts; injected so that tests need no real time. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface InvocationResult {
  /** Outputs in emission order; publish them only after this resolves (they are committed). */
  readonly outputs: readonly OutputEvent[];
  /** The version of the unit that keeps this invocation's outbox: its first source's unit, or the global unit without sources. */
  readonly version: number;
  readonly attempts: number;
  readonly nextDue: number | null;
  /** One answer per query, in order. */
  readonly queryResults: readonly QueryResult[];
  /** Units written (the sources', the global one when it changed, the partition keys touched). */
  readonly unitsWritten: number;
  /** Records skipped because their source position was already committed. */
  readonly skipped: number;
  /**
   * Indices of the records that were not committed, ascending: from the first record that could
   * not be processed, or that did not fit in one commit, to the end of the batch (DESIGN.md section
   * 3, step 7). Report them as the platform expects (Lambda `batchItemFailures` with their
   * sequence numbers; a Pub/Sub nack), so they are delivered again. Empty when all committed.
   */
  readonly failed: readonly number[];
  /** Why the first failed record failed. */
  readonly failure?: unknown;
}
