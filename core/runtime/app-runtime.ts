import { UnitsNeededError } from '../errors/millrace-error';
import { silentLogger, type Logger } from '../io/logger';
import type { WindowOperator } from '../plan/operators';
import type {
  AggregationPlan,
  AggregationReadPlan,
  AppPlan,
  HandlerPlan,
  JoinPlan,
  NamedWindowPlan,
  OnDemandPlan,
  OutputPlan,
  PartitionPlan,
  QueryPlan,
  SelectorPlan,
  TriggerPlan,
} from '../plan/plan';
import { AggregationRuntime, durationBucketsSpec, type DurationBuckets } from './aggregation';
import { perUnit, withinRange } from '../kernel/calendar';
import type { TimeUnit } from '../ast/nodes';
import { parseCron } from '../kernel/cron';
import type { StreamSchema } from '../plan/schema';
import type { Json } from '../state/json';
import type { RowWrite, StoredRow } from '../state/state-store';
import { StateRegistry, type RestoreReport, type StateCell } from '../state/state-spec';
import { EventKind, type StreamEvent, type Value } from '../kernel/event';
import { newEvalCtx, type EvalCtx } from '../kernel/eval-context';
import { Scheduler } from './scheduler';
import { makeRateLimiter } from './rate-limiter';
import { groupsSpec, makeSelector } from './selector';
import { buildStateRuntime } from './pattern/pattern-runtime';
import type { PartialRows } from './partial-rows';
import { rowFromStored, TableRuntime, tableSpec } from './table';

type Receiver = (chunk: StreamEvent[]) => void;

/** Answer of an on-demand query: rows in select order, and the name and type of each column. */
export interface QueryResult {
  readonly records: Value[][];
  readonly details: { readonly name: string; readonly dataType: string }[];
}

/** Where a query's state lives and where its streams are: the app, or one partition instance. */
interface Host {
  readonly registry: StateRegistry;
  /** The junction a query reads from. */
  input(id: string): Junction;
  /** The junction a query writes to. */
  output(id: string): Junction;
  /** Prefix of the query's state names and timer ids. */
  readonly prefix: string;
}

/** One key's copy of a partition's queries. */
interface PartitionInstance {
  readonly registry: StateRegistry;
  readonly junctions: Map<string, Junction>;
  lastSeen: number;
}

interface PartitionEntry {
  seen: number;
  /** Null while the key's unit is not loaded (split restore). */
  inst: PartitionInstance | null;
  /** Touched in this invocation: its unit is written at commit. */
  dirty: boolean;
}

/** What the runtime needs to keep one partition's keys in units of their own. */
interface PartitionUnits {
  readonly base: string;
  /** Units an event on `stream` touches among the keys that exist. */
  unitsFor(stream: string, e: StreamEvent): string[];
  keyOfUnit(unit: string): string | undefined;
  entry(key: string): PartitionEntry | undefined;
  load(key: string, json: Json): void;
  dirty(): [string, Json][];
}

/** A runtime's state split into the app's global unit and one unit per partition key. */
export interface SplitSnapshot {
  readonly global: RuntimeSnapshot;
  /** Units of the partition keys touched since the restore. */
  readonly units: ReadonlyMap<string, Json>;
  /** Units of partition keys purged since the restore. */
  readonly removed: readonly string[];
}

/** How many missed firings a trigger catches up after a clock jump. */
const MAX_CATCH_UP = 1000;

/** Called with every chunk of events that arrives on a stream. */
export type StreamListener = (streamId: string, events: readonly StreamEvent[]) => void;

export interface RuntimeOptions {
  readonly logger?: Logger;
}

/** The snapshot of a whole runtime: every registered state by name. */
export type RuntimeSnapshot = { [name: string]: { v: number; s: Json } };

class Junction {
  readonly receivers: Receiver[] = [];
  constructor(
    readonly schema: StreamSchema,
    private readonly onError: (j: Junction, chunk: StreamEvent[], err: unknown) => void,
  ) {}

  send(chunk: StreamEvent[]): void {
    const rs = this.receivers;
    for (let i = 0; i < rs.length; i++) {
      try {
        rs[i](chunk);
      } catch (err) {
        // Not an error of the app: the invocation must load more state and start again.
        if (err instanceof UnitsNeededError) throw err;
        this.onError(this, chunk, err);
      }
    }
  }
}

/**
 * One running instance of an app plan. Holds nothing that its snapshot does not carry: build a
 * new runtime, `restore` the last snapshot, and it continues exactly where the other stopped.
 *
 * @example
 *   const rt = new AppRuntime(plan);
 *   rt.subscribe('Out', (s, es) => console.log(es));
 *   rt.send('In', 1000, ['a', 1]);
 *   const snap = rt.snapshot();
 */
export class AppRuntime {
  readonly plan: AppPlan;
  private readonly registry = new StateRegistry();
  private readonly scheduler: Scheduler;
  private readonly clockCell: StateCell<{ now: number }>;
  private readonly clockView: { readonly now: number };
  private readonly junctions = new Map<string, Junction>();
  private readonly logger: Logger;
  /** When the app's clock first moved: its start, for 'start' and periodic triggers. */
  private readonly startCell!: StateCell<{ at: number | null }>;
  private readonly onStart: ((now: number) => void)[] = [];
  /** By the index the planner gave each table. */
  private readonly tables: TableRuntime[] = [];
  /** Named windows: where `insert into W` sends events, and what joins find in them. */
  private readonly windowInputs = new Map<string, Receiver>();
  private readonly windowContents = new Map<string, () => StreamEvent[]>();
  private readonly aggregations = new Map<string, AggregationRuntime>();
  private readonly partitionUnits: PartitionUnits[] = [];
  private readonly aggregationUnits: {
    has(unit: string): boolean;
    load(unit: string, json: Json): void;
    unloaded(): string[];
    dirty(): [string, Json][];
  }[] = [];
  private readonly removedUnits = new Set<string>();
  /** Restored from split units: partition keys live in units of their own. */
  private split = false;

  constructor(plan: AppPlan, options: RuntimeOptions = {}) {
    this.plan = plan;
    this.logger = options.logger ?? silentLogger;
    this.clockCell = this.registry.register('clock', {
      version: 1,
      create: () => ({ now: 0 }),
      snapshot: c => c.now,
      restore: j => ({ now: j as number }),
    });
    const cell = this.clockCell;
    this.clockView = {
      get now() {
        return cell.value.now;
      },
    };
    this.scheduler = new Scheduler(this.registry);
    this.scheduler.observer = target => this.timerTouches(target);
    for (const s of plan.streams.values()) this.junctions.set(s.id, new Junction(s, (j, c, e) => this.handleError(j, c, e)));
    for (const t of plan.tables) this.tables.push(new TableRuntime(t, this.registry.register(`t:${t.id}:${t.fingerprint}`, tableSpec(t)), this.logger, plan.name));
    for (const w of plan.windows) this.buildNamedWindow(w);
    for (const a of plan.aggregations) this.buildAggregation(a);
    const appHost: Host = { registry: this.registry, input: id => this.junction(id), output: id => this.junction(id), prefix: '' };
    for (const q of plan.queries) this.buildQuery(q, appHost);
    for (const p of plan.partitions) this.buildPartition(p);
    this.startCell = this.registry.register('started', { version: 1, create: () => ({ at: null as number | null }), snapshot: c => c.at, restore: j => ({ at: j as number | null }) });
    for (const t of plan.triggers) this.buildTrigger(t);
    for (const [stream, sinks] of plan.sinks)
      for (const sink of sinks)
        if (sink.type.toLowerCase() === 'log') {
          const prefix = sink.options.get('prefix') ?? `${plan.name} : ${stream}`;
          this.subscribe(stream, (_s, es) => {
            for (const e of es) this.logger.info(`${prefix} : Event{timestamp=${e.timestamp}, data=${JSON.stringify(e.data)}}`);
          });
        }
  }

  /** The event clock: the largest event time seen or moved to. */
  get now(): number {
    return this.clockCell.value.now;
  }

  /** Listen to every chunk arriving on a stream (after the app's own queries). */
  subscribe(streamId: string, listener: StreamListener): void {
    const j = this.junction(streamId);
    j.receivers.push(chunk => listener(streamId, chunk));
  }

  /** Moves the clock to `time` (never back), then fires every timer due by then, in due order, at that time. */
  advanceTime(time: number): void {
    const clock = this.clockCell.value;
    if (time > clock.now) clock.now = time;
    if (this.startCell.value.at === null) {
      this.startCell.value.at = clock.now;
      for (const f of this.onStart) f(clock.now);
    }
    this.scheduler.fireDue(clock.now);
  }

  /** Sends one event into a stream at event time `timestamp`. */
  send(streamId: string, timestamp: number, data: Value[]): void {
    this.sendChunk(streamId, [{ timestamp, data, type: EventKind.CURRENT }]);
  }

  /** Sends events that arrived together (one record of several events) as one chunk. */
  sendChunk(streamId: string, events: StreamEvent[]): void {
    if (!events.length) return;
    const j = this.junction(streamId);
    this.advanceTime(events[events.length - 1].timestamp);
    j.send(events);
  }

  /** The earliest pending timer, or null: when this unit next needs a tick without traffic. */
  nextDue(): number | null {
    return this.scheduler.nextDue();
  }

  snapshot(): RuntimeSnapshot {
    return this.registry.snapshot();
  }

  /** A timer of a partition key marks the key touched, or asks for its unit if not loaded. */
  private timerTouches(target: string): void {
    if (!this.partitionUnits.length) return;
    for (const pu of this.partitionUnits) {
      if (!target.startsWith(`${pu.base}:`)) continue;
      const unit = target.slice(0, target.indexOf('/', pu.base.length + 1));
      const key = pu.keyOfUnit(unit);
      const e = key === undefined ? undefined : pu.entry(key);
      if (!e) return;
      if (!e.inst) throw new UnitsNeededError([unit]);
      e.dirty = true;
    }
  }

  /**
   * The state split into units: the global one (with each partition's key directory) and one per
   * partition key touched since the restore. Use with `restoreUnits`.
   */
  snapshotUnits(): SplitSnapshot {
    const was = this.split;
    this.split = true;
    try {
      return {
        global: this.registry.snapshot(),
        units: new Map([...this.partitionUnits.flatMap(pu => pu.dirty()), ...this.aggregationUnits.flatMap(au => au.dirty())]),
        removed: [...this.removedUnits],
      };
    } finally {
      this.split = was;
    }
  }

  /**
   * Restores the global unit and the given partition-key units; keys whose units are not given
   * stay unloaded, and touching one throws UnitsNeededError.
   */
  restoreUnits(global: RuntimeSnapshot | null, units: ReadonlyMap<string, Json>): RestoreReport {
    this.split = true;
    const report = global ? this.restore(global) : { unknown: [], versionChanged: [] };
    for (const t of this.tables) if (t.plan.store) t.data.beginPartial(t.plan.store.table);
    for (const rt of this.aggregations.values()) if (rt.plan.store) rt.beginStored(rt.plan.store.table);
    for (const [unit, json] of units) {
      for (const pu of this.partitionUnits) {
        const key = pu.keyOfUnit(unit);
        if (key !== undefined) pu.load(key, json);
      }
      for (const au of this.aggregationUnits) if (au.has(unit)) au.load(unit, json);
    }
    return report;
  }

  /**
   * Gives a `@store` table (holder `t:<id>`) or aggregation (`a:<id>`) rows loaded from the
   * store, after `restoreUnits`; a null row means the store has no row under that key.
   * `complete`: these are all its rows.
   */
  provideRows(holder: string, rows: ReadonlyMap<string, StoredRow | null>, complete: boolean): void {
    const id = holder.slice(2);
    if (holder.startsWith('a:')) {
      const rt = this.aggregations.get(id);
      if (!rt?.storedRows) throw new Error(`aggregation '${id}' does not keep its buckets in a store`);
      return rt.provideRows(rows, complete);
    }
    const t = this.tables.find(x => x.plan.id === id);
    if (!holder.startsWith('t:') || !t?.data.partial) throw new Error(`table '${id}' does not keep its rows in a store`);
    const attrs = t.plan.attributes;
    t.data.provide(new Map([...rows].map(([k, r]) => [k, r && rowFromStored(r, attrs)])), complete);
  }

  /** The `@store` tables and aggregations of this run, by holder name (see provideRows). */
  private storedHolders(): [string, PartialRows<unknown>][] {
    const out: [string, PartialRows<unknown>][] = [];
    for (const t of this.tables) if (t.data.partial) out.push([`t:${t.plan.id}`, t.data.partial]);
    for (const [id, rt] of this.aggregations) if (rt.storedRows) out.push([`a:${id}`, rt.storedRows]);
    return out;
  }

  /**
   * What this run needed of `@store` tables and aggregations and was not given: per holder (see
   * provideRows), row keys or null for every row. When anything is listed, the run answered from
   * incomplete rows: load them and run again.
   */
  rowsNeeded(): { holder: string; table: string; keys: string[] | null }[] {
    return this.storedHolders().flatMap(([holder, rows]) => {
      const keys = rows.wanted();
      return keys === undefined ? [] : [{ holder, table: rows.table, keys }];
    });
  }

  /** The `@store` table rows and aggregation buckets this run changed, for the commit. */
  rowWrites(): RowWrite[] {
    return [...this.tables.flatMap(t => t.data.rowWrites(t.plan.attributes)), ...[...this.aggregations.values()].flatMap(rt => rt.rowWrites())];
  }

  /**
   * The partition-key units a batch will touch, as far as can be told before running it: keys of
   * its events on partitioned input streams, and keys with timers due by its last time.
   */
  unitsNeededFor(records: readonly { stream?: string; time: number; data?: Value[] }[]): string[] {
    // Aggregation durations are few: load them all.
    const out = new Set<string>(this.aggregationUnits.flatMap(au => au.unloaded()));
    if (!this.partitionUnits.length) return [...out];
    let until = this.now;
    for (const r of records) {
      until = Math.max(until, r.time);
      if (r.stream === undefined) continue;
      const e: StreamEvent = { timestamp: r.time, data: r.data ?? [], type: EventKind.CURRENT };
      for (const pu of this.partitionUnits) for (const u of pu.unitsFor(r.stream, e)) out.add(u);
    }
    for (const target of this.scheduler.dueTargets(until))
      for (const pu of this.partitionUnits)
        if (target.startsWith(`${pu.base}:`)) out.add(target.slice(0, target.indexOf('/', pu.base.length + 1)));
    return [...out].filter(
      u =>
        this.aggregationUnits.some(au => au.has(u)) ||
        this.partitionUnits.some(pu => {
          const k = pu.keyOfUnit(u);
          return k !== undefined && pu.entry(k)?.inst === null;
        }),
    );
  }

  restore(snapshot: RuntimeSnapshot): RestoreReport {
    const report = this.registry.restore(snapshot);
    if (report.unknown.length || report.versionChanged.length) {
      const parts = [];
      if (report.unknown.length) parts.push(`dropped state of queries that changed or were removed: ${report.unknown.join(', ')}`);
      if (report.versionChanged.length) parts.push(`state layout changed, started fresh: ${report.versionChanged.join(', ')}`);
      this.logger.warn(`app '${this.plan.name}': ${parts.join('; ')}`);
    }
    return report;
  }

  private junction(streamId: string): Junction {
    const j = this.junctions.get(streamId);
    if (!j) throw new Error(`stream '${streamId}' is not defined in app '${this.plan.name}'`);
    return j;
  }

  private handleError(j: Junction, chunk: StreamEvent[], err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const fault = j.schema.onError === 'STREAM' ? this.junctions.get(`!${j.schema.id}`) : undefined;
    if (fault) {
      const error = err instanceof Error ? err : new Error(message);
      fault.send(chunk.filter(e => e.type === EventKind.CURRENT).map(e => ({ timestamp: e.timestamp, data: [...e.data, error], type: EventKind.CURRENT })));
      return;
    }
    for (const e of chunk)
      if (e.type === EventKind.CURRENT)
        this.logger.error(`Error in '${this.plan.name}' after consuming events from Stream '${j.schema.id}', ${message}. Hence, dropping event '${JSON.stringify(e.data)}'`);
  }

  private newCtx(): EvalCtx {
    const ctx = newEvalCtx(this.clockView);
    ctx.tables = this.tables;
    return ctx;
  }

  private table(id: string): TableRuntime {
    return this.tables.find(t => t.plan.id === id)!;
  }

  /**
   * A partition: one instance of its queries per key, created when the key first appears. The
   * instances are one piece of state (key -> the instance's own state), so a restore rebuilds them.
   */
  private buildPartition(p: PartitionPlan): void {
    const base = `p:${p.id}:${p.fingerprint}`;
    const unitOf = (key: string) => `${base}:${encodeURIComponent(key)}`;
    const schemas = new Map<string, StreamSchema>();
    for (const id of [...p.keys.map(k => k.stream), ...p.broadcast]) schemas.set(id, this.junction(id).schema);
    for (const s of p.innerStreams) schemas.set(s.id, s);
    const create = (key: string): PartitionInstance => {
      const inst: PartitionInstance = { registry: new StateRegistry(), junctions: new Map(), lastSeen: 0 };
      for (const [id, schema] of schemas) inst.junctions.set(id, new Junction(schema, (j, c, e) => this.handleError(j, c, e)));
      const host: Host = {
        registry: inst.registry,
        input: id => inst.junctions.get(id) ?? this.junction(id),
        output: id => (id.startsWith('#') ? inst.junctions.get(id)! : this.junction(id)),
        prefix: `${unitOf(key)}/`,
      };
      for (const q of p.queries) this.buildQuery(q, host);
      return inst;
    };
    // key -> when last seen, and the instance (null: the key exists but its unit is not loaded).
    const entries = this.registry.register<Map<string, PartitionEntry>>(base, {
      version: 2,
      create: () => new Map(),
      snapshot: m =>
        Object.fromEntries(
          [...m].map(([k, e]) => {
            if (this.split) return [k, { seen: e.seen }];
            if (!e.inst) throw new Error(`partition key '${k}' is not loaded; take a split snapshot (snapshotUnits)`);
            return [k, { seen: e.seen, state: e.inst.registry.snapshot() }];
          }),
        ) as Json,
      restore: j => {
        const m = new Map<string, PartitionEntry>();
        for (const [k, v] of Object.entries(j as Record<string, { seen: number; state?: RuntimeSnapshot }>)) {
          let inst: PartitionInstance | null = null;
          if (v.state) {
            inst = create(k);
            inst.registry.restore(v.state);
          }
          m.set(k, { seen: v.seen, inst, dirty: false });
        }
        return m;
      },
    });
    const need = (keys: string[]) => {
      throw new UnitsNeededError(keys.map(unitOf));
    };
    const purgeTimer = `${base}/purge`;
    const instanceFor = (key: string, now: number): PartitionInstance => {
      let e = entries.value.get(key);
      if (!e) {
        e = { seen: now, inst: create(key), dirty: true };
        entries.value.set(key, e);
        if (p.purge && entries.value.size === 1) this.scheduler.schedule(purgeTimer, now + p.purge.intervalMs);
      }
      if (!e.inst) need([key]);
      e.seen = now;
      e.dirty = true;
      return e.inst!;
    };
    if (p.purge) {
      const { intervalMs, idleMs } = p.purge;
      this.scheduler.register(purgeTimer, now => {
        for (const [key, e] of entries.value)
          if (e.seen + idleMs <= now) {
            entries.value.delete(key);
            this.scheduler.cancelPrefix(`${unitOf(key)}/`);
            this.removedUnits.add(unitOf(key));
          }
        if (entries.value.size) this.scheduler.schedule(purgeTimer, now + intervalMs);
      });
    }
    const keyString = (v: Value) => (typeof v === 'string' ? v : String(v));
    const ctx = this.newCtx();
    const keysOf = (k: PartitionPlan['keys'][number], e: StreamEvent): string[] => {
      ctx.event = e;
      return k.kind === 'value' ? [keyString(k.key(ctx))] : k.ranges.filter(r => r.condition(ctx) === true).map(r => r.label);
    };
    for (const k of p.keys) {
      this.junction(k.stream).receivers.push(chunk => {
        for (const e of chunk) for (const key of keysOf(k, e)) instanceFor(key, e.timestamp).junctions.get(k.stream)!.send([e]);
      });
    }
    for (const id of p.broadcast)
      this.junction(id).receivers.push(chunk => {
        const unloaded = [...entries.value].filter(([, e]) => !e.inst).map(([k]) => k);
        if (unloaded.length) need(unloaded);
        for (const e of entries.value.values()) {
          e.dirty = true;
          e.inst!.junctions.get(id)!.send(chunk);
        }
      });
    this.partitionUnits.push({
      base,
      unitsFor: (stream, e) => {
        const k = p.keys.find(x => x.stream === stream);
        if (!k) return p.broadcast.includes(stream) ? [...entries.value.keys()].map(unitOf) : [];
        return keysOf(k, e).filter(key => entries.value.has(key)).map(unitOf);
      },
      keyOfUnit: unit => (unit.startsWith(`${base}:`) ? decodeURIComponent(unit.slice(base.length + 1)) : undefined),
      entry: key => entries.value.get(key),
      load: (key, json) => {
        const e = entries.value.get(key);
        if (!e) return;
        const v = json as { seen: number; state: RuntimeSnapshot };
        e.inst = create(key);
        e.inst.registry.restore(v.state);
        e.seen = v.seen;
      },
      dirty: () => [...entries.value].filter(([, e]) => e.dirty && e.inst).map(([k, e]) => [unitOf(k), { seen: e.seen, state: e.inst!.registry.snapshot() }] as [string, Json]),
    });
  }

  /**
   * Triggers fire on the event clock: 'start' when the clock first moves, `every T` at start + T,
   * start + 2T, ..., a cron expression at its times. A clock jump fires each missed time once
   * (at most MAX_CATCH_UP of them; the rest are skipped and logged).
   */
  private buildTrigger(t: TriggerPlan): void {
    const junction = this.junction(t.id);
    const fire = (times: number[], now: number) => {
      if (times.length) junction.send(times.map(at => ({ timestamp: now, data: [at], type: EventKind.CURRENT })));
    };
    if (t.at.kind === 'start') {
      this.onStart.push(now => fire([now], now));
      return;
    }
    const timerId = `trigger:${t.id}:${t.fingerprint}`;
    const at = t.at;
    const cron = at.kind === 'cron' ? parseCron(at.expression) : undefined;
    const nextAfter = (time: number) => (cron ? cron.next(time) : time + (at as { millis: number }).millis);
    this.onStart.push(now => {
      const first = cron ? cron.next(now - 1) : now + (at as { millis: number }).millis;
      if (first !== null) this.scheduler.schedule(timerId, first);
    });
    this.scheduler.register(timerId, (now, due) => {
      const times: number[] = [];
      let next: number | null = due;
      while (next !== null && next <= now && times.length < MAX_CATCH_UP) {
        times.push(next);
        next = nextAfter(next);
      }
      if (next !== null && next <= now) {
        this.logger.warn(`trigger '${t.id}': the clock jumped to ${now}; fired ${MAX_CATCH_UP} missed times and skipped the rest`);
        while (next !== null && next <= now) next = cron ? cron.next(now) : next + Math.ceil((now - next + 1) / (at as { millis: number }).millis) * (at as { millis: number }).millis;
      }
      fire(times, now);
      if (next !== null) this.scheduler.schedule(timerId, next);
    });
  }

  /** `define aggregation A ...`: folds its stream's events (after its filters) into time buckets. */
  private buildAggregation(a: AggregationPlan): void {
    const base = `a:${a.id}:${a.fingerprint}`;
    // Each duration's buckets are a unit of their own, so a reader of one duration (the Store
    // API) loads just that, and an invocation writes only the durations it changed.
    const durations = new Map(
      a.durations.map(unit => {
        const registry = new StateRegistry();
        const cell = registry.register('buckets', durationBucketsSpec);
        const d: { registry: StateRegistry; cell: StateCell<DurationBuckets>; touched: boolean; loaded: boolean; unit: string } = { registry, cell, touched: false, loaded: true, unit: `${base}:${unit}` };
        return [unit, d] as [TimeUnit, typeof d];
      }),
    );
    this.registry.register(`${base}/durations`, {
      version: 1,
      create: () => null,
      snapshot: () =>
        (this.split
          ? // An @store aggregation's buckets are store items, not units (see AggregationRuntime).
            { units: a.store ? [] : [...durations.values()].map(d => d.unit) }
          : { full: Object.fromEntries([...durations].map(([u, d]) => [u, d.registry.snapshot()])) }) as Json,
      restore: j => {
        const v = j as { units?: string[]; full?: Record<string, RuntimeSnapshot> };
        for (const [u, d] of durations) {
          d.touched = false;
          if (v.full?.[u]) {
            d.registry.restore(v.full[u]);
            d.loaded = true;
          } else d.loaded = !v.units?.includes(d.unit);
        }
        return null;
      },
    });
    this.aggregationUnits.push({
      has: unit => [...durations.values()].some(d => d.unit === unit),
      load: (unit, json) => {
        const d = [...durations.values()].find(x => x.unit === unit)!;
        d.registry.restore(json as RuntimeSnapshot);
        d.loaded = true;
      },
      unloaded: () => [...durations.values()].filter(d => !d.loaded).map(d => d.unit),
      dirty: () => (rt.storedRows ? [] : [...durations.values()].filter(d => d.touched && d.loaded).map(d => [d.unit, d.registry.snapshot()] as [string, Json])),
    });
    const rt = new AggregationRuntime(
      a,
      durations,
      this.registry.register(`${base}/latest`, {
        version: 1,
        create: () => ({ t: null as number | null, purgedAt: null as number | null }),
        snapshot: l => [l.t, l.purgedAt],
        restore: j => ({ t: (j as [number | null, number | null])[0], purgedAt: (j as [number | null, number | null])[1] }),
      }),
    );
    this.aggregations.set(a.id, rt);
    const ctx = this.newCtx();
    const sink: Receiver = chunk => {
      for (const e of chunk) {
        const problem = rt.add(ctx, e);
        if (problem) throw new Error(`aggregation '${a.id}': ${problem}`);
      }
    };
    this.junction(a.inputStream).receivers.push(this.pipeline(a.handlers, base, ctx, sink, this.registry));
  }

  /** The rows of an aggregation read (`within ... per ...`), evaluated against `ctx`. */
  private readAggregation(id: string, read: AggregationReadPlan, ctx: EvalCtx): Value[][] {
    const w = read.within.map(f => f(ctx));
    const range = withinRange(w[0], w.length > 1 ? w[1] : undefined);
    if (typeof range === 'string') throw new Error(range);
    const perValue = read.per(ctx);
    const unit = perUnit(perValue);
    const agg = this.aggregations.get(id)!;
    if (!unit || !agg.plan.durations.includes(unit))
      throw new Error(`${String(perValue)} cannot be provided since aggregation definition ${id} does not contain ${unit ?? String(perValue)} duration`);
    return agg.read(unit, range[0], range[1]);
  }

  /** `define window W ...`: a window in front of a junction that carries what it emits. */
  private buildNamedWindow(w: NamedWindowPlan): void {
    const schema: StreamSchema = { id: w.id, attributes: w.attributes, origin: 'inferred', pos: { line: 0, column: 0, offset: 0 }, onError: 'LOG' };
    const junction = new Junction(schema, (j, c, e) => this.handleError(j, c, e));
    this.junctions.set(w.id, junction);
    const { currentOn, expiredOn } = w;
    const emit: Receiver = chunk => {
      const out = currentOn && expiredOn ? chunk : chunk.filter(e => (e.type === EventKind.CURRENT ? currentOn : e.type === EventKind.EXPIRED ? expiredOn : true));
      if (out.length) junction.send(out);
    };
    let op: WindowOperator | undefined;
    const input = this.handlerStage(w.window, `w:${w.id}:${w.fingerprint}`, this.newCtx(), emit, this.registry, o => (op = o));
    this.windowInputs.set(w.id, input);
    this.windowContents.set(w.id, () => op!.contents());
  }

  private buildQuery(q: QueryPlan, host: Host): void {
    const prefix = `${host.prefix}q:${q.name}:${q.fingerprint}`;
    const ctx = this.newCtx();
    const output = this.outputStage(q, host);
    let selected: (chunk: StreamEvent[], keys: string[] | null) => void = output;
    if (q.rate) {
      const timerId = `${prefix}/rate`;
      const limiter = makeRateLimiter(
        q.rate,
        { state: (name, spec) => host.registry.register(`${timerId}/${name}`, spec), schedule: due => this.scheduler.schedule(timerId, due) },
        output,
      );
      this.scheduler.register(timerId, now => limiter.onTimer(now));
      selected = (chunk, keys) => limiter.process(chunk, keys);
    }
    const groups = q.selector.aggregates.length ? host.registry.register(`${prefix}/groups`, groupsSpec(q.selector)) : null;
    const selector: Receiver = makeSelector(q.selector, ctx, groups, selected);
    if (q.join) return this.buildJoin(q.join, prefix, ctx, selector, q.selector.expiredOn, host);
    if (q.state) {
      const timerId = `${prefix}/state`;
      const matcher = buildStateRuntime(
        q.state,
        {
          state: (name, spec) => host.registry.register(`${timerId}/${name}`, spec),
          schedule: due => this.scheduler.schedule(timerId, due),
          clock: this.clockView,
          ctx,
        },
        selector,
      );
      this.scheduler.register(timerId, now => matcher.onTimer(now));
      for (const s of new Set(q.state.streams)) host.input(s).receivers.push(chunk => matcher.receive(s, chunk));
      return;
    }
    host.input(q.inputStream).receivers.push(this.pipeline(q.handlers, prefix, ctx, selector, host.registry));
  }

  /** Handlers in order, ending in `next`; reports the window operator, if any. */
  private pipeline(
    handlers: readonly HandlerPlan[],
    prefix: string,
    ctx: EvalCtx,
    next: Receiver,
    registry: StateRegistry,
    onWindow?: (op: WindowOperator) => void,
  ): Receiver {
    let r = next;
    for (let i = handlers.length - 1; i >= 0; i--) r = this.handlerStage(handlers[i], `${prefix}/h${i}`, ctx, r, registry, onWindow);
    return r;
  }

  /**
   * Each triggering side's events (after its own filters and window) are matched against what
   * the other side holds; a joined row is `[...left, ...right, leftPresent, rightPresent]`.
   */
  private buildJoin(j: JoinPlan, prefix: string, ctx: EvalCtx, next: Receiver, expiredOn: boolean, host: Host): void {
    const nL = j.leftWidth;
    const nR = j.rightWidth;
    const width = nL + nR + 2;
    const contents: (() => readonly StreamEvent[])[] = [() => [], () => []];
    const sides = [j.left, j.right];
    const joined = (l: readonly Value[] | null, r: readonly Value[] | null, e: StreamEvent): StreamEvent => {
      const data = new Array<Value>(width);
      for (let i = 0; i < nL; i++) data[i] = l ? l[i] : null;
      for (let i = 0; i < nR; i++) data[nL + i] = r ? r[i] : null;
      data[nL + nR] = l !== null;
      data[nL + nR + 1] = r !== null;
      return { timestamp: e.timestamp, data, type: e.type };
    };
    const stage = (side: 0 | 1): Receiver => {
      const other = (1 - side) as 0 | 1;
      const otherPlan = sides[other];
      const outer = side === 0 ? j.leftOuter : j.rightOuter;
      const table = otherPlan.kind === 'table' ? this.table(otherPlan.table) : undefined;
      const aggRead = otherPlan.kind === 'aggregation' ? otherPlan : undefined;
      const on = j.on;
      return chunk => {
        const out: StreamEvent[] = [];
        for (const e of chunk) {
          if (e.type === EventKind.RESET) {
            out.push(e);
            continue;
          }
          if (e.type === EventKind.TIMER || (e.type === EventKind.EXPIRED && !expiredOn)) continue;
          let matched = false;
          ctx.events[side] = e;
          if (table) {
            for (const row of table.find(ctx, j.tableLookup!)) {
              matched = true;
              out.push(side === 0 ? joined(e.data, row, e) : joined(row, e.data, e));
            }
          } else {
            const candidates = aggRead
              ? this.readAggregation(aggRead.aggregation, aggRead.read, ctx).map(data => ({ timestamp: e.timestamp, data, type: EventKind.CURRENT }))
              : contents[other]();
            for (const c of candidates) {
              ctx.events[other] = c;
              if (on && on(ctx) !== true) continue;
              matched = true;
              out.push(side === 0 ? joined(e.data, c.data, e) : joined(c.data, e.data, e));
            }
          }
          if (!matched && outer) out.push(side === 0 ? joined(e.data, null, e) : joined(null, e.data, e));
        }
        if (out.length) next(out);
      };
    };
    const triggers = [j.leftTriggers, j.rightTriggers];
    sides.forEach((src, k) => {
      const side = k as 0 | 1;
      if (src.kind === 'table' || src.kind === 'aggregation') return;
      const sink = triggers[side] ? stage(side) : () => {};
      const p = this.pipeline(src.handlers, `${prefix}/${side === 0 ? 'left' : 'right'}`, ctx, sink, host.registry, op => (contents[side] = () => op.contents()));
      if (src.kind === 'window') {
        contents[side] = this.windowContents.get(src.window)!;
        this.junction(src.window).receivers.push(p);
      } else host.input(src.stream).receivers.push(p);
    });
  }

  private outputStage(q: QueryPlan, host: Host): Receiver {
    const out = q.output;
    switch (out.kind) {
      case 'return':
        return () => {};
      case 'insert': {
        const junction = this.windowInputs.has(out.target) ? undefined : host.output(out.target);
        const target = this.windowInputs.get(out.target) ?? ((chunk: StreamEvent[]) => junction!.send(chunk));
        // The selector's rows are fresh objects that nothing else holds: they become the target
        // stream's events (expired rows arrive there as current events, as in Siddhi).
        return chunk => {
          for (let i = 0; i < chunk.length; i++) chunk[i].type = EventKind.CURRENT;
          target(chunk);
        };
      }
      case 'insertTable': {
        const table = this.table(out.table);
        return chunk => {
          for (const e of chunk) table.insert(e.data);
        };
      }
      default: {
        const write = this.tableWriter(out);
        return chunk => {
          for (const e of chunk) write(e);
        };
      }
    }
  }

  /** Applies one output row to a table: insert, delete, update or update-or-insert. */
  private tableWriter(out: Exclude<OutputPlan, { kind: 'insert' } | { kind: 'return' }>): (e: StreamEvent) => void {
    const table = this.table(out.table);
    if (out.kind === 'insertTable') return e => table.insert(e.data);
    const ctx = this.newCtx();
    return e => {
      ctx.event = e;
      if (out.kind === 'delete') table.delete(ctx, out.on);
      else if (table.update(ctx, out.on, out.set) === 0 && out.kind === 'upsert') table.insert(out.insertRow!(e.data));
    };
  }

  /**
   * Runs an on-demand query on the tables and named windows: reads answer rows, writes change
   * the state like any query would (commit the runtime afterwards). Throws CompileError for a
   * query with errors, with positions in the query text.
   *
   * @example
   *   rt.query('from Stock on Stock.qty < 5 select sku order by sku').records
   */
  query(text: string): QueryResult {
    const p = this.plan.planQuery(text);
    const now = this.clockCell.value.now;
    const probe = (data: Value[]): StreamEvent => ({ timestamp: now, data, type: EventKind.CURRENT });
    const select = (sel: SelectorPlan, events: StreamEvent[]): Value[][] => {
      const rows: Value[][] = [];
      const groups = { value: groupsSpec(sel).create() };
      makeSelector(sel, this.newCtx(), groups, chunk => chunk.forEach(e => rows.push(e.data)))(events);
      return rows;
    };
    const find = (f: Extract<OnDemandPlan, { kind: 'find' }>): Value[][] => {
      const ctx = this.newCtx();
      let rows: Value[][];
      if (f.store.kind === 'table') {
        ctx.event = probe([]);
        rows = this.table(f.store.table).find(ctx, f.store.on);
      } else if (f.store.kind === 'aggregation') {
        ctx.event = probe([]);
        const on = f.store.on;
        rows = this.readAggregation(f.store.aggregation, f.store.read, ctx).filter(r => {
          ctx.event = probe(r);
          return !on || on(ctx) === true;
        });
      } else {
        const on = f.store.on;
        rows = this.windowContents.get(f.store.window)!().filter(e => {
          ctx.event = e;
          return !on || on(ctx) === true;
        }).map(e => e.data);
      }
      return rows.length ? select(f.selector, rows.map(probe)) : [];
    };
    const details = (sel?: SelectorPlan) => (sel?.outputSchema ?? []).map(a => ({ name: a.name, dataType: a.type }));
    if (p.kind === 'find') return { records: find(p), details: details(p.selector) };
    const rows = p.from ? find(p.from) : p.selector ? select(p.selector, [probe([])]) : [[]];
    const write = this.tableWriter(p.output);
    for (const r of rows) write(probe(r));
    return { records: [], details: details(p.selector) };
  }

  private handlerStage(h: HandlerPlan, id: string, ctx: EvalCtx, next: Receiver, registry: StateRegistry, onWindow?: (op: WindowOperator) => void): Receiver {
    switch (h.kind) {
      case 'filter': {
        const cond = h.condition;
        return chunk => {
          if (chunk.length === 1) {
            const e = chunk[0];
            ctx.event = e;
            if (e.type >= EventKind.RESET || cond(ctx) === true) next(chunk);
            return;
          }
          const out: StreamEvent[] = [];
          for (const e of chunk) {
            ctx.event = e;
            if (e.type >= EventKind.RESET || cond(ctx) === true) out.push(e);
          }
          if (out.length) next(out);
        };
      }
      case 'function': {
        const fn = h.create({ log: m => this.logger.info(`${this.plan.name}: ${m}`) });
        return chunk => {
          const out = new Array<StreamEvent>(chunk.length);
          for (let i = 0; i < chunk.length; i++) {
            const e = chunk[i];
            ctx.event = e;
            const extra = e.type >= EventKind.RESET ? null : fn(ctx);
            out[i] = extra && extra.length ? { timestamp: e.timestamp, data: [...e.data, ...extra], type: e.type } : e;
          }
          next(out);
        };
      }
      case 'window': {
        const timerId = id;
        const op = h.create({
          state: (name, spec) => registry.register(`${timerId}/${name}`, spec),
          schedule: due => this.scheduler.schedule(timerId, due),
          clock: this.clockView,
          expiredNeeded: h.expiredNeeded,
        });
        if (op.onTimer) {
          const onTimer = op.onTimer.bind(op);
          this.scheduler.register(timerId, (now, due) => {
            try {
              onTimer(now, next, due);
            } catch (err) {
              if (err instanceof UnitsNeededError) throw err;
              this.logger.error(`Error in '${this.plan.name}' while firing a timer of ${h.name} window at ${now}: ${err instanceof Error ? err.message : String(err)}`);
            }
          });
        }
        onWindow?.(op);
        return chunk => op.process(chunk, next);
      }
    }
  }
}
