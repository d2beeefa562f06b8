import type { TimeUnit } from '../ast/nodes';
import type { Aggregator } from '../plan/operators';
import type { AggregationPlan } from '../plan/plan';
import type { Json } from '../state/json';
import type { RowWrite, StoredRow } from '../state/state-store';
import type { StateCell, StateSpec } from '../state/state-spec';
import type { StreamEvent, Value } from '../kernel/event';
import type { EvalCtx } from '../kernel/eval-context';
import { longAdd, longToDouble, type Long } from '../kernel/java-num';
import { PartialRows } from './partial-rows';
import { decodeValue, encodeValue, jsonText } from '../state/value-codec';
import { array, int, nullable, num, refine, tuple, uniqueBy, value, type Shape } from '../state/shape';
import { bucketStart, parseAggregationTime } from '../kernel/calendar';

/**
 * One group's partial aggregates in one bucket: a value per output (sum, count, min, max, last
 * value) plus, for distinctCount outputs, the counts per value.
 */
interface Row {
  groups: Value[];
  vals: Value[];
  /** Per output index, for distinctCount: value -> occurrences. */
  distinct?: Map<number, Map<Value, number>>;
  /**
   * On an external timestamp (`aggregate by ts`), the greatest timestamp folded in: the 'last'
   * values are those of the event that had it. Null on event time (the last arrival wins), and in
   * rows written before it was kept (their next event sets it).
   */
  lastTs: number | null;
}

/** One duration's buckets: bucket start -> group key -> row. */
export type DurationBuckets = Map<number, Map<string, Row>>;

function keyOf(vals: readonly Value[]): string {
  return vals.map(v => (typeof v === 'string' ? `s${v}` : String(v))).join('\u0001');
}

/** `[groups, values, distinct counts, last timestamp]`; rows of version 2 (and store items written then) have no fourth. */
type EncodedRow = [Json[], Json[], [number, [Json, number][]][] | null, (number | null)?];

function encodeBucketRow(r: Row): EncodedRow {
  return [r.groups.map(encodeValue), r.vals.map(encodeValue), r.distinct ? [...r.distinct].map(([i, m]) => [i, [...m].map(([v, c]) => [encodeValue(v), c])]) : null, r.lastTs];
}

function decodeBucketRow([g, v, d, lastTs]: EncodedRow): Row {
  const row: Row = { groups: g.map(decodeValue), vals: v.map(decodeValue), lastTs: lastTs ?? null };
  if (d) row.distinct = new Map(d.map(([i, pairs]) => [i, new Map(pairs.map(([x, c]) => [decodeValue(x), c]))]));
  return row;
}

const DISTINCT = nullable(
  uniqueBy(
    tuple(int(), refine(array(tuple(value(), int())), (ps: [Json, number][]) => (new Map(ps.map(([x]) => [decodeValue(x), 0])).size === ps.length ? null : 'a value counted twice'))),
    (d: [number]) => String(d[0]),
  ),
);

/** `[[start, [row, ...]], ...]`: each bucket start once, each group once in its bucket. */
const buckets = (row: Shape) => uniqueBy(tuple(int(), uniqueBy(row, (r: EncodedRow) => keyOf(r[0].map(decodeValue)))), (b: [number]) => String(b[0]));

/** The buckets of one duration, as their own piece of state (a unit of its own when split). */
export const durationBucketsSpec: StateSpec<DurationBuckets> = {
  version: 3,
  shape: buckets(tuple(array(value()), array(value()), DISTINCT, nullable(num()))),
  // Version 2 rows had no last timestamp.
  older: {
    2: {
      shape: buckets(tuple(array(value()), array(value()), DISTINCT)),
      upgrade: j => (j as [number, EncodedRow[]][]).map(([start, rows]) => [start, rows.map(r => [...r, null])]) as Json,
    },
  },
  create: () => new Map(),
  snapshot: starts => [...starts].map(([start, rows]) => [start, [...rows.values()].map(encodeBucketRow)]) as Json,
  restore: j => {
    const m: DurationBuckets = new Map();
    for (const [start, rows] of j as [number, EncodedRow[]][]) {
      const rm = new Map<string, Row>();
      for (const encoded of rows) {
        const row = decodeBucketRow(encoded);
        rm.set(keyOf(row.groups), row);
      }
      m.set(start, rm);
    }
    return m;
  },
};

/** The store key of one bucket row: duration, bucket start and group values, as JSON text. */
function bucketRowKey(unit: TimeUnit, start: number, groups: readonly Value[]): string {
  return JSON.stringify([unit, start, ...groups.map(encodeValue)]);
}


/**
 * The running side of `define aggregation`: folds each event into its bucket of every duration,
 * and answers reads as rows `[AGG_TIMESTAMP, ...outputs]`.
 */
export class AggregationRuntime {
  /** Set for an `@store` aggregation run by the invocation runner: its buckets are store items. */
  private stored: PartialRows<{ unit: TimeUnit; start: number; key: string }> | null = null;

  /** The running aggregates of 'last' expressions (see AggregationPlan.running), read through `ctx.agg`. */
  private readonly runningValues: Value[];

  constructor(
    readonly plan: AggregationPlan,
    /** Per duration: its buckets, and whether they are loaded (split restores load them on demand). */
    private readonly durations: ReadonlyMap<TimeUnit, { cell: StateCell<DurationBuckets>; touched: boolean; loaded: boolean; unit: string }>,
    private readonly running: StateCell<Aggregator[]>,
    /** Told about a duration's unit that this run reaches without having it loaded. */
    private readonly need: (unit: string) => void,
  ) {
    this.runningValues = new Array(plan.running.length).fill(null);
  }

  /** A duration's buckets; one not loaded is noted as needed and answers as empty (the run is redone). */
  private buckets(unit: TimeUnit, touch: boolean): DurationBuckets {
    const d = this.durations.get(unit)!;
    if (!d.loaded) this.need(d.unit);
    if (touch) d.touched = true;
    return d.cell.value;
  }

  /**
   * Folds an event into its bucket of every duration. Its time is the `aggregate by` timestamp,
   * else the app's clock (Siddhi's currentTimeMillis(): an event older than the clock counts in
   * the current buckets). On an external timestamp a row's 'last' values come from the event
   * with the greatest timestamp, the later arrival on a tie (Siddhi's shouldUpdate, `>=`).
   */
  add(ctx: EvalCtx, e: StreamEvent): string | null {
    const p = this.plan;
    ctx.event = e;
    let t: number | null;
    if (p.timestampOf) {
      const v = p.timestampOf(ctx);
      t = typeof v === 'number' ? v : typeof v === 'string' ? parseAggregationTime(v) : null;
      if (t === null) return `cannot read the time of the event from ${jsonText(v)} (a long of milliseconds, or 'yyyy-MM-dd HH:mm:ss [+HH:MM]')`;
    } else t = Math.max(ctx.clock.now, e.timestamp);
    const running = this.running.value;
    for (let i = 0; i < running.length; i++) {
      const arg = p.running[i].arg;
      running[i].add(arg ? arg(ctx) : null);
      this.runningValues[i] = running[i].value();
    }
    ctx.agg = this.runningValues;
    const groups = p.groupBy.map(g => g(ctx));
    const key = keyOf(groups);
    const args = p.outputs.map(o => (o.arg ? o.arg(ctx) : null));
    const external = p.timestampOf !== undefined;
    for (const unit of p.durations) {
      const starts = this.buckets(unit, true);
      const start = bucketStart(unit, t);
      this.stored?.changed(bucketRowKey(unit, start, groups), { unit, start, key });
      let rows = starts.get(start);
      if (!rows) starts.set(start, (rows = new Map()));
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { groups, vals: p.outputs.map(o => (o.kind === 'count' ? 0 : null)), lastTs: null }));
      const latest = !external || row.lastTs === null || t >= row.lastTs;
      if (external && latest) row.lastTs = t;
      p.outputs.forEach((o, i) => {
        if (o.kind !== 'last' || latest) fold(row!, i, o.kind, o.integral, args[i]);
      });
    }
    return null;
  }

  /**
   * Siddhi's purge: drops the buckets that start before `now` less their duration's retention.
   * `now` is the app's clock (Siddhi compares with the wall clock, not with the aggregation's
   * timestamps), so buckets of external timestamps far behind or ahead of it go or stay by it.
   */
  purge(now: number): void {
    const pg = this.plan.purge;
    if (!pg) return;
    // A purge removes every old bucket, so an @store aggregation needs all its rows for it.
    this.stored?.touchAll();
    for (const unit of this.plan.durations) {
      const keep = pg.retention.get(unit);
      if (keep === undefined) continue;
      const starts = this.buckets(unit, false);
      for (const [start, rows] of [...starts]) {
        if (start >= now - keep) continue;
        for (const [key, row] of rows) this.stored?.changed(bucketRowKey(unit, start, row.groups), { unit, start, key });
        starts.delete(start);
        this.durations.get(unit)!.touched = true;
      }
    }
  }

  /** From now on the buckets live in the store, one item per (duration, bucket, group). */
  beginStored(table: string): void {
    this.stored = new PartialRows(table);
  }

  /** Bucket rows loaded from the store (null: no such row). */
  provideRows(rows: ReadonlyMap<string, StoredRow | null>, complete: boolean): void {
    for (const stored of rows.values()) {
      if (!stored) continue;
      const starts = this.durations.get(stored.duration as TimeUnit)?.cell.value;
      if (!starts) continue; // a duration the app no longer has
      const start = stored.start as number;
      const row = decodeBucketRow(stored.row as EncodedRow);
      let m = starts.get(start);
      if (!m) starts.set(start, (m = new Map()));
      m.set(keyOf(row.groups), row);
    }
    this.stored!.loaded(rows.keys(), complete);
  }

  /** Set for an `@store` aggregation run by the invocation runner (see PartialRows). */
  get storedRows(): PartialRows<unknown> | null {
    return this.stored;
  }

  /** The bucket rows this run changed, as store writes: `duration`, `start`, the encoded `row`. */
  rowWrites(): RowWrite[] {
    const s = this.stored;
    if (!s) return [];
    const out: RowWrite[] = [];
    for (const [rk, { unit, start, key }] of s.dirty) {
      const row = this.durations.get(unit)?.cell.value.get(start)?.get(key);
      out.push({ table: s.table, key: rk, row: row ? { duration: unit, start, row: encodeBucketRow(row) as unknown as Json } : null });
    }
    return out;
  }

  /** Rows of the buckets of `unit` that start in [from, to): `[AGG_TIMESTAMP, ...outputs]`. */
  read(unit: TimeUnit, from: number, to: number): Value[][] {
    if (!this.durations.has(unit)) return [];
    this.stored?.touchAll();
    const starts = this.buckets(unit, false);
    const out: Value[][] = [];
    for (const start of [...starts.keys()].sort((a, b) => a - b)) {
      if (start < from || start >= to) continue;
      for (const row of starts.get(start)!.values()) out.push([start, ...this.plan.outputs.map((o, i) => finish(row, i, o.kind, o.groupIndex))]);
    }
    return out;
  }
}

function fold(row: Row, i: number, kind: AggregationPlan['outputs'][number]['kind'], integral: boolean, v: Value): void {
  const cur = row.vals[i];
  switch (kind) {
    case 'group':
      return;
    case 'last':
      row.vals[i] = v;
      return;
    case 'count':
      row.vals[i] = (cur as number) + 1;
      return;
    case 'sum':
      if (v !== null) row.vals[i] = cur === null ? v : integral ? longAdd(cur as Long, v as Long) : (cur as number) + longToDouble(v as Long);
      return;
    case 'avg': {
      if (v === null) return;
      const [s, n] = (cur as [number, number] | null) ?? [0, 0];
      row.vals[i] = [s + longToDouble(v as Long), n + 1];
      return;
    }
    case 'min':
      if (v !== null && (cur === null || (v as number) < (cur as number))) row.vals[i] = v;
      return;
    case 'max':
      if (v !== null && (cur === null || (v as number) > (cur as number))) row.vals[i] = v;
      return;
    case 'distinctCount': {
      // Null is one distinct value, as in Siddhi.
      row.distinct ??= new Map();
      let m = row.distinct.get(i);
      if (!m) row.distinct.set(i, (m = new Map()));
      m.set(v, (m.get(v) ?? 0) + 1);
      return;
    }
  }
}

function finish(row: Row, i: number, kind: AggregationPlan['outputs'][number]['kind'], groupIndex: number | undefined): Value {
  switch (kind) {
    case 'group':
      return row.groups[groupIndex!];
    case 'avg': {
      const a = row.vals[i] as [number, number] | null;
      return a ? a[0] / a[1] : null;
    }
    case 'distinctCount':
      return row.distinct?.get(i)?.size ?? 0;
    default:
      return row.vals[i];
  }
}
