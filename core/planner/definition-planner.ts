import type { Annotation, Definition, FunctionDefinition, StreamDefinition, TableDefinition, TriggerDefinition, WindowDefinition, AttrType } from '../ast/nodes';
import { CronError } from '../errors/millrace-error';
import { parseCron } from '../kernel/cron';
import type { Value } from '../kernel/event';
import type { SinkPlan, TablePlan } from '../plan/plan';
import type { MappedStream } from '../io/mappers/mapper';
import { sinkMapper, sourceMapper } from '../io/mappers/registry';
import { planMap } from './map-planner';
import type { AttributeSchema } from '../plan/schema';
import { planAggregationDefinition } from './aggregation-planner';
import { annotationValue, planStoreOptions, transportPlan } from './annotations';
import { fingerprint } from './fingerprint';
import { planWindow } from './input-planner';
import type { PlanContext } from './planning-context';

/** Definitions: streams (with fault streams), tables, named windows, functions and triggers; aggregations in aggregation-planner. */

export function planDefinition(ctx: PlanContext, d: Definition): void {
  const prev = ctx.definitionIds.get(d.id);
  if (prev) {
    const what = d.kind === 'StreamDefinition' ? 'Stream' : d.kind.replace('Definition', '');
    ctx.error(d.pos, `${what} Definition with same Stream Id '${d.id}' already exist (first defined at line ${prev.pos.line})`);
    return;
  }
  ctx.definitionIds.set(d.id, d);
  switch (d.kind) {
    case 'StreamDefinition':
      return planStreamDefinition(ctx, d);
    case 'FunctionDefinition':
      return planFunctionDefinition(ctx, d);
    case 'TableDefinition':
      return planTableDefinition(ctx, d);
    case 'WindowDefinition':
      return planWindowDefinition(ctx, d);
    case 'TriggerDefinition':
      return planTriggerDefinition(ctx, d);
    case 'AggregationDefinition':
      return planAggregationDefinition(ctx, d);
  }
}

function checkAttributes(ctx: PlanContext, d: { attributes: StreamDefinition['attributes']; id: string }): AttributeSchema[] {
  const seen = new Set<string>();
  const out: AttributeSchema[] = [];
  for (const a of d.attributes) {
    if (seen.has(a.name)) ctx.error(a.pos, `attribute '${a.name}' is defined twice in '${d.id}'`, a.name.length);
    seen.add(a.name);
    out.push({ name: a.name, type: a.type });
  }
  return out;
}

function planStreamDefinition(ctx: PlanContext, d: StreamDefinition): void {
  const attributes = checkAttributes(ctx, d);
  let onError: 'LOG' | 'STREAM' = 'LOG';
  for (const a of d.annotations) {
    const key = a.name.toLowerCase();
    if (key === 'onerror') {
      const action = (annotationValue(a, 'action') ?? '').toUpperCase();
      if (action === 'STREAM') onError = 'STREAM';
      else if (action === 'STORE') ctx.notSupported(a.pos, "@OnError(action='STORE')");
      else if (action !== 'LOG') ctx.error(a.pos, `@OnError action must be 'LOG' or 'STREAM', found '${annotationValue(a, 'action') ?? ''}'`);
    } else if (key === 'sink' || key === 'source') {
      const plan = transportPlan(a);
      if (!plan.type) ctx.error(a.pos, `@${a.name} needs a type, e.g. @${a.name}(type='log')`);
      const into = key === 'sink' ? ctx.sinks : ctx.sources;
      into.set(d.id, [...(into.get(d.id) ?? []), withMapper(ctx, plan, a, { id: d.id, attributes }, key === 'source')]);
    }
  }
  ctx.streams.set(d.id, { id: d.id, attributes, origin: 'defined', pos: d.pos, onError });
  if (onError === 'STREAM') {
    ctx.streams.set(`!${d.id}`, {
      id: `!${d.id}`,
      attributes: [...attributes, { name: '_error', type: 'OBJECT' }],
      origin: 'fault',
      pos: d.pos,
      onError: 'LOG',
    });
  }
}

/** The transport with its checked `@map` and the mapper built from it. */
function withMapper(ctx: PlanContext, plan: SinkPlan, a: Annotation, stream: MappedStream, source: boolean): SinkPlan {
  const m = planMap(ctx, a, stream);
  if (!m) return plan;
  const built = source ? { decoder: sourceMapper(m.spec, stream) } : { encoder: sinkMapper(m.spec, stream) };
  return { ...plan, mapSpec: m.spec, ...built, ...(m.timestampAttribute === undefined ? {} : { timestampAttribute: m.timestampAttribute }) };
}

/** A trigger is a stream `T (triggered_time long)` that the clock writes. */
function planTriggerDefinition(ctx: PlanContext, d: TriggerDefinition): void {
  const at = d.at;
  if (at.kind === 'every' && at.millis <= 0) {
    ctx.error(d.pos, `trigger '${d.id}' needs a positive period`);
    return;
  }
  if (at.kind === 'cron')
    try {
      parseCron(at.expression);
    } catch (e) {
      if (!(e instanceof CronError)) throw e;
      ctx.error(d.pos, `trigger '${d.id}': ${e.message}`);
      return;
    }
  ctx.streams.set(d.id, { id: d.id, attributes: [{ name: 'triggered_time', type: 'LONG' }], origin: 'trigger', pos: d.pos, onError: 'LOG' });
  ctx.triggers.push({ id: d.id, at, fingerprint: fingerprint(d) });
}

function planTableDefinition(ctx: PlanContext, d: TableDefinition): void {
  const attributes = checkAttributes(ctx, d);
  const columns = (a: Annotation) =>
    a.elements.flatMap(e => {
      const i = attributes.findIndex(x => x.name === e.value);
      if (i < 0) ctx.error(e.pos, `@${a.name} names '${e.value}', which is not an attribute of table '${d.id}'`, e.value.length + 2);
      return i < 0 ? [] : [i];
    });
  let primaryKey: number[] = [];
  const indexes: number[] = [];
  let store: TablePlan['store'];
  for (const a of d.annotations) {
    const key = a.name.toLowerCase();
    if (key === 'primarykey') {
      if (primaryKey.length) ctx.error(a.pos, `table '${d.id}' has more than one @PrimaryKey`);
      primaryKey = columns(a);
    } else if (key === 'index') indexes.push(...columns(a));
    else if (key === 'indexby') ctx.error(a.pos, '@IndexBy is no longer supported; use @Index');
    else if (key === 'store') store = planStoreOptions(ctx, d.id, 'table', a) ?? store;
  }
  if (store && !primaryKey.length && !d.annotations.some(a => a.name.toLowerCase() === 'primarykey'))
    ctx.error(d.pos, `table '${d.id}' has @store(type='${store.type}') and needs a @PrimaryKey: each row is one item in the store, keyed by it`);
  const plan: TablePlan = { id: d.id, attributes, primaryKey, indexes: [...new Set(indexes)], fingerprint: fingerprint(d), ...(store ? { store } : {}) };
  ctx.tables.set(d.id, { ...plan, index: ctx.tables.size, plan });
}

function planWindowDefinition(ctx: PlanContext, d: WindowDefinition): void {
  const attributes = checkAttributes(ctx, d);
  const type = d.outputEventType ?? 'ALL';
  // Joins and on-demand queries find in what the window holds, so a batch window keeps its last
  // batch whatever it outputs (Siddhi's findToBeExecuted); the output type filters what it sends.
  const window = planWindow(ctx, d.window, attributes, true);
  if (!window) return;
  ctx.windows.set(d.id, { id: d.id, attributes, window, currentOn: type !== 'EXPIRED', expiredOn: type !== 'CURRENT', fingerprint: fingerprint(d) });
}

function planFunctionDefinition(ctx: PlanContext, d: FunctionDefinition): void {
  if (d.language.toLowerCase() !== 'javascript' && d.language.toLowerCase() !== 'js') {
    ctx.error(d.pos, `No extension exist for script language '${d.language}'; Millrace runs [javascript] functions`);
    return;
  }
  let impl: (data: Value[]) => unknown;
  try {
    impl = new Function('data', d.body) as (data: Value[]) => unknown;
  } catch (e) {
    ctx.error(d.pos, `function '${d.id}' does not compile as JavaScript: ${(e as Error).message}`);
    return;
  }
  const ret = d.returnType;
  const coerce = returnCoercion(ret);
  ctx.userFunctions.set(d.id, {
    returnType: ret,
    make: args => ctx => {
      const data = args.map(a => a(ctx));
      return coerce(impl(data));
    },
  });
}


function returnCoercion(t: AttrType): (v: unknown) => Value {
  switch (t) {
    case 'INT':
      return v => (v === null || v === undefined ? null : Number(v) | 0);
    case 'LONG':
      return v => (v === null || v === undefined ? null : Math.trunc(Number(v)));
    case 'FLOAT':
      return v => (v === null || v === undefined ? null : Math.fround(Number(v)));
    case 'DOUBLE':
      return v => (v === null || v === undefined ? null : Number(v));
    case 'BOOL':
      return v => (v === null || v === undefined ? null : Boolean(v));
    case 'STRING':
      return v => (v === null || v === undefined ? null : String(v));
    default:
      return v => (v === undefined ? null : (v as Value));
  }
}
