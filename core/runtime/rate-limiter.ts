import type { RatePlan } from '../plan/plan';
import type { Json } from '../state/json';
import type { StateCell, StateSpec } from '../state/state-spec';
import { EventKind, type StreamEvent } from '../kernel/event';
import { decodeRow, encodeRow } from '../state/value-codec';
import { array, literal, nullable, num, row, str, tuple, uniqueBy } from '../state/shape';

type Emit = (chunk: StreamEvent[]) => void;

/** What a rate limiter needs from the runtime. */
export interface RateLimiterContext {
  state<S>(name: string, spec: StateSpec<S>): StateCell<S>;
  schedule(due: number): void;
}

export interface RateLimiter {
  process(chunk: StreamEvent[], keys: string[] | null): void;
  onTimer(now: number): void;
}

/** Rows held by a limiter: `[timestamp, type, row, key]`, each stored once. */
type Held = { timestamp: number; type: number; data: StreamEvent['data']; key: string };

const heldSpec: StateSpec<Held[]> = {
  version: 1,
  shape: array(tuple(num(), literal(0, 1, 2, 3), row(), str())),
  create: () => [],
  snapshot: hs => hs.map(h => [h.timestamp, h.type, encodeRow(h.data), h.key]) as Json,
  restore: j => (j as [number, number, Json[], string][]).map(([timestamp, type, d, key]) => ({ timestamp, type, data: decodeRow(d), key })),
};

function numberSpec(initial: number | null): StateSpec<{ n: number | null }> {
  return { version: 1, shape: initial === null ? nullable(num()) : num(), create: () => ({ n: initial }), snapshot: c => c.n, restore: j => ({ n: j as number | null }) };
}

const mapSpec: StateSpec<Map<string, number>> = {
  version: 1,
  shape: uniqueBy(tuple(str(), num()), (p: [string, number]) => p[0]),
  create: () => new Map(),
  snapshot: m => [...m] as Json,
  restore: j => new Map(j as [string, number][]),
};

const toEvent = (h: Held): StreamEvent => ({ timestamp: h.timestamp, data: h.data, type: EventKind.CURRENT });
const keyAt = (keys: string[] | null, i: number) => (keys ? keys[i] : '');

/** Keeps, in place, the last held row of each key, in order of each key's first row. */
function lastPerKey(rows: Held[]): Held[] {
  const m = new Map<string, Held>();
  for (const r of rows) m.set(r.key, r);
  return [...m.values()];
}

/**
 * `output [all|first|last] every N events`, `output [all|first|last] every T` and
 * `output snapshot every T`, per group where the query groups.
 *
 * Time periods are aligned to the first row the limiter saw (`origin`), so that a quiet app
 * needs no timer: `first` compares period numbers, `all` and `last` ask for a timer only while
 * they hold rows, `snapshot` while it has something to show.
 */
export function makeRateLimiter(plan: RatePlan, ctx: RateLimiterContext, emit: Emit): RateLimiter {
  switch (plan.kind) {
    case 'events':
      return everyEvents(plan, ctx, emit);
    case 'time':
      return everyPeriod(plan, ctx, emit);
    case 'snapshot':
      return snapshotEvery(plan, ctx, emit);
  }
}

/** `output [all|first|last] every N events`. */
function everyEvents(plan: Extract<RatePlan, { kind: 'events' }>, ctx: RateLimiterContext, emit: Emit): RateLimiter {
  const counter = ctx.state('count', numberSpec(0));
  const held = ctx.state('held', heldSpec);
  if (plan.type === 'FIRST' && plan.grouped) {
    // Each group counts its own N rows: the first of every N of a group passes.
    const counts = ctx.state('groups', mapSpec);
    return {
      onTimer() {},
      process(chunk, keys) {
        const out: StreamEvent[] = [];
        chunk.forEach((e, i) => {
          const k = keyAt(keys, i);
          const c = counts.value.get(k) ?? 0;
          if (c === 0) out.push(e);
          if (c + 1 >= plan.count) counts.value.delete(k);
          else counts.value.set(k, c + 1);
        });
        if (out.length) emit(out);
      },
    };
  }
  return {
    onTimer() {},
    process(chunk, keys) {
      const out: StreamEvent[] = [];
      chunk.forEach((e, i) => {
        const n = counter.value.n! + 1;
        const row = { timestamp: e.timestamp, type: e.type, data: e.data, key: keyAt(keys, i) };
        if (plan.type === 'FIRST') {
          if (n === 1) out.push(e);
        } else if (plan.type === 'ALL' || plan.grouped) held.value.push(row);
        else held.value = [row];
        if (n === plan.count) {
          counter.value.n = 0;
          if (plan.type !== 'FIRST') {
            const rows = plan.type === 'LAST' ? lastPerKey(held.value) : held.value;
            held.value = [];
            for (const r of rows) out.push(toEvent(r));
          }
        } else counter.value.n = n;
      });
      if (out.length) emit(out);
    },
  };
}

/** `output [all|first|last] every T`: periods aligned to the first row seen. */
function everyPeriod(plan: Extract<RatePlan, { kind: 'time' }>, ctx: RateLimiterContext, emit: Emit): RateLimiter {
  const origin = ctx.state('origin', numberSpec(null));
  const period = (t: number) => Math.floor((t - origin.value.n!) / plan.millis);
  if (plan.type === 'FIRST') {
    // The period number in which each group last passed a row.
    const passed = ctx.state('passed', mapSpec);
    return {
      onTimer() {},
      process(chunk, keys) {
        const out: StreamEvent[] = [];
        chunk.forEach((e, i) => {
          if (origin.value.n === null) origin.value.n = e.timestamp;
          const p = period(Math.max(e.timestamp, origin.value.n));
          const k = keyAt(keys, i);
          if (passed.value.get(k) !== p) {
            passed.value.set(k, p);
            out.push(e);
          }
        });
        if (out.length) emit(out);
      },
    };
  }
  const held = ctx.state('held', heldSpec);
  return {
    process(chunk, keys) {
      chunk.forEach((e, i) => {
        if (origin.value.n === null) origin.value.n = e.timestamp;
        if (!held.value.length) ctx.schedule(origin.value.n + (period(Math.max(e.timestamp, origin.value.n)) + 1) * plan.millis);
        held.value.push({ timestamp: e.timestamp, type: e.type, data: e.data, key: keyAt(keys, i) });
      });
    },
    onTimer() {
      const rows = plan.type === 'LAST' ? (plan.grouped ? lastPerKey(held.value) : held.value.slice(-1)) : held.value;
      held.value = [];
      if (rows.length) emit(rows.map(toEvent));
    },
  };
}

/** `output snapshot every T`: the window's content, or the latest row per group, every period. */
function snapshotEvery(plan: Extract<RatePlan, { kind: 'snapshot' }>, ctx: RateLimiterContext, emit: Emit): RateLimiter {
  const origin = ctx.state('origin', numberSpec(null));
  const shown = ctx.state('shown', heldSpec);
  const scheduled = ctx.state('next', numberSpec(null));
  const ensureTimer = (now: number) => {
    if (scheduled.value.n !== null || !shown.value.length) return;
    const due = origin.value.n! + (Math.floor((now - origin.value.n!) / plan.millis) + 1) * plan.millis;
    scheduled.value.n = due;
    ctx.schedule(due);
  };
  return {
    process(chunk, keys) {
      chunk.forEach((e, i) => {
        if (origin.value.n === null) origin.value.n = e.timestamp;
        const key = keyAt(keys, i);
        const row = { timestamp: e.timestamp, type: e.type, data: e.data, key };
        if (plan.windowed && !plan.aggregated) {
          // The window's current content: arrivals join it, expiries leave it.
          if (e.type === EventKind.CURRENT) shown.value.push(row);
          else {
            const at = shown.value.findIndex(h => h.data.length === e.data.length && h.data.every((v, j) => v === e.data[j]));
            if (at >= 0) shown.value.splice(at, 1);
          }
        } else if (e.type === EventKind.CURRENT || plan.aggregated) {
          // The latest row (per group): what the query would say now.
          const at = shown.value.findIndex(h => h.key === key);
          if (at >= 0) shown.value[at] = row;
          else shown.value.push(row);
        }
        ensureTimer(Math.max(e.timestamp, origin.value.n));
      });
    },
    onTimer(now) {
      scheduled.value.n = null;
      if (shown.value.length) emit(shown.value.map(toEvent));
      ensureTimer(now);
    },
  };
}
