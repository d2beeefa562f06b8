import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { MillraceError, recordsOfPayload, type AppPlan, type InputRecord, type Logger, type RecordSource } from '../../core';

/** An app's `@source(type='kinesis', ...)` annotations are unusable: the function stops at cold start. */
export class KinesisSourceConfigError extends MillraceError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/** One `@source(type='kinesis', stream.name=...)` of an app stream. */
interface Binding {
  readonly stream: string;
  readonly sourceIndex: number;
}

/** The options of Siddhi's kinesis source Millrace reads; credentials and region come from the function's role. */
const SOURCE_OPTIONS = new Set(['stream.name']);

export interface KinesisSourceOptions {
  /**
   * Keep checkpoints per shard and partition key (default true): exact with a
   * ParallelizationFactor above 1. False keeps one per shard (a smaller global unit when keys are
   * many), exact only with ParallelizationFactor 1.
   */
  readonly checkpointPerKey?: boolean;
}

/** The decoded batch: input records, and for each the index of the Kinesis record it came from. */
export interface DecodedBatch {
  readonly records: InputRecord[];
  readonly origin: number[];
  /** Kinesis records of streams the app does not read (logged and skipped). */
  readonly unknown: number;
}

/** `arn:aws:kinesis:region:account:stream/NAME` (or `.../stream/NAME/consumer/...`) -> NAME. */
export function streamNameOfArn(arn: string): string | undefined {
  const m = /:stream\/([^/]+)/.exec(arn);
  return m?.[1];
}

/** `shardId-000000000000:4959...` -> `shardId-000000000000`. */
export function shardOfEventId(eventID: string): string {
  const i = eventID.indexOf(':');
  return i < 0 ? eventID : eventID.slice(0, i);
}

function base64Bytes(data: string): Uint8Array {
  // Buffer is a Uint8Array: the mappers read it without a copy.
  return Buffer.from(data, 'base64');
}

/**
 * Turns the records of a Lambda `KinesisStreamEvent` into the invocation runner's input records
 * (DESIGN.md section 3, step 1) for the app's `@source(type='kinesis', stream.name=..., @map(...))`
 * streams: the record's stream is the one its `eventSourceARN` names; its payload (base64
 * `kinesis.data`) goes through core's `recordsOfPayload`, so an unmappable one is routed by the
 * stream's `@OnError` and never fails the batch. Event time is the approximate arrival (seconds
 * with a fraction, to ms) unless the mapping maps a timestamp. The source position is the shard
 * (from `eventID`) and sequence number, with the partition key (see KinesisSourceOptions).
 *
 * @example
 *   const source = new KinesisSource(plan);               // throws when the app reads no Kinesis stream
 *   const { records, origin } = source.decode(event, logger);
 */
export class KinesisSource {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly perKey: boolean;

  constructor(
    private readonly plan: AppPlan,
    options: KinesisSourceOptions = {},
  ) {
    this.perKey = options.checkpointPerKey ?? true;
    const problems: string[] = [];
    for (const [stream, sources] of plan.sources)
      sources.forEach((s, sourceIndex) => {
        if (s.type.toLowerCase() !== 'kinesis') return;
        const name = s.options.get('stream.name');
        for (const k of s.options.keys()) if (!SOURCE_OPTIONS.has(k)) problems.push(`@source(type='kinesis') of stream '${stream}' has an option '${k}' Millrace does not read (it takes ${[...SOURCE_OPTIONS].join(', ')}; credentials and region are the function's)`);
        if (!name) problems.push(`@source(type='kinesis') of stream '${stream}' needs stream.name`);
        else if (!s.decoder) problems.push(`@source(type='kinesis', stream.name='${name}') of stream '${stream}' needs a @map (json, text, csv or keyvalue)`);
        else this.bindings.set(name, [...(this.bindings.get(name) ?? []), { stream, sourceIndex }]);
      });
    if (problems.length) throw new KinesisSourceConfigError(`app '${plan.name}': ${problems.join('; ')}`);
    if (!this.bindings.size) throw new KinesisSourceConfigError(`app '${plan.name}' has no @source(type='kinesis', stream.name=..., @map(...)): the Kinesis ingest function has nothing to read`);
  }

  /** The Kinesis stream names the app reads. */
  streamNames(): string[] {
    return [...this.bindings.keys()];
  }

  decode(event: KinesisStreamEvent, logger: Logger): DecodedBatch {
    const records: InputRecord[] = [];
    const origin: number[] = [];
    let unknown = 0;
    event.Records.forEach((r, i) => {
      const name = streamNameOfArn(r.eventSourceARN);
      const bindings = name === undefined ? undefined : this.bindings.get(name);
      if (!bindings) {
        unknown++;
        logger.warn(`skipping record ${r.eventID} of '${r.eventSourceARN}': app '${this.plan.name}' reads no such Kinesis stream (it reads ${this.streamNames().join(', ')})`);
        return;
      }
      const at = { time: arrivalMs(r), source: this.sourceOf(r), logger };
      const data = base64Bytes(r.kinesis.data);
      for (const b of bindings)
        for (const rec of recordsOfPayload(this.plan, b.stream, b.sourceIndex, data, at)) {
          records.push(rec);
          origin.push(i);
        }
    });
    return { records, origin, unknown };
  }

  private sourceOf(r: KinesisStreamRecord): RecordSource {
    const src = { kind: 'sequence' as const, id: shardOfEventId(r.eventID), position: r.kinesis.sequenceNumber };
    return this.perKey ? { ...src, key: r.kinesis.partitionKey } : src;
  }
}

/** Approximate arrival, seconds with a fraction (1607497475.000) -> ms. */
function arrivalMs(r: KinesisStreamRecord): number {
  return Math.round(r.kinesis.approximateArrivalTimestamp * 1000);
}

/**
 * The Kinesis records to report in `batchItemFailures`: the runner reports the input records from
 * the first it could not commit to the end; every Kinesis record from the one that produced it on
 * is reported (a batch of the event source mapping is one shard's, in order).
 */
export function failedRecords(event: KinesisStreamEvent, decoded: DecodedBatch, failed: readonly number[]): KinesisStreamRecord[] {
  if (!failed.length) return [];
  return event.Records.slice(decoded.origin[failed[0]]);
}
