import type { Expression, Variable } from '../ast/nodes';
import { chainOperands, someExpression } from '../ast/walk';
import type { Eval } from '../kernel/eval-context';
import type { Diagnostic } from '../errors/millrace-error';
import { ExpressionCompiler } from './expression-compiler';
import type { Compiled, Scope } from '../plan/expression-scope';
import type { StoreConditionPlan } from '../plan/plan';
import type { Source } from './scope';
import { describeSchema } from '../plan/schema';

/** What a store condition is planned against. */
export interface StoreTarget {
  readonly source: Source;
  readonly primaryKey: readonly number[];
  readonly indexes: readonly number[];
}

/**
 * Scope for expressions over a probe and a stored row: names qualified with the store's name
 * (or alias) are the row's; others are the probe's, falling back to the row's when the probe has
 * no such attribute.
 */
export function storeScope(probe: Scope, store: Source, probeHasAttributes = true): Scope {
  const rowAttr = (v: Variable) => {
    const i = store.attributes.findIndex(a => a.name === v.attribute);
    if (i < 0) return `Cannot find attribute '${v.attribute}' in '${store.id}'`;
    return { type: store.attributes[i].type, fn: store.read(i) };
  };
  return {
    ...probe,
    resolveVariable: v => {
      if (v.streamRef !== undefined && store.names.includes(v.streamRef) && v.index === undefined) return rowAttr(v);
      const p = probe.resolveVariable(v);
      if (typeof p !== 'string' || v.streamRef !== undefined) return p;
      const r = rowAttr(v);
      if (typeof r !== 'string') return r;
      return probeHasAttributes ? `${p}, nor in '${store.id}'` : `Cannot find attribute '${v.attribute}' in '${store.id}'; ${describeSchema(store)}`;
    },
  };
}

function mentionsStore(e: Expression, store: Source): boolean {
  return someExpression(e, x => x.kind === 'Variable' && x.streamRef !== undefined && store.names.includes(x.streamRef));
}

/**
 * Compiles `on` conditions against a table: `matches` evaluates the whole condition; when its
 * top-level `and` terms include `T.a == <probe expression>` for every primary-key attribute (or
 * for an indexed attribute), `lookup` finds the candidates by key instead of a scan.
 */
export function planStoreCondition(
  compiler: ExpressionCompiler,
  expr: Expression | undefined,
  target: StoreTarget,
  probe: Scope,
  probeHasAttributes = true,
): StoreConditionPlan | null {
  const scope = storeScope(probe, target.source, probeHasAttributes);
  if (!expr) return { matches: () => true };
  const c: Compiled = compiler.condition(expr, scope, 'condition');
  if (c.type === null) return null;
  const equalities = new Map<number, Eval>();
  const terms = chainOperands(expr, 'and');
  for (const term of terms) {
    if (term.kind !== 'Binary' || term.op !== '==') continue;
    for (const [col, other] of [
      [term.left, term.right],
      [term.right, term.left],
    ] as const) {
      if (col.kind !== 'Variable' || col.index !== undefined || col.streamRef === undefined || !target.source.names.includes(col.streamRef)) continue;
      if (mentionsStore(other, target.source)) continue;
      // Compiling a key that holds `x in U` would compile its condition once more at every
      // level of nested `in`s (exponential); such a term is only matched, never looked up by.
      if (someExpression(other, x => x.kind === 'In')) continue;
      const i = target.source.attributes.findIndex(a => a.name === col.attribute);
      // A key must come from the probe alone; try it aside so that failing costs no diagnostics.
      const scratch: Diagnostic[] = [];
      const key = new ExpressionCompiler(scratch).compile(other, probe);
      if (i >= 0 && key.type !== null && !scratch.length && !equalities.has(i)) equalities.set(i, key.fn);
    }
  }
  const pk = target.primaryKey;
  if (pk.length && pk.every(i => equalities.has(i))) {
    const keyOnly = terms.length === pk.length && equalities.size === pk.length;
    return { matches: c.fn, lookup: { kind: 'primaryKey', attributes: pk, keys: pk.map(i => equalities.get(i)!), keyOnly } };
  }
  const indexed = target.indexes.find(i => equalities.has(i));
  if (indexed !== undefined) return { matches: c.fn, lookup: { kind: 'index', attributes: [indexed], keys: [equalities.get(indexed)!] } };
  return { matches: c.fn };
}
