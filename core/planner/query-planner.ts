import type { Expression, InputStream, Query, StateElement, StateInput, Variable } from '../ast/nodes';
import { forEachExpression } from '../ast/walk';
import type { Scope } from '../plan/expression-scope';
import type { QueryPlan } from '../plan/plan';
import { annotationValue } from './annotations';
import { fingerprint } from './fingerprint';
import { planHandlers, type PlannedInput } from './input-planner';
import { planJoinInput } from './join-planner';
import { planOutput, planRate } from './output-planner';
import { planPatternInput } from './pattern/plan-pattern-input';
import type { PlanContext } from './planning-context';
import { eventSource } from './scope';
import { planSelector } from './selector-planner';

/** One query: its input (a stream, a join or a pattern), selector, rate limiting and output. */

export function planQuery(ctx: PlanContext, q: Query, n: number, namePrefix = ''): QueryPlan | null {
  const info = q.annotations.find(a => a.name.toLowerCase() === 'info');
  let name = namePrefix + ((info && annotationValue(info, 'name')) ?? `query_${n}`);
  if (ctx.queryNames.has(name)) {
    ctx.error(info?.pos ?? q.pos, `two queries are named '${name}'`);
    name = `${name}_${n}`;
  }
  ctx.queryNames.add(name);

  const snapshot = q.outputRate?.kind === 'SnapshotRate';
  if (snapshot && q.output.eventType !== undefined && q.output.eventType !== 'ALL')
    ctx.error(q.output.pos, `output snapshot needs 'all events' (the default with snapshot); '${q.output.eventType.toLowerCase()} events' cannot be used with it`);
  const outputType = q.output.kind === 'ReturnOutput' || q.output.kind === 'InsertOutput' ? q.output.eventType : q.output.eventType;
  const effective = outputType ?? (snapshot ? 'ALL' : 'CURRENT');
  const currentOn = effective !== 'EXPIRED';
  const expiredOn = effective !== 'CURRENT';

  const input = planQueryInput(ctx, q.input, expiredOn);
  if (!input) {
    checkUnsupportedSelect(ctx, q);
    return null;
  }
  if (q.selector.star && input.starClash) {
    ctx.error(q.selector.pos, input.starClash);
    return null;
  }
  const selector = planSelector(ctx, q.selector, input.scope, input.starAttributes, {
    currentOn,
    expiredOn,
    collapse: !snapshot,
    orderByInput: input.join !== undefined || input.statePlan !== undefined,
  });
  if (!selector) return null;
  const rate = planRate(ctx, q, selector, input.windowed);
  const output = planOutput(ctx, q.output, selector);
  if (!output) return null;
  return { name, fingerprint: fingerprint(q), inputStream: input.stream, handlers: input.handlers, join: input.join, state: input.statePlan, selector, rate, output };
}

/** For inputs we cannot plan yet, still resolve what we can so that more errors are reported. */
function checkUnsupportedSelect(ctx: PlanContext, q: Query): void {
  if (q.input.kind !== 'StateInput') return;
  const refs = new Set<string>();
  collectRefs(q.input.element, refs);
  const check = (e: Expression): void => {
    walkExpression(e, v => {
      if (v.streamRef && !refs.has(v.streamRef) && !ctx.streams.has(v.streamRef))
        ctx.error(v.pos, `Id '${v.streamRef}' not defined within the current scope`, v.streamRef.length);
    });
  };
  for (const a of q.selector.attributes) check(a.expression);
  if (q.selector.having) check(q.selector.having);
}

/** A query's input planned: a stream with its handlers, a join, or a pattern. */
function planQueryInput(ctx: PlanContext, i: InputStream, expiredOn: boolean): PlannedInput | null {
  switch (i.kind) {
    case 'SingleInput': {
      const src = ctx.resolveSource(i);
      if (!src) return null;
      if (src.kind === 'table' || src.kind === 'aggregation') {
        ctx.error(i.stream.pos, `${src.kind} '${src.id}' cannot be read as a stream: join it${src.kind === 'table' ? ", use 'in'," : ''} or query it on demand`, src.id.length);
        return null;
      }
      const names = [src.id, ...(i.alias ? [i.alias] : [])];
      const planned = planHandlers(ctx, i, src.id, names, src.attributes, expiredOn, src.kind === 'window');
      const scope = ctx.scopeOf([eventSource(src.id, names, planned.attributes)]);
      return { stream: src.id, handlers: planned.handlers, scope, starAttributes: planned.attributes, windowed: src.kind === 'window' || planned.windowed };
    }
    case 'JoinInput':
      return planJoinInput(ctx, i);
    case 'StateInput':
      return planPatternQueryInput(ctx, i);
    case 'AnonymousInput':
      ctx.notSupported(i.pos, 'anonymous inner query');
      return null;
  }
}

/** A pattern or sequence input, planned by the pattern planner with the app's names and tables. */
function planPatternQueryInput(ctx: PlanContext, i: StateInput): PlannedInput | null {
  const planned = planPatternInput(i, {
    compiler: ctx.compiler,
    diagnostics: ctx.diagnostics,
    userFunctions: ctx.userFunctions,
    resolveStream: s => {
      const src = ctx.resolveSource({ kind: 'SingleInput', pos: s.pos, stream: s, handlers: [] });
      if (src && (src.kind === 'table' || src.kind === 'aggregation')) {
        ctx.error(s.pos, `${src.kind} '${src.id}' cannot be part of a pattern or sequence: expecting a stream, but '${src.id}' is not a stream`, src.id.length);
        return null;
      }
      return src;
    },
    error: (pos, message, length) => ctx.error(pos, message, length),
    notSupported: (pos, what, length) => ctx.notSupported(pos, what, length),
    // `x in T` inside a pattern: its condition may read the pattern's references.
    withTables: scope => {
      const withIn: Scope = { ...scope, resolveIn: e => ctx.planIn(e, withIn) };
      return withIn;
    },
  });
  if (!planned) {
    checkStateStreams(ctx, i.element);
    return null;
  }
  return { stream: '', handlers: [], statePlan: planned.plan, scope: planned.scope, starAttributes: planned.starAttributes, windowed: false, starClash: planned.starClash };
}

function checkStateStreams(ctx: PlanContext, e: StateElement): void {
  switch (e.kind) {
    case 'StreamState':
    case 'AbsentState':
      // Tables, named windows and aggregations are defined: the pattern planner says why they cannot be elements.
      if (!e.input.stream.isInner && ![ctx.streams, ctx.tables, ctx.windows, ctx.aggregations].some(m => m.has(e.input.stream.id)))
        ctx.error(e.input.stream.pos, `Stream/table/window/aggregation definition with ID '${e.input.stream.id}' has not been defined`, e.input.stream.id.length);
      return;
    case 'CountState':
      return checkStateStreams(ctx, e.element);
    case 'LogicalState':
      checkStateStreams(ctx, e.left);
      return checkStateStreams(ctx, e.right);
    case 'NextState':
      checkStateStreams(ctx, e.first);
      return checkStateStreams(ctx, e.next);
    case 'EveryState':
      return checkStateStreams(ctx, e.element);
  }
}

function collectRefs(e: StateElement, out: Set<string>): void {
  switch (e.kind) {
    case 'StreamState':
      if (e.ref) out.add(e.ref);
      out.add(e.input.stream.id);
      return;
    case 'AbsentState':
      out.add(e.input.stream.id);
      return;
    case 'CountState':
      return collectRefs(e.element, out);
    case 'LogicalState':
      collectRefs(e.left, out);
      return collectRefs(e.right, out);
    case 'NextState':
      collectRefs(e.first, out);
      return collectRefs(e.next, out);
    case 'EveryState':
      return collectRefs(e.element, out);
  }
}

function walkExpression(e: Expression, visit: (v: Variable) => void): void {
  forEachExpression(e, x => {
    if (x.kind === 'Variable') visit(x);
  });
}
