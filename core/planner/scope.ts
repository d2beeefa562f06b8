import type { AttrType, Variable } from '../ast/nodes';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import type { ResolvedVariable, Scope, UserFunction } from '../plan/expression-scope';
import { describeSchema, type AttributeSchema } from '../plan/schema';

/** One part of the row an expression sees: a stream, a join side, a table row. */
export interface Source {
  /** The names that qualify its attributes: the stream or table id and its alias. */
  readonly names: readonly string[];
  /** For messages. */
  readonly id: string;
  readonly attributes: readonly AttributeSchema[];
  /** Reads attribute `i` of this source. */
  read(i: number): Eval;
  /** Whether the source is present (a join side may be missing); undefined means always. */
  readonly present?: Eval;
}

/** Reads attribute `offset + i` of `ctx.event.data`. */
export function eventSource(id: string, names: readonly string[], attributes: readonly AttributeSchema[], offset = 0, present?: Eval): Source {
  return {
    id,
    names,
    attributes,
    present,
    read: i => {
      const k = offset + i;
      return (ctx: EvalCtx) => ctx.event.data[k];
    },
  };
}

/** Reads attribute `i` of `ctx.events[slot].data`. */
export function slotSource(id: string, names: readonly string[], attributes: readonly AttributeSchema[], slot: number): Source {
  return { id, names, attributes, read: i => (ctx: EvalCtx) => ctx.events[slot]!.data[i] };
}

/** Reads attribute `i` of the stored row being tried (`ctx.row`). */
export function rowSource(id: string, names: readonly string[], attributes: readonly AttributeSchema[]): Source {
  return { id, names, attributes, read: i => (ctx: EvalCtx) => ctx.row[i] };
}

export interface ScopeOptions {
  readonly userFunctions: ReadonlyMap<string, UserFunction>;
  /** Consulted first for unqualified names (e.g. output attributes in `having`). */
  readonly first?: (v: Variable) => ResolvedVariable | undefined;
  /** Where `x in T` conditions are planned. */
  readonly resolveIn?: Scope['resolveIn'];
}

/**
 * The one way names resolve: a qualified name picks the source it names (an error if two
 * sources share the name), an unqualified one the single source that has the attribute (an
 * error if several do).
 */
export function sourcesScope(sources: readonly Source[], options: ScopeOptions): Scope {
  const resolve = (v: Variable): ResolvedVariable | string => {
    if (v.streamRef === undefined) {
      const early = options.first?.(v);
      if (early) return early;
    }
    if (v.index !== undefined) return `'${v.streamRef}[...]' indexes a pattern reference; this query has none`;
    let candidates: readonly Source[] = sources;
    if (v.streamRef !== undefined) {
      // An inner stream's names carry its '#', a fault stream's its '!'.
      const ref = (v.isInner ? '#' : v.isFault ? '!' : '') + v.streamRef;
      candidates = sources.filter(s => s.names.includes(ref));
      if (!candidates.length) return `Id '${ref}' not defined within the current scope`;
      if (candidates.length > 1) return `'${v.streamRef}' names both sides of the join; give them aliases with 'as'`;
    }
    const hits = candidates.flatMap(s => {
      const i = s.attributes.findIndex(a => a.name === v.attribute);
      return i < 0 ? [] : [{ s, i }];
    });
    if (!hits.length) {
      const where = candidates.length === 1 ? candidates[0] : undefined;
      return where
        ? `Cannot find attribute type as '${v.attribute}' does not exist in '${where.id}'; ${describeSchema(where)}`
        : `Cannot find attribute '${v.attribute}' in ${candidates.map(s => `'${s.id}'`).join(' or ')}`;
    }
    if (hits.length > 1) return `attribute '${v.attribute}' is ambiguous: it exists in ${hits.map(h => `'${h.s.id}'`).join(' and ')}; qualify it`;
    const { s, i } = hits[0];
    const type: AttrType = s.attributes[i].type;
    return { type, fn: s.read(i), attributeIndex: sources.length === 1 ? i : undefined };
  };
  return {
    userFunctions: options.userFunctions,
    resolveVariable: resolve,
    resolvePresence: (name, index) => {
      // An index (`A[0] is null`) only means something for a pattern reference (see StateScope).
      if (index !== undefined) return undefined;
      const s = sources.filter(x => x.names.includes(name));
      if (s.length !== 1) return undefined;
      return s[0].present ?? (() => true);
    },
    resolveIn: options.resolveIn,
  };
}
