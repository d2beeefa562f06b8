import { EventKind, type StreamEvent, type Value } from '../kernel/event';
import type { EvalCtx } from '../kernel/eval-context';
import type { JoinPlan, SelectorPlan } from '../plan/plan';
import { readAggregation } from './aggregation-units';
import { chunkSensitive } from './selector';
import { pipeline } from './handler-stages';
import type { Receiver } from './junction';
import type { Host } from './host';
import type { RuntimeContext } from './runtime-context';

/** Takes a list of chunks at once (a join's: one per triggering event or RESET). */
export type ChunkListReceiver = (chunks: StreamEvent[][]) => void;

/** Where a join's rows go: a chunk list where the selector is chunk-sensitive, else one chunk. */
export interface JoinReceiver {
  readonly list?: ChunkListReceiver;
  readonly flat?: Receiver;
}

/**
 * A join (Siddhi's JoinProcessor on each side): each triggering side's events, after its own
 * filters and window, are matched against what the other side holds (its window, a named window,
 * a table by look-up or scan, an aggregation's read); a joined row is
 * `[...left, ...right, leftPresent, rightPresent]`, so select, group by, having and rate limiting
 * work on joins unchanged.
 *
 * As in Siddhi, the selector gets the matches of each triggering event as a chunk of their own
 * (so an aggregating query answers once per triggering event, or once per group), and the
 * triggering side's RESETs as chunks of their own (which clear the aggregates). A stream side
 * without a window has Siddhi's empty window: each event is followed by its EXPIRED copy (when the
 * query outputs expired events) and a RESET, so aggregates cover one arriving event's matches.
 * A triggering side's EXPIRED events are matched too, when the query outputs them or aggregates
 * (they take their matches out of the aggregates, as Siddhi's do).
 */
export function buildJoin(rt: RuntimeContext, j: JoinPlan, prefix: string, ctx: EvalCtx, next: JoinReceiver, sel: SelectorPlan, host: Host): void {
  const contents: (() => readonly StreamEvent[])[] = [() => [], () => []];
  const sides = [j.left, j.right];
  const joined = joinedRow(j.leftWidth, j.rightWidth);
  const expiredJoined = sel.expiredOn || sel.aggregates.length > 0;
  // Rows that neither aggregate nor get ordered or limited come out the same from one chunk as
  // from one per triggering event, and without aggregates a RESET changes nothing: that common
  // join skips the sub-chunks and the empty window's RESETs.
  const perEvent = chunkSensitive(sel);
  const stage = (side: 0 | 1): Receiver => {
    const other = (1 - side) as 0 | 1;
    const otherPlan = sides[other];
    const outer = side === 0 ? j.leftOuter : j.rightOuter;
    const table = otherPlan.kind === 'table' ? rt.table(otherPlan.table) : undefined;
    const aggRead = otherPlan.kind === 'aggregation' ? otherPlan : undefined;
    const on = j.on;
    return chunk => {
      const chunks: StreamEvent[][] | null = perEvent ? [] : null;
      let out: StreamEvent[] = [];
      for (const e of chunk) {
        if (e.type === EventKind.RESET) {
          chunks?.push([e]);
          continue;
        }
        if (e.type === EventKind.TIMER || (e.type === EventKind.EXPIRED && !expiredJoined)) continue;
        if (chunks) out = [];
        const before = out.length;
        ctx.events[side] = e;
        if (table) {
          for (const row of table.find(ctx, j.tableLookup!)) out.push(side === 0 ? joined(e.data, row, e) : joined(row, e.data, e));
        } else {
          const candidates = aggRead
            ? readAggregation(rt, aggRead.aggregation, aggRead.read, ctx).map(data => ({ timestamp: e.timestamp, data, type: EventKind.CURRENT }))
            : contents[other]();
          for (const c of candidates) {
            ctx.events[other] = c;
            if (on && on(ctx) !== true) continue;
            out.push(side === 0 ? joined(e.data, c.data, e) : joined(c.data, e.data, e));
          }
        }
        if (out.length === before && outer) out.push(side === 0 ? joined(e.data, null, e) : joined(null, e.data, e));
        if (chunks && out.length) chunks.push(out);
      }
      if (chunks) {
        if (chunks.length) next.list!(chunks);
      } else if (out.length) next.flat!(out);
    };
  };
  const triggers = [j.leftTriggers, j.rightTriggers];
  sides.forEach((src, k) => {
    const side = k as 0 | 1;
    if (src.kind === 'table' || src.kind === 'aggregation') return;
    let sink: Receiver = triggers[side] ? stage(side) : () => {};
    if (triggers[side] && (sel.expiredOn || sel.aggregates.length > 0) && src.kind === 'stream' && !src.handlers.some(h => h.kind === 'window'))
      sink = emptyWindow(rt, sel.expiredOn, sink);
    const p = pipeline(rt, src.handlers, `${prefix}/${side === 0 ? 'left' : 'right'}`, ctx, sink, {
      registry: host.registry,
      onWindow: op => (contents[side] = () => op.contents()),
    });
    if (src.kind === 'window') {
      const w = rt.windows.get(src.window)!;
      contents[side] = () => w.contents();
      rt.junction(src.window).receivers.push(p);
    } else host.input(src.stream).receivers.push(p);
  });
}

/**
 * Siddhi's EmptyWindowProcessor, the window of a join side that has none: it holds nothing, and
 * after each event sends its EXPIRED copy (when the query outputs expired events) and a RESET, at
 * the clock's time.
 */
function emptyWindow(rt: RuntimeContext, expiredOn: boolean, next: Receiver): Receiver {
  return chunk => {
    const out: StreamEvent[] = [];
    for (const e of chunk) {
      out.push(e);
      if (e.type !== EventKind.CURRENT) continue;
      const now = rt.clock.now;
      if (expiredOn) out.push({ timestamp: now, data: e.data, type: EventKind.EXPIRED });
      out.push({ timestamp: now, data: e.data, type: EventKind.RESET });
    }
    next(out);
  };
}

/** Builds joined rows `[...left, ...right, leftPresent, rightPresent]` (a missing side is nulls). */
function joinedRow(nL: number, nR: number): (l: readonly Value[] | null, r: readonly Value[] | null, e: StreamEvent) => StreamEvent {
  const width = nL + nR + 2;
  return (l, r, e) => {
    const data = new Array<Value>(width);
    for (let i = 0; i < nL; i++) data[i] = l ? l[i] : null;
    for (let i = 0; i < nR; i++) data[nL + i] = r ? r[i] : null;
    data[nL + nR] = l !== null;
    data[nL + nR + 1] = r !== null;
    return { timestamp: e.timestamp, data, type: e.type };
  };
}
