import { CommitTooLargeError, StateCodecError, StateConflictError, StoreError, UnitsNeededError } from '../errors/millrace-error';
import type { Logger } from '../io/logger';
import type { AppPlan } from '../plan/plan';
import { AppRuntime, type QueryResult, type RuntimeSnapshot } from '../runtime/app-runtime';
import { EventKind, type StreamEvent, type Value } from '../kernel/event';
import { decodeRow, encodeRow } from '../state/value-codec';
import type { Json } from '../state/json';
import type { StateStore, StoredRow, StoredUnit, UnitWrite } from '../state/state-store';

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
}

/** One decoded input record: an event for a stream, or (without stream) only a move of the clock. */
export interface InputRecord {
  readonly stream?: string;
  readonly time: number;
  readonly data?: Value[];
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

/** How many recent message ids per Pub/Sub subscription a unit remembers (replays older than that are processed again). */
export const MESSAGE_ID_WINDOW = 10_000;

/**
 * Which committed outboxes this process has published (per unit and version), so that a warm
 * function does not publish them again; after a cold start the outbox is published again.
 */
export class PublishedOutboxes {
  private readonly done = new Map<string, number>();
  has(unitKey: string, version: number): boolean {
    return this.done.get(unitKey) === version;
  }
  add(unitKey: string, version: number): void {
    this.done.set(unitKey, version);
  }
}

export interface InvocationRequest {
  readonly plan: AppPlan;
  readonly store: StateStore;
  /** The state unit this invocation works on (the app's global unit). */
  readonly unitKey: string;
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
  /** Attempts on version conflicts before giving up (default 8). */
  readonly maxAttempts?: number;
  /** Waits between attempts; injected so that tests need no real time. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface InvocationResult {
  /** Outputs in emission order; publish them only after this resolves (they are committed). */
  readonly outputs: readonly OutputEvent[];
  readonly version: number;
  readonly attempts: number;
  readonly nextDue: number | null;
  /** One answer per query, in order. */
  readonly queryResults: readonly QueryResult[];
  /** Units written (the global one and the partition keys touched). */
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

/** What the global unit holds in the store. */
interface UnitValue {
  readonly app: string;
  readonly nextDue: number | null;
  readonly state: RuntimeSnapshot;
  /** Per shard: the last committed sequence number; per subscription: recent message ids. */
  readonly checkpoints?: { readonly seq: Record<string, string>; readonly msg: Record<string, string[]> };
  /** The outputs of the invocation that wrote this unit: `[id, stream, time, row]`. */
  readonly outbox?: [string, string, number, Json[]][];
}

/**
 * Holds what a run logs until it is committed: a run redone (a conflict, more state to load, a
 * shorter prefix) would otherwise log its errors and `#log` lines twice.
 */
class BufferedLogger implements Logger {
  private readonly lines: [keyof Logger, string][] = [];
  debug(m: string): void {
    this.lines.push(['debug', m]);
  }
  info(m: string): void {
    this.lines.push(['info', m]);
  }
  warn(m: string): void {
    this.lines.push(['warn', m]);
  }
  error(m: string): void {
    this.lines.push(['error', m]);
  }
  flushTo(logger: Logger): void {
    for (const [level, m] of this.lines) logger[level](m);
    this.lines.length = 0;
  }
}

/** Compares decimal sequence numbers of any length. */
function seqAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

const defaultSleep = (ms: number): Promise<void> => {
  const st = (globalThis as unknown as { setTimeout?: (f: () => void, ms: number) => unknown }).setTimeout;
  return new Promise(resolve => (st ? st(resolve, ms) : resolve()));
};

function readUnit(key: string, value: Json): UnitValue {
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { state?: unknown }).state !== 'object')
    throw new StateCodecError(`state unit '${key}' does not hold a Millrace runtime snapshot`);
  return value as unknown as UnitValue;
}

/**
 * Runs one invocation (DESIGN.md section 3, steps 3 to 5): load the app's global unit and the
 * units of the partition keys the batch touches, restore a fresh runtime from them, move the
 * clock and process the records in order, then commit the global unit and every touched key unit
 * on the condition that nobody committed since the load. On a conflict the whole batch is redone
 * from a fresh load, with jittered backoff, a bounded number of times. A record that cannot be
 * processed, or a batch whose effects do not fit in one commit, commits the records before it and
 * reports it and every later one in `failed` (step 7). Partition keys are units
 * of their own (`<unitKey>#<partition>:<key>`): a batch reads and writes only its keys.
 *
 * @example
 *   const r = await runInvocation({ plan, store, unitKey: 'app/Orders', records, outputStreams: new Set(['Out']) });
 *   for (const o of r.outputs) publish(o);
 */
export async function runInvocation(req: InvocationRequest): Promise<InvocationResult> {
  const maxAttempts = req.maxAttempts ?? 8;
  const sleep = req.sleep ?? defaultSleep;
  const random = req.random ?? Math.random;
  /** Partition-key units found to be needed by a run that stopped (beyond what could be foreseen). */
  const extra = new Set<string>();
  const storeKey = (unit: string) => `${req.unitKey}#${unit}`;
  /** The records this attempt commits: all of them, or a prefix after a failure (step 7). */
  let records = req.records;
  let failure: unknown;
  /** Rows of @store tables and aggregations loaded for this batch: per holder, all or by key (null: no row). */
  const rowCache = new Map<string, { complete: boolean; rows: Map<string, StoredRow | null> }>();
  /** The global unit and the key units (null: absent) as loaded for the current attempt. */
  let base: { loaded: StoredUnit | undefined; keyUnits: Map<string, StoredUnit | null> } | null = null;
  for (let attempt = 1, rounds = 0; ; ) {
    // Step 3: the global unit first; it says which partition keys exist and which timers are due.
    // A run redone to load more state reuses what it loaded; only a conflict reads everything again.
    if (!base) {
      const first = (await req.store.load([req.unitKey])).get(req.unitKey);
      base = { loaded: first, keyUnits: new Map() };
      const g = first ? readUnit(req.unitKey, first.value) : null;
      if (g && g.app !== req.plan.name) req.logger?.warn(`state unit '${req.unitKey}' was written by app '${g.app}', now read by '${req.plan.name}'`);
      // Step 6 of the previous invocation may not have finished: publish its outbox again first.
      if (first && g?.outbox?.length && req.publish && !req.published?.has(req.unitKey, first.version)) {
        await req.publish(g.outbox.map(([id, stream, time, row]) => ({ id, stream, event: { timestamp: time, data: decodeRow(row), type: EventKind.CURRENT } })));
        req.published?.add(req.unitKey, first.version);
      }
    }
    const loaded = base.loaded;
    const keyUnits = base.keyUnits;
    const global = loaded ? readUnit(req.unitKey, loaded.value) : null;
    const probe = new AppRuntime(req.plan);
    probe.restoreUnits(global?.state ?? null, new Map());
    const needed = new Set([...probe.unitsNeededFor(records), ...extra]);
    const toLoad = [...needed].filter(u => !keyUnits.has(u));
    if (toLoad.length) {
      const got = await req.store.load(toLoad.map(storeKey));
      for (const u of toLoad) keyUnits.set(u, got.get(storeKey(u)) ?? null);
    }
    const units = new Map<string, Json>();
    for (const u of needed) {
      const stored = keyUnits.get(u);
      if (stored) units.set(u, stored.value);
    }

    // Step 4: a fresh runtime, restored; the clock moves and the records are processed in order.
    const logs = new BufferedLogger();
    const runtime = new AppRuntime(req.plan, { logger: logs });
    runtime.restoreUnits(global?.state ?? null, units);
    for (const [holder, c] of rowCache) runtime.provideRows(holder, c.rows, c.complete);
    const outputs: OutputEvent[] = [];
    let recordId = '';
    let rank = 0;
    for (const s of req.outputStreams)
      runtime.subscribe(s, (stream, events) => {
        for (const event of events) outputs.push({ id: `${recordId}/${rank++}`, stream, event });
      });
    // Checkpoints: records at or below them were committed before (a replay) and are skipped.
    const seq: Record<string, string> = { ...(global?.checkpoints?.seq ?? {}) };
    const msg: Record<string, string[]> = { ...(global?.checkpoints?.msg ?? {}) };
    const seen = new Map<string, Set<string>>();
    const version = (loaded?.version ?? 0) + 1;
    let skipped = 0;
    let queryResults: QueryResult[] = [];
    let failedAt = -1;
    try {
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        const src = r.source;
        if (src) {
          if (src.kind === 'sequence') {
            const last = seq[src.id];
            if (last !== undefined && !seqAfter(src.position, last)) {
              skipped++;
              continue;
            }
            seq[src.id] = src.position;
          } else {
            let ids = seen.get(src.id);
            if (!ids) seen.set(src.id, (ids = new Set(msg[src.id] ?? [])));
            if (ids.has(src.position)) {
              skipped++;
              continue;
            }
            ids.add(src.position);
            msg[src.id] = [...(msg[src.id] ?? []), src.position].slice(-MESSAGE_ID_WINDOW);
          }
          recordId = `${src.id}:${src.position}`;
        } else recordId = `${req.unitKey}@${version}.${i}`;
        rank = 0;
        try {
          if (r.stream === undefined) runtime.advanceTime(r.time);
          else runtime.send(r.stream, r.time, r.data ?? []);
        } catch (err) {
          if (err instanceof UnitsNeededError) throw err;
          // The app's own errors are handled inside (@OnError); this is a fault of the record or
          // of the state it met. What came before it still commits; it and all after it fail.
          failedAt = i;
          failure = err;
          break;
        }
        req.progress?.(i + 1, records.length);
      }
      if (failedAt < 0) {
        recordId = `${req.unitKey}@${version}.q`;
        rank = 0;
        queryResults = (req.queries ?? []).map(q => runtime.query(q));
      }
    } catch (err) {
      // Keys that could not be foreseen (intermediate or broadcast streams): load them and redo.
      if (!(err instanceof UnitsNeededError) || ++rounds > 64) throw err;
      for (const u of err.units) extra.add(u);
      continue;
    }
    // @store rows the run needed and did not have: it answered from incomplete rows. Load them
    // (one read per table) and run again; each round loads more, and a scan loads them all.
    const wanted = runtime.rowsNeeded();
    if (wanted.length) {
      if (++rounds > 64) throw new StoreError(`the batch kept needing more @store table rows after 64 rounds`);
      await Promise.all(
        wanted.map(async w => {
          const loadedRows = await req.store.loadRows(w.table, w.keys);
          let c = rowCache.get(w.holder);
          if (!c) rowCache.set(w.holder, (c = { complete: false, rows: new Map() }));
          if (w.keys === null) {
            c.complete = true;
            c.rows = new Map(loadedRows);
          } else for (const k of w.keys) c.rows.set(k, loadedRows.get(k) ?? null);
        }),
      );
      continue;
    }
    if (failedAt >= 0) {
      const src = records[failedAt].source;
      req.logger?.error(
        `record ${failedAt + 1} of ${req.records.length}${src ? ` (${src.id}:${src.position})` : ''} could not be processed: ${failure instanceof Error ? failure.message : String(failure)}; ` +
          `the ${failedAt} before it are committed, it and the ${req.records.length - failedAt - 1} after it are reported as failed`,
      );
      // The runtime has seen part of the record: redo the prefix from the loaded state.
      records = records.slice(0, failedAt);
      continue;
    }

    // Step 5: commit the global unit and every touched key unit on their loaded versions.
    const split = runtime.snapshotUnits();
    const value: UnitValue = {
      app: req.plan.name,
      nextDue: runtime.nextDue(),
      state: split.global,
      checkpoints: { seq, msg },
      outbox: outputs.map(o => [o.id, o.stream, o.event.timestamp, encodeRow(o.event.data)]),
    };
    // The global unit carries the next due timer, so the tick finds due units through the store's index.
    const writes: UnitWrite[] = [{ key: req.unitKey, value: value as unknown as Json, expectedVersion: loaded ? loaded.version : null, nextDue: value.nextDue }];
    for (const [u, v] of split.units) writes.push({ key: storeKey(u), value: v, expectedVersion: keyUnits.get(u)?.version ?? null });
    // A purged key's unit is deleted when it was loaded; otherwise the store's expiry removes it.
    for (const u of split.removed) {
      const stored = keyUnits.get(u);
      if (stored && !split.units.has(u)) writes.push({ key: storeKey(u), value: null, expectedVersion: stored.version });
    }
    try {
      const versions = await req.store.commit(writes, runtime.rowWrites());
      // What the committed run logged (a run that was redone logs nothing).
      if (req.logger) logs.flushTo(req.logger);
      const committed = versions.get(req.unitKey)!;
      // Step 6: publish what was committed.
      if (req.publish) {
        await req.publish(outputs);
        req.published?.add(req.unitKey, committed);
      }
      const failed = req.records.map((_, i) => i).slice(records.length);
      return { outputs, version: committed, attempts: attempt, nextDue: value.nextDue, queryResults, unitsWritten: writes.length, skipped, failed, failure: failed.length ? failure : undefined };
    } catch (err) {
      if (err instanceof CommitTooLargeError && records.length > 1) {
        // Step 7: commit what fits and let the platform redeliver the rest.
        const keep = Math.ceil(records.length / 2);
        req.logger?.warn(`the effects of ${records.length} records do not fit in one commit (${err.message}); committing the first ${keep}, the rest are reported as failed`);
        failure = err;
        records = records.slice(0, keep);
        continue;
      }
      if (!(err instanceof StateConflictError) || attempt >= maxAttempts) {
        // The batch fails as a whole: what its last run logged helps to see why.
        if (req.logger) logs.flushTo(req.logger);
        if (err instanceof StateConflictError)
          throw new StateConflictError(req.unitKey, err.expectedVersion, err.currentVersion, { cause: new Error(`gave up after ${attempt} attempts`) });
        throw err;
      }
      req.logger?.debug(`state unit '${err.key}' changed under us (attempt ${attempt}); redoing the batch`);
      // Everything may have changed with the unit: load it all again.
      base = null;
      rowCache.clear();
      await sleep(Math.min(1000, 10 * 2 ** (attempt - 1)) * (0.5 + random()));
      attempt++;
    }
  }
}
