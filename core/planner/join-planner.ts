import type { JoinInput } from '../ast/nodes';
import type { Eval } from '../kernel/eval-context';
import type { AggregationReadPlan, HandlerPlan, JoinPlan, JoinSourcePlan, StoreConditionPlan } from '../plan/plan';
import { describeSchema, type AttributeSchema } from '../plan/schema';
import { planAggregationRead } from './aggregation-planner';
import { planHandlers, type PlannedInput } from './input-planner';
import type { PlanContext } from './planning-context';
import { eventSource, rowSource, slotSource, type Source } from './scope';
import { planStoreCondition } from './store-condition';

/** A join of two inputs (streams, named windows, a table or an aggregation on one side). */
export function planJoinInput(ctx: PlanContext, j: JoinInput): PlannedInput | null {
  const sides = [j.left, j.right].map(input => {
    const src = ctx.resolveSource(input);
    if (!src) return null;
    const names = [src.id, ...(input.alias ? [input.alias] : [])];
    if (src.kind === 'table' || src.kind === 'aggregation') {
      if (input.handlers.length) ctx.error(input.handlers[0].pos, `${src.kind} '${src.id}' in a join takes no filters or windows; put conditions in 'on'`);
      if (input.unidirectional) ctx.error(input.pos, `${src.kind} '${src.id}' never triggers a join, so it cannot be unidirectional`);
      return { src, names, input, handlers: [] as HandlerPlan[], attributes: src.attributes };
    }
    // A join side's window keeps its last batch (expired copies included) so the other side can find it.
    const p = planHandlers(ctx, input, src.id, names, src.attributes, true, src.kind === 'window');
    return { src, names, input, handlers: p.handlers, attributes: p.attributes as readonly AttributeSchema[] };
  });
  const [l, r] = sides;
  if (!l || !r) return null;
  const isStatic = (k: string) => k === 'table' || k === 'aggregation';
  if (isStatic(l.src.kind) && isStatic(r.src.kind)) {
    ctx.error(j.pos, `Both inputs of join ${l.src.id} and ${r.src.id} are from static sources`);
    return null;
  }
  const aggSide = l.src.kind === 'aggregation' ? l : r.src.kind === 'aggregation' ? r : undefined;
  if (j.left.unidirectional && j.right.unidirectional) {
    ctx.error(j.pos, 'only one side of a join can be unidirectional');
    return null;
  }
  if (!aggSide && (j.within || j.per)) ctx.error((j.within ?? j.per)!.pos, "'within' cannot be used as neither of them is an aggregation");
  let aggRead: AggregationReadPlan | undefined;
  if (aggSide) {
    const probeSide = aggSide === l ? r : l;
    const probe = ctx.scopeOf([slotSource(probeSide.src.id, probeSide.names, probeSide.attributes, aggSide === l ? 1 : 0)]);
    const read = planAggregationRead(ctx, j.within, j.per, probe, j.pos, aggSide.src.id);
    if (!read) return null;
    aggRead = read;
  }
  const nL = l.attributes.length;
  const nR = r.attributes.length;
  // Join sides in `on`: left reads slot 0, right slot 1; a table side reads the row tried.
  const onSource = (side: typeof l, slot: number): Source =>
    side.src.kind === 'table' ? rowSource(side.src.id, side.names, side.attributes) : slotSource(side.src.id, side.names, side.attributes, slot);
  const onScope = ctx.scopeOf([onSource(l, 0), onSource(r, 1)]);
  let on: Eval | undefined;
  let tableLookup: StoreConditionPlan | undefined;
  const tableSide = l.src.kind === 'table' ? l : r.src.kind === 'table' ? r : undefined;
  if (tableSide) {
    const probeSide = tableSide === l ? r : l;
    const t = ctx.tables.get(tableSide.src.id)!;
    const probe = ctx.scopeOf([slotSource(probeSide.src.id, probeSide.names, probeSide.attributes, tableSide === l ? 1 : 0)]);
    const cond = planStoreCondition(ctx.compiler, j.on, { ...ctx.storeTarget(t), source: rowSource(t.id, tableSide.names, t.attributes) }, probe);
    if (!cond) return null;
    tableLookup = cond;
  } else if (j.on) {
    const c = ctx.compiler.condition(j.on, onScope, 'join condition');
    if (c.type === null) return null;
    on = c.fn;
  }
  const leftTriggers = !isStatic(l.src.kind) && !j.right.unidirectional;
  const rightTriggers = !isStatic(r.src.kind) && !j.left.unidirectional;
  const join: JoinPlan = {
    left: joinSourcePlan(l.src, l.handlers, aggRead),
    right: joinSourcePlan(r.src, r.handlers, aggRead),
    leftWidth: nL,
    rightWidth: nR,
    leftTriggers,
    rightTriggers,
    leftOuter: j.joinType === 'LEFT_OUTER' || j.joinType === 'FULL_OUTER',
    rightOuter: j.joinType === 'RIGHT_OUTER' || j.joinType === 'FULL_OUTER',
    on,
    tableLookup,
  };
  const presence = (k: number): Eval => ctx => ctx.event.data[k];
  const scope = ctx.scopeOf([
    eventSource(l.src.id, l.names, l.attributes, 0, presence(nL + nR)),
    eventSource(r.src.id, r.names, r.attributes, nL, presence(nL + nR + 1)),
  ]);
  const star = [...l.attributes, ...r.attributes];
  const clash = star.map(a => a.name).filter((name, i, all) => all.indexOf(name) !== i);
  return {
    stream: '',
    handlers: [],
    join,
    scope,
    starAttributes: star,
    windowed: l.handlers.some(h => h.kind === 'window') || r.handlers.some(h => h.kind === 'window') || l.src.kind !== 'stream' || r.src.kind !== 'stream',
    starClash: clash.length ? `Duplicate attribute exist in streams [${describeSchema({ id: l.src.id, attributes: l.attributes })}, ${describeSchema({ id: r.src.id, attributes: r.attributes })}]: ${[...new Set(clash)].join(', ')}` : undefined,
  };
}

function joinSourcePlan(src: { kind: 'stream' | 'window' | 'table' | 'aggregation'; id: string }, handlers: HandlerPlan[], read?: AggregationReadPlan): JoinSourcePlan {
  if (src.kind === 'table') return { kind: 'table', table: src.id };
  if (src.kind === 'aggregation') return { kind: 'aggregation', aggregation: src.id, read: read! };
  if (src.kind === 'window') return { kind: 'window', window: src.id, handlers };
  return { kind: 'stream', stream: src.id, handlers };
}
