import type { Aggregator } from '../plan/operators';
import type { SelectorPlan } from '../plan/plan';
import type { Json } from '../state/json';
import type { StateCell, StateSpec } from '../state/state-spec';
import { str, tuple, uniqueBy } from '../state/shape';
import { EventKind, type StreamEvent, type Value } from '../kernel/event';
import type { EvalCtx } from '../kernel/eval-context';

type Groups = Map<string, Aggregator[]>;

function groupKeyOf(vals: readonly Value[]): string {
  if (vals.length === 1) {
    const v = vals[0];
    return typeof v === 'string' ? `s${v}` : String(v);
  }
  return vals.map(v => (typeof v === 'string' ? `s${v}` : String(v))).join('\u0001');
}

/** Aggregator state per group key. */
export function groupsSpec(plan: SelectorPlan): StateSpec<Groups> {
  const fresh = () => plan.aggregates.map(a => a.create());
  const aggregates = tuple(...fresh().map(a => a.shape));
  return {
    version: 1,
    shape: uniqueBy(tuple(str(), aggregates), (g: [string]) => g[0]),
    create: () => new Map(),
    snapshot: gs => [...gs].map(([k, aggs]) => [k, aggs.map(a => a.snapshot())]) as Json,
    restore: j =>
      new Map(
        (j as [string, Json[]][]).map(([k, snaps]) => {
          const aggs = fresh();
          aggs.forEach((a, i) => a.restore(snaps[i]));
          return [k, aggs];
        }),
      ),
  };
}

/** What the three shapes of selector share: the plan, the group state, projection and the chunk's finish. */
interface SelectorParts {
  readonly plan: SelectorPlan;
  readonly ctx: EvalCtx;
  readonly nAgg: number;
  readonly keyVals: Value[];
  /** The aggregate values the projections read (`ctx.agg`). */
  readonly agg: Value[];
  /** Whether a RESET drops the groups (no aggregate outlives resets). */
  readonly dropOnReset: boolean;
  resetAll(): void;
  aggregatorsFor(key: string): Aggregator[];
  project(e: StreamEvent): StreamEvent;
  /** Collapses (when asked), orders, offsets and limits the rows, then sends them on. */
  finish(rows: StreamEvent[], keys: string[] | null, collapse: boolean): void;
}

/**
 * Projects events to output rows: updates aggregates (CURRENT adds, EXPIRED removes, RESET
 * clears), applies `having`, collapses a multi-event chunk to its last row (per group) when the
 * query aggregates, then `order by`, `offset` and `limit`.
 */
export function makeSelector(plan: SelectorPlan, ctx: EvalCtx, groups: StateCell<Groups> | null, next: (chunk: StreamEvent[], keys: string[] | null) => void) {
  const parts = selectorParts(plan, ctx, groups, next);
  if (plan.collapseChunks && !plan.having && !plan.groupBy.length) return collapsingUngrouped(parts);
  // (Rows computed at the end see each group's aggregates as they are then; a RESET in the
  // chunk drops the groups, so rows recorded before it keep their pre-reset aggregators.
  // Aggregates that survive resets are reset in place instead, hence the generic path.)
  if (plan.collapseChunks && !plan.having && parts.dropOnReset) return collapsingGrouped(parts);
  return perEvent(parts);
}

/** Whether rows depend on how events are chunked: aggregates (collapsing, resets), order by, offset, limit. */
export function chunkSensitive(plan: SelectorPlan): boolean {
  return plan.aggregates.length > 0 || plan.orderBy.length > 0 || plan.limit !== undefined || plan.offset !== undefined;
}

/**
 * The selector over a list of chunks (what a join hands on: one per triggering event, one per
 * RESET), as Siddhi's QuerySelector takes its join's list: each chunk is selected on its own, so
 * collapsing, `order by`, `offset` and `limit` act per triggering event, and the rows of the whole
 * list go on as one chunk.
 */
export function makeChunkListSelector(plan: SelectorPlan, ctx: EvalCtx, groups: StateCell<Groups> | null, next: (chunk: StreamEvent[], keys: string[] | null) => void) {
  let rows: StreamEvent[] = [];
  let keys: string[] | null = null;
  const one = makeSelector(plan, ctx, groups, (out, k) => {
    if (!rows.length) {
      rows = out;
      keys = k;
      return;
    }
    for (const r of out) rows.push(r);
    if (k) for (const x of k) keys!.push(x);
  });
  return (chunks: readonly StreamEvent[][]) => {
    rows = [];
    keys = null;
    for (let i = 0; i < chunks.length; i++) one(chunks[i]);
    if (!rows.length) return;
    const out = rows;
    const outKeys = keys;
    rows = [];
    keys = null;
    next(out, outKeys);
  };
}

function selectorParts(plan: SelectorPlan, ctx: EvalCtx, groups: StateCell<Groups> | null, next: (chunk: StreamEvent[], keys: string[] | null) => void): SelectorParts {
  const { projections, aggregates, orderBy, limit, offset } = plan;
  const width = plan.outputSchema.length;
  const hidden = projections.length > width;
  const agg: Value[] = new Array(aggregates.length);
  ctx.agg = agg;
  // After a RESET every group is back at its initial values, so unless an aggregate outlives
  // resets the groups can go: state stays as small as the current batch's keys.
  const dropOnReset = aggregates.every(a => !a.survivesReset);
  const compareRows = (a: StreamEvent, b: StreamEvent): number => {
    for (const { index, desc } of orderBy) {
      const x = a.data[index];
      const y = b.data[index];
      if (x === y) continue;
      const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : x > y ? 1 : 0;
      if (c) return desc ? -c : c;
    }
    return 0;
  };
  return {
    plan,
    ctx,
    nAgg: aggregates.length,
    keyVals: new Array(plan.groupBy.length),
    agg,
    dropOnReset,
    resetAll: () => {
      if (dropOnReset) groups!.value.clear();
      else for (const aggs of groups!.value.values()) for (const a of aggs) a.reset();
    },
    aggregatorsFor: key => {
      const gs = groups!.value;
      let a = gs.get(key);
      if (!a) {
        a = aggregates.map(x => x.create());
        gs.set(key, a);
      }
      return a;
    },
    project: e => {
      ctx.event = e;
      const data: Value[] = new Array(projections.length);
      for (let p = 0; p < projections.length; p++) data[p] = projections[p](ctx);
      return { timestamp: e.timestamp, data, type: e.type };
    },
    // Collapses to the last row per group key, in order of each group's first row, then applies
    // order by, offset and limit. `keys` (one per row, with group by) travel along for the rate limiter.
    finish: (rows, keys, collapse) => {
      let out = rows;
      let outKeys = keys;
      if (collapse && rows.length > 1) {
        if (keys) {
          const last = new Map<string, number>();
          keys.forEach((k, i) => last.set(k, i));
          const idx = [...last.values()];
          out = idx.map(i => rows[i]);
          outKeys = idx.map(i => keys[i]);
        } else out = [rows[rows.length - 1]];
      }
      if (orderBy.length && out.length > 1) {
        const src = out;
        const srcKeys = outKeys;
        const idx = src.map((_, i) => i).sort((i, j) => compareRows(src[i], src[j]) || i - j);
        out = idx.map(i => src[i]);
        outKeys = srcKeys && idx.map(i => srcKeys[i]);
      }
      if (offset !== undefined || limit !== undefined) {
        const from = offset ?? 0;
        const to = limit === undefined ? undefined : from + limit;
        out = out.slice(from, to);
        outKeys = outKeys && outKeys.slice(from, to);
      }
      if (hidden) out = out.map(r => ({ timestamp: r.timestamp, data: r.data.slice(0, width), type: r.type }));
      if (out.length) next(out, outKeys);
    },
  };
}

/**
 * A collapsing query without group by or `having` outputs the row of the last output event.
 * That row is computed lazily, at the end of the chunk, unless a later event that is not itself
 * output (an expiry under `insert current events`, a RESET) is about to change the aggregates:
 * then the row is computed just before, as it stood at its event.
 */
function collapsingUngrouped(parts: SelectorParts) {
  const { ctx, nAgg, agg, project, finish, resetAll, aggregatorsFor } = parts;
  const { aggregates, currentOn, expiredOn } = parts.plan;
  return (chunk: StreamEvent[]) => {
    let last: StreamEvent | null = null;
    let lastRow: StreamEvent | null = null;
    let aggs = aggregatorsFor('');
    const materialize = () => {
      if (last === null) return;
      for (let k = 0; k < nAgg; k++) agg[k] = aggs[k].value();
      lastRow = project(last);
      last = null;
    };
    for (let i = 0; i < chunk.length; i++) {
      const e = chunk[i];
      const type = e.type;
      if (type === EventKind.TIMER) continue;
      if (type === EventKind.RESET) {
        materialize();
        resetAll();
        aggs = aggregatorsFor('');
        continue;
      }
      const isOutput = type === EventKind.CURRENT ? currentOn : expiredOn;
      if (!isOutput) materialize();
      ctx.event = e;
      for (let k = 0; k < nAgg; k++) {
        const arg = aggregates[k].arg;
        const v = arg === null ? null : arg(ctx);
        if (type === EventKind.CURRENT) aggs[k].add(v);
        else aggs[k].remove(v);
      }
      if (isOutput) {
        last = e;
        lastRow = null;
      }
    }
    materialize();
    if (lastRow !== null) finish([lastRow], null, false);
  };
}

/**
 * A collapsing query with group by (and no `having`): per group, the row of the group's last
 * event; the group's aggregates do not change after that event within the chunk, so the row is
 * computed once at the end, or just before an event that is not output changes them.
 */
function collapsingGrouped(parts: SelectorParts) {
  const { ctx, nAgg, agg, keyVals, project, finish, resetAll, aggregatorsFor } = parts;
  const { aggregates, groupBy, currentOn, expiredOn } = parts.plan;
  type Pending = { e: StreamEvent; aggs: Aggregator[]; row: StreamEvent | null };
  const lastOf = new Map<string, Pending>();
  const materialize = (p: Pending) => {
    for (let k = 0; k < nAgg; k++) agg[k] = p.aggs[k].value();
    p.row = project(p.e);
  };
  return (chunk: StreamEvent[]) => {
    for (let i = 0; i < chunk.length; i++) {
      const e = chunk[i];
      const type = e.type;
      if (type === EventKind.TIMER) continue;
      if (type === EventKind.RESET) {
        // Dropped groups keep their aggregators as they were: pending rows stay right.
        resetAll();
        continue;
      }
      ctx.event = e;
      let key = '';
      if (groupBy.length) {
        for (let g = 0; g < groupBy.length; g++) keyVals[g] = groupBy[g](ctx);
        key = groupKeyOf(keyVals);
      }
      const isOutput = type === EventKind.CURRENT ? currentOn : expiredOn;
      if (!isOutput) {
        const p = lastOf.get(key);
        if (p && p.row === null) {
          materialize(p);
          ctx.event = e;
        }
      }
      const aggs = aggregatorsFor(key);
      for (let k = 0; k < nAgg; k++) {
        const arg = aggregates[k].arg;
        const v = arg === null ? null : arg(ctx);
        if (type === EventKind.CURRENT) aggs[k].add(v);
        else aggs[k].remove(v);
      }
      if (isOutput) lastOf.set(key, { e, aggs, row: null });
    }
    if (!lastOf.size) return;
    const rows: StreamEvent[] = [];
    for (const p of lastOf.values()) {
      if (p.row === null) materialize(p);
      rows.push(p.row!);
    }
    const keys = groupBy.length ? [...lastOf.keys()] : null;
    lastOf.clear();
    finish(rows, keys, false);
  };
}

/** Every event's row, as it stands at that event (with `having`, or without collapsing). */
function perEvent(parts: SelectorParts) {
  const { ctx, nAgg, agg, keyVals, project, finish, resetAll, aggregatorsFor } = parts;
  const { aggregates, groupBy, having, currentOn, expiredOn, collapseChunks } = parts.plan;
  return (chunk: StreamEvent[]) => {
    const rows: StreamEvent[] = [];
    const keys: string[] | null = groupBy.length ? [] : null;
    for (let i = 0; i < chunk.length; i++) {
      const e = chunk[i];
      const type = e.type;
      if (type === EventKind.TIMER) continue;
      if (type === EventKind.RESET) {
        if (nAgg) resetAll();
        continue;
      }
      ctx.event = e;
      let key = '';
      if (nAgg) {
        if (groupBy.length) {
          for (let g = 0; g < groupBy.length; g++) keyVals[g] = groupBy[g](ctx);
          key = groupKeyOf(keyVals);
        }
        const aggs = aggregatorsFor(key);
        for (let k = 0; k < nAgg; k++) {
          const a = aggs[k];
          const arg = aggregates[k].arg;
          const v = arg === null ? null : arg(ctx);
          if (type === EventKind.CURRENT) a.add(v);
          else a.remove(v);
          agg[k] = a.value();
        }
      } else if (keys) {
        for (let g = 0; g < groupBy.length; g++) keyVals[g] = groupBy[g](ctx);
        key = groupKeyOf(keyVals);
      }
      if (type === EventKind.CURRENT ? !currentOn : !expiredOn) continue;
      const row = project(e);
      if (having) {
        ctx.out = row.data;
        if (having(ctx) !== true) continue;
      }
      rows.push(row);
      if (keys) keys.push(key);
    }
    if (rows.length) finish(rows, keys, collapseChunks);
  };
}
