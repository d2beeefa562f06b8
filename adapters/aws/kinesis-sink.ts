import { PutRecordsCommand, type PutRecordsCommandOutput, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { MillraceError, sinkPayloads, type AppPlan, type Logger, type OutputEvent, type SinkPlan, type Value } from '../../core';

/** The one call the sink makes: the subset of KinesisClient it needs (inject the real client). */
export interface KinesisPutter {
  send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput>;
}

/** A `@sink(type='kinesis')` is unusable: the function stops at cold start. */
export class KinesisSinkConfigError extends MillraceError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/** Publishing failed for good under `on.error='WAIT'`: the invocation fails, the outbox is published again by the next. */
export class KinesisSinkError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SINK', message, options);
  }
}

/** Kinesis's limits on one PutRecords call and one record. */
export const PUT_RECORDS_MAX = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
export const RECORD_MAX_BYTES = 1024 * 1024;

const SINK_OPTIONS = new Set(['stream.name', 'partition.key', 'on.error', 'outbox.id']);
type OnError = 'LOG' | 'WAIT' | 'STREAM';
type OutboxId = 'partition.key' | 'envelope' | 'none';

interface Target {
  readonly stream: string;
  readonly kinesisStream: string;
  /** `partition.key`, possibly with `{{attr}}` placeholders; absent: the outbox id. */
  readonly partitionKey?: string;
  readonly onError: OnError;
  readonly outboxId: OutboxId;
  readonly attributes: readonly string[];
}

/** A record that could not be published (LOG: logged; STREAM: for the stream's fault stream `!S`). */
export interface SinkFailure {
  readonly stream: string;
  readonly id: string;
  readonly rows: readonly Value[][];
  /** The time of the output (of the first, for a chunk). */
  readonly time: number;
  readonly reason: string;
}

export interface KinesisSinkOptions {
  readonly logger?: Logger;
  /** Attempts per record under LOG and STREAM before it is given up (default 5). */
  readonly maxAttempts?: number;
  /** Under WAIT: the longest total wait before the invocation fails (default 60 000 ms). */
  readonly waitBudgetMs?: number;
  /** First backoff; doubles per attempt, jittered, capped at 5 s (default 50 ms). */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

interface Pending {
  readonly target: Target;
  readonly entry: PutRecordsRequestEntry;
  readonly id: string;
  readonly rows: Value[][];
  readonly time: number;
  readonly bytes: number;
  reason: string;
}

const utf8 = new TextEncoder();

function envelope(id: string, payload: string, json: boolean): string {
  // Spliced as text: a LONG beyond 2^53 would not survive JSON.parse and stringify.
  let valid = false;
  if (json)
    try {
      JSON.parse(payload);
      valid = true;
    } catch {
      // not JSON (a template or validate.json='false'): carried as a string
    }
  return `{"id":${JSON.stringify(id)},"payload":${valid ? payload : JSON.stringify(payload)}}`;
}

function keyOf(t: Target, id: string, row: readonly Value[]): string {
  if (t.partitionKey === undefined) return id;
  const key = t.partitionKey.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_, name: string) => {
    const v = row[t.attributes.indexOf(name)];
    return v === null || v === undefined ? 'null' : String(v);
  });
  // Kinesis takes 1 to 256 characters.
  return key.length === 0 ? id : key.slice(0, 256);
}

/**
 * Publishes committed outputs to the app's `@sink(type='kinesis', stream.name=..., partition.key=...)`
 * streams with PutRecords (DESIGN.md section 3, step 6): at most 500 records and 5 MB per call;
 * only the records a call reports failed are sent again, with jittered exponential backoff. What
 * fails for good follows the sink's `on.error`: LOG (the default) logs it, STREAM returns it for
 * the stream's fault stream, WAIT keeps trying within a bounded time and then throws, so the
 * invocation fails and the next publishes the outbox again. Every record carries its outbox id
 * (see docs/aws.md): as its PartitionKey without `partition.key`, else in a JSON envelope
 * `{"id": ..., "payload": ...}` (`outbox.id='none'` sends the payload alone).
 *
 * @example
 *   const sink = new KinesisSink(new KinesisClient({}), plan, { logger });
 *   const failures = await sink.publish(result.outputs);
 */
export class KinesisSink {
  private readonly targets = new Map<string, Target[]>();
  private readonly maxAttempts: number;
  private readonly waitBudgetMs: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly client: KinesisPutter,
    private readonly plan: AppPlan,
    private readonly options: KinesisSinkOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.waitBudgetMs = options.waitBudgetMs ?? 60_000;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.sleep = options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    const problems: string[] = [];
    for (const [stream, sinks] of plan.sinks)
      sinks.forEach((s, i) => {
        if (s.type.toLowerCase() !== 'kinesis') return;
        const t = this.target(stream, s, problems);
        const list = this.targets.get(stream) ?? [];
        list[i] = t;
        this.targets.set(stream, list);
      });
    if (problems.length) throw new KinesisSinkConfigError(`app '${plan.name}': ${problems.join('; ')}`);
  }

  /** Whether the app has any Kinesis sink. */
  get size(): number {
    return [...this.targets.values()].reduce((n, l) => n + l.filter(Boolean).length, 0);
  }

  private target(stream: string, s: SinkPlan, problems: string[]): Target {
    const at = `@sink(type='kinesis') of stream '${stream}'`;
    for (const k of s.options.keys()) if (!SINK_OPTIONS.has(k)) problems.push(`${at} has an option '${k}' Millrace does not read (it takes ${[...SINK_OPTIONS].join(', ')}; credentials and region are the function's)`);
    const kinesisStream = s.options.get('stream.name') ?? '';
    if (!kinesisStream) problems.push(`${at} needs stream.name`);
    if (!s.encoder) problems.push(`${at} needs a @map (json, text, csv or keyvalue)`);
    const onError = (s.options.get('on.error') ?? 'LOG').toUpperCase();
    if (onError !== 'LOG' && onError !== 'WAIT' && onError !== 'STREAM') problems.push(`${at}: on.error='${onError}' is not LOG, WAIT or STREAM`);
    const partitionKey = s.options.get('partition.key');
    const outboxId = (s.options.get('outbox.id') ?? (partitionKey === undefined ? 'partition.key' : 'envelope')).toLowerCase();
    if (outboxId !== 'partition.key' && outboxId !== 'envelope' && outboxId !== 'none') problems.push(`${at}: outbox.id='${outboxId}' is not partition.key, envelope or none`);
    if (outboxId === 'partition.key' && partitionKey !== undefined) problems.push(`${at}: outbox.id='partition.key' cannot go with a partition.key of the app's`);
    const attributes = this.plan.streams.get(stream)?.attributes.map(a => a.name) ?? [];
    for (const m of (partitionKey ?? '').matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) if (!attributes.includes(m[1])) problems.push(`${at}: partition.key names '${m[1]}', no attribute of '${stream}'`);
    return { stream, kinesisStream, partitionKey, onError: onError as OnError, outboxId: outboxId as OutboxId, attributes };
  }

  /** Publishes the outputs of the app's Kinesis sinks; resolves with what failed for good under LOG and STREAM. */
  async publish(outputs: readonly OutputEvent[]): Promise<SinkFailure[]> {
    const pending: Pending[] = [];
    // The rows a payload carries: its output's, or its whole chunk's (a grouped payload).
    const group = (stream: string, id: string) => `${stream}\u0000${id.slice(0, id.lastIndexOf('/'))}`;
    const rowOf = new Map<string, Value[]>();
    const timeOf = new Map<string, number>();
    const groupRows = new Map<string, Value[][]>();
    for (const o of outputs) {
      rowOf.set(o.id, o.event.data);
      timeOf.set(o.id, o.event.timestamp);
      const g = group(o.stream, o.id);
      groupRows.set(g, [...(groupRows.get(g) ?? []), o.event.data]);
    }
    const payloads = sinkPayloads(this.plan, outputs);
    const perGroup = new Map<string, number>();
    for (const p of payloads) perGroup.set(`${group(p.stream, p.id)}\u0000${p.sinkIndex}`, (perGroup.get(`${group(p.stream, p.id)}\u0000${p.sinkIndex}`) ?? 0) + 1);
    for (const p of payloads) {
      const target = this.targets.get(p.stream)?.[p.sinkIndex];
      if (!target) continue;
      const all = groupRows.get(group(p.stream, p.id)) ?? [];
      const rows = perGroup.get(`${group(p.stream, p.id)}\u0000${p.sinkIndex}`) === all.length ? [rowOf.get(p.id)!] : all;
      const text = target.outboxId === 'envelope' ? envelope(p.id, p.payload, p.sink.map?.type.toLowerCase() === 'json') : p.payload;
      const data = utf8.encode(text);
      const entry = { Data: data, PartitionKey: keyOf(target, p.id, rows[0] ?? []) };
      pending.push({ target, entry, id: p.id, rows, time: timeOf.get(p.id) ?? 0, bytes: data.length + utf8.encode(entry.PartitionKey).length, reason: '' });
    }
    const failures: SinkFailure[] = [];
    const tooBig = pending.filter(p => p.bytes > RECORD_MAX_BYTES);
    for (const p of tooBig) p.reason = `the record is ${p.bytes} bytes, over Kinesis's 1 MiB`;
    this.giveUp(tooBig, failures);
    const byStream = new Map<string, Pending[]>();
    for (const p of pending) if (p.bytes <= RECORD_MAX_BYTES) byStream.set(p.target.kinesisStream, [...(byStream.get(p.target.kinesisStream) ?? []), p]);
    for (const [name, list] of byStream) await this.putAll(name, list, failures);
    return failures;
  }

  /** Sends the records of one stream, retrying only the failed ones, until done or out of attempts. */
  private async putAll(streamName: string, records: Pending[], failures: SinkFailure[]): Promise<void> {
    let left = records;
    let waited = 0;
    for (let attempt = 1; left.length; attempt++) {
      const failed: Pending[] = [];
      for (const call of calls(left)) failed.push(...(await this.put(streamName, call)));
      if (!failed.length) return;
      const wait = failed.filter(p => p.target.onError === 'WAIT');
      const stop = attempt >= this.maxAttempts ? failed.filter(p => p.target.onError !== 'WAIT') : [];
      this.giveUp(stop, failures);
      left = failed.filter(p => !stop.includes(p));
      if (!left.length) return;
      const delay = Math.min(5000, this.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + this.random());
      if (wait.length && waited + delay > this.waitBudgetMs)
        throw new KinesisSinkError(`${wait.length} record(s) for Kinesis stream '${streamName}' still failing after ${attempt} attempts and ${Math.round(waited)} ms (on.error='WAIT'): ${wait[0].reason}`);
      this.options.logger?.warn(`${left.length} record(s) for Kinesis stream '${streamName}' failed (${left[0].reason}); attempt ${attempt + 1} in ${Math.round(delay)} ms`);
      await this.sleep(delay);
      waited += delay;
    }
  }

  /** One PutRecords call; resolves with the records it did not take. */
  private async put(streamName: string, call: Pending[]): Promise<Pending[]> {
    let out: PutRecordsCommandOutput;
    try {
      out = await this.client.send(new PutRecordsCommand({ StreamName: streamName, Records: call.map(p => p.entry) }));
    } catch (e) {
      // The whole call failed (throttled, a network error): every record is sent again.
      for (const p of call) p.reason = `PutRecords failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      return call;
    }
    if (!out.FailedRecordCount) return [];
    const failed: Pending[] = [];
    (out.Records ?? []).forEach((r, i) => {
      if (!r.ErrorCode) return;
      call[i].reason = `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`;
      failed.push(call[i]);
    });
    return failed;
  }

  private giveUp(list: readonly Pending[], failures: SinkFailure[]): void {
    for (const p of list) {
      const what = `record ${p.id} of stream '${p.target.stream}' for Kinesis stream '${p.target.kinesisStream}'`;
      if (p.target.onError === 'WAIT') throw new KinesisSinkError(`${what} cannot be published: ${p.reason}`);
      if (p.target.onError === 'LOG') this.options.logger?.error(`dropping ${what} (on.error='LOG'): ${p.reason}`);
      else failures.push({ stream: p.target.stream, id: p.id, rows: p.rows, time: p.time, reason: p.reason });
    }
  }
}

/** Splits records into PutRecords calls: at most 500 records and 5 MB each. */
export function calls<T extends { readonly bytes: number }>(records: readonly T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const r of records) {
    if (cur.length && (cur.length >= PUT_RECORDS_MAX || bytes + r.bytes > PUT_RECORDS_MAX_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += r.bytes;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Input records for the fault streams `!S` of the sinks' streams with on.error='STREAM' (the
 * event's attributes, then the error), and the failures whose stream has no fault stream
 * (`@OnError(action='STREAM')` missing), which are logged instead, as Siddhi does.
 */
export function faultRecords(plan: AppPlan, failures: readonly SinkFailure[]): { records: { stream: string; time: number; data: Value[] }[]; unrouted: SinkFailure[] } {
  const records: { stream: string; time: number; data: Value[] }[] = [];
  const unrouted: SinkFailure[] = [];
  for (const f of failures) {
    if (!plan.streams.has(`!${f.stream}`)) {
      unrouted.push(f);
      continue;
    }
    for (const row of f.rows) records.push({ stream: `!${f.stream}`, time: f.time, data: [...row, new KinesisSinkError(`record ${f.id} could not be published: ${f.reason}`)] });
  }
  return { records, unrouted };
}
