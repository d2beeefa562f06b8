import { EventKind, type StreamEvent, type Value } from '../kernel/event';
import type { EvalCtx } from '../kernel/eval-context';
import type { JoinPlan } from '../plan/plan';
import { readAggregation } from './aggregation-units';
import { pipeline } from './handler-stages';
import type { Receiver } from './junction';
import type { Host } from './host';
import type { RuntimeContext } from './runtime-context';

/**
 * A join (Siddhi's JoinProcessor on each side): each triggering side's events, after its own
 * filters and window, are matched against what the other side holds (its window, a named window,
 * a table by look-up or scan, an aggregation's read); a joined row is
 * `[...left, ...right, leftPresent, rightPresent]`, so select, group by, having and rate limiting
 * work on joins unchanged.
 */
export function buildJoin(rt: RuntimeContext, j: JoinPlan, prefix: string, ctx: EvalCtx, next: Receiver, expiredOn: boolean, host: Host): void {
  const contents: (() => readonly StreamEvent[])[] = [() => [], () => []];
  const sides = [j.left, j.right];
  const joined = joinedRow(j.leftWidth, j.rightWidth);
  const stage = (side: 0 | 1): Receiver => {
    const other = (1 - side) as 0 | 1;
    const otherPlan = sides[other];
    const outer = side === 0 ? j.leftOuter : j.rightOuter;
    const table = otherPlan.kind === 'table' ? rt.table(otherPlan.table) : undefined;
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
            ? readAggregation(rt, aggRead.aggregation, aggRead.read, ctx).map(data => ({ timestamp: e.timestamp, data, type: EventKind.CURRENT }))
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
