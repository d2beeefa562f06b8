import type { AttrType, DeleteOutput, OutputAction, Query, UpdateOrInsertOutput, UpdateOutput } from '../ast/nodes';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import { toInt, toLong } from '../kernel/java-num';
import type { OutputPlan, RatePlan, SelectorPlan } from '../plan/plan';
import { describeSchema, type AttributeSchema, type StreamSchema } from '../plan/schema';
import type { PlanContext } from './planning-context';
import { eventSource } from './scope';
import { planStoreCondition, storeScope } from './store-condition';

/** Where a query's rows go (`insert into`, `return`, table writes) and how often (`output ...`). */

export function planOutput(ctx: PlanContext, out: OutputAction, selector: SelectorPlan): OutputPlan | null {
  switch (out.kind) {
    case 'ReturnOutput':
      return { kind: 'return' };
    case 'InsertOutput': {
      const target = out.target;
      if (target.isInner) {
        const scope = ctx.partitionScope;
        if (!scope) {
          ctx.error(target.pos, `inner stream '#${target.id}' can only be used inside a partition`, target.id.length + 1);
          return null;
        }
        const id = `#${target.id}`;
        const existing = scope.inner.get(id);
        const schema: StreamSchema = { id, attributes: selector.outputSchema, origin: 'inferred', pos: target.pos, onError: 'LOG' };
        if (existing && !sameAttributes(existing.attributes, selector.outputSchema))
          ctx.error(target.pos, `Different definition same as output '${describeSchema(schema)}' already exist as '${describeSchema(existing)}'`, id.length);
        else if (!existing) scope.inner.set(id, schema);
        return { kind: 'insert', target: id };
      }
      if (target.isFault) {
        ctx.error(target.pos, `cannot insert into the fault stream '!${target.id}'; the engine writes it`, target.id.length + 1);
        return null;
      }
      const table = ctx.tables.get(target.id);
      const window = ctx.windows.get(target.id);
      const def = ctx.definitionIds.get(target.id);
      if (table || window) {
        const into = (table ?? window)!;
        if (!sameAttributes(into.attributes, selector.outputSchema)) {
          const missing = selector.outputSchema.find(a => !into.attributes.some(b => b.name === a.name));
          ctx.error(
            target.pos,
            missing
              ? `Attribute ${missing.name} does not exist on ${table ? 'Event Table' : 'window'} ${describeSchema(into)}`
              : `the select clause gives ${describeSchema({ id: 'select', attributes: selector.outputSchema })}, which does not match ${describeSchema(into)}`,
            target.id.length,
          );
          return null;
        }
        return table ? { kind: 'insertTable', table: target.id } : { kind: 'insert', target: target.id };
      }
      // A table or window definition that failed has been reported already.
      if (def && (def.kind === 'TableDefinition' || def.kind === 'WindowDefinition')) return null;
      if (def && def.kind !== 'StreamDefinition') {
        const what = { TriggerDefinition: 'trigger', AggregationDefinition: 'aggregation', FunctionDefinition: 'function' }[def.kind as 'TriggerDefinition'];
        ctx.error(target.pos, `cannot insert into '${target.id}': it is a ${what}`, target.id.length);
        return null;
      }
      const existing = ctx.streams.get(target.id);
      const outSchema: StreamSchema = { id: target.id, attributes: selector.outputSchema, origin: 'inferred', pos: target.pos, onError: 'LOG' };
      if (existing) {
        if (!sameAttributes(existing.attributes, selector.outputSchema))
          ctx.error(target.pos, `Different definition same as output '${describeSchema(outSchema)}' already exist as '${describeSchema(existing)}'`, target.id.length);
      } else ctx.streams.set(target.id, outSchema);
      return { kind: 'insert', target: target.id };
    }
    default:
      return planTableOutput(ctx, out, selector);
  }
}

/** delete / update / update or insert: conditions and values over the output row and the table row. */
function planTableOutput(ctx: PlanContext, out: DeleteOutput | UpdateOutput | UpdateOrInsertOutput, selector: SelectorPlan): OutputPlan | null {
  const table = ctx.tables.get(out.table);
  if (!table) {
    const what = ctx.windows.has(out.table) ? 'a named window' : ctx.streams.has(out.table) ? 'a stream' : 'not defined';
    ctx.error(out.pos, `'${out.table}' is ${what}; delete and update work on tables`);
    return null;
  }
  const probe = ctx.scopeOf([eventSource('select', [], selector.outputSchema)]);
  const target = ctx.storeTarget(table);
  const on = planStoreCondition(ctx.compiler, out.on, target, probe);
  if (!on) return null;
  if (out.kind === 'DeleteOutput') return { kind: 'delete', table: table.id, on };
  const values = storeScope(probe, target.source);
  const set: { index: number; value: Eval }[] = [];
  if (out.set) {
    for (const a of out.set) {
      const v = a.target;
      const i = table.attributes.findIndex(x => x.name === v.attribute);
      if ((v.streamRef !== undefined && v.streamRef !== table.id) || i < 0) {
        ctx.error(v.pos, `'set' needs an attribute of table '${table.id}' on its left, found '${v.streamRef ? v.streamRef + '.' : ''}${v.attribute}'`);
        continue;
      }
      const c = ctx.compiler.compile(a.value, values);
      if (c.type === null) continue;
      if (c.type !== table.attributes[i].type && !(isNumericType(c.type) && isNumericType(table.attributes[i].type)))
        ctx.error(a.value.pos, `'${table.id}.${v.attribute}' is ${table.attributes[i].type.toLowerCase()}, the value is ${c.type.toLowerCase()}`);
      set.push({ index: i, value: coerceTo(c.fn, c.type, table.attributes[i].type) });
    }
  } else {
    selector.outputSchema.forEach((a, k) => {
      const i = table.attributes.findIndex(x => x.name === a.name);
      if (i < 0) ctx.error(out.pos, `Attribute ${a.name} does not exist on Event Table ${describeSchema(table)}`);
      else set.push({ index: i, value: ctx => ctx.event.data[k] });
    });
  }
  if (out.kind === 'UpdateOutput') return { kind: 'update', table: table.id, on, set };
  const positions = table.attributes.map(a => selector.outputSchema.findIndex(x => x.name === a.name));
  const missing = table.attributes.filter((_, i) => positions[i] < 0);
  if (missing.length) {
    ctx.error(out.pos, `update or insert needs every attribute of '${table.id}' in the select clause to insert a row; missing ${missing.map(a => a.name).join(', ')}`);
    return null;
  }
  // Siddhi's in-memory table replaces the whole row with the output row when the condition is
  // the primary key's equalities alone, and ignores `set` (OperatorParser picks its overwriting
  // operator); its store-backed tables apply `set`, as an @store table here does.
  const overwrite = on.lookup?.kind === 'primaryKey' && on.lookup.keyOnly === true && !table.store;
  const replace = table.attributes.map((_, i) => ({ index: i, value: (ctx: EvalCtx) => ctx.event.data[positions[i]] }));
  return { kind: 'upsert', table: table.id, on, set: overwrite ? replace : set, insertRow: row => positions.map(p => row[p]) };
}

export function planRate(ctx: PlanContext, q: Query, selector: SelectorPlan, windowed: boolean): RatePlan | undefined {
  const r = q.outputRate;
  if (!r) return undefined;
  const grouped = selector.groupBy.length > 0;
  const positive = (n: number, what: string) => {
    if (n > 0) return true;
    ctx.error(r.pos, `output rate limiting needs a positive ${what}, found ${n}`, 'output'.length);
    return false;
  };
  switch (r.kind) {
    case 'EventsRate':
      return positive(r.count, 'number of events') ? { kind: 'events', type: r.type, count: r.count, grouped } : undefined;
    case 'TimeRate':
      return positive(r.millis, 'period') ? { kind: 'time', type: r.type, millis: r.millis, grouped } : undefined;
    case 'SnapshotRate':
      return positive(r.millis, 'period')
        ? { kind: 'snapshot', millis: r.millis, grouped, windowed, aggregated: selector.aggregates.length > 0 }
        : undefined;
  }
}

const isNumericType = (t: AttrType) => t === 'INT' || t === 'LONG' || t === 'FLOAT' || t === 'DOUBLE';

/** A value stored into a column of another numeric type takes that column's representation. */
function coerceTo(fn: Eval, from: AttrType, to: AttrType): Eval {
  if (from === to || !isNumericType(from) || !isNumericType(to)) return fn;
  if (to === 'FLOAT') return ctx => { const v = fn(ctx); return v === null ? null : Math.fround(v as number); };
  if (to === 'INT') return ctx => { const v = fn(ctx); return v === null ? null : toInt(v as number); };
  if (to === 'LONG') return ctx => { const v = fn(ctx); return v === null ? null : toLong(v as number); };
  return fn;
}

function sameAttributes(a: readonly AttributeSchema[], b: readonly AttributeSchema[]): boolean {
  return a.length === b.length && a.every((x, i) => x.name === b[i].name && x.type === b[i].type);
}
