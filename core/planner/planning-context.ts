import type { Definition, Expression, In, Pos, SingleInput } from '../ast/nodes';
import type { WindowPlanEnv } from '../builtins/descriptor';
import { BuiltinArgError, CompileError, type Diagnostic } from '../errors/millrace-error';
import { parseExpression } from '../parser';
import type { Compiled, Scope, UserFunction } from '../plan/expression-scope';
import type { AggregationPlan, AppPlan, NamedWindowPlan, SinkPlan, TablePlan, TriggerPlan } from '../plan/plan';
import type { AttributeSchema, StreamSchema } from '../plan/schema';
import { ExpressionCompiler } from './expression-compiler';
import { rowSource, sourcesScope, type ScopeOptions, type Source } from './scope';
import { planStoreCondition, type StoreTarget } from './store-condition';

export interface TableInfo extends TablePlan {
  /** Position in the runtime's table list. */
  readonly index: number;
  readonly plan: TablePlan;
}

/** What a query input names, resolved. */
export interface ResolvedSource {
  readonly kind: 'stream' | 'window' | 'table' | 'aggregation';
  readonly id: string;
  readonly attributes: readonly AttributeSchema[];
}

/**
 * What planning one app (or one on-demand query against a planned app) knows and collects: the
 * catalog of what is defined so far, the diagnostics, and the name resolution every part of the
 * planner shares (as Siddhi's SiddhiAppContext is for its parsers). The planners of definitions,
 * queries, joins, selectors, outputs, partitions and aggregations are functions of it.
 */
export class PlanContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly compiler = new ExpressionCompiler(this.diagnostics);
  readonly streams = new Map<string, StreamSchema>();
  readonly definitionIds = new Map<string, Definition>();
  readonly userFunctions = new Map<string, UserFunction>();
  readonly sinks = new Map<string, SinkPlan[]>();
  readonly sources = new Map<string, SinkPlan[]>();
  readonly queryNames = new Set<string>();
  readonly tables = new Map<string, TableInfo>();
  readonly triggers: TriggerPlan[] = [];
  readonly aggregations = new Map<string, AggregationPlan>();
  readonly windows = new Map<string, NamedWindowPlan>();
  /** Set while planning the queries of a partition. */
  partitionScope: { inner: Map<string, StreamSchema> } | undefined;

  /** `seed`: an app planned before, whose definitions an on-demand query reads. */
  constructor(
    readonly source: string,
    seed?: AppPlan,
  ) {
    if (seed) {
      for (const [id, st] of seed.streams) this.streams.set(id, st);
      seed.tables.forEach((t, index) => this.tables.set(t.id, { ...t, index, plan: t }));
      for (const w of seed.windows) this.windows.set(w.id, w);
      for (const a of seed.aggregations) this.aggregations.set(a.id, a);
      for (const [id, f] of seed.functions) this.userFunctions.set(id, f);
    }
  }

  error(pos: Pos, message: string, length = 1): void {
    this.diagnostics.push({ pos, message, length });
  }

  notSupported(pos: Pos, what: string, length = 1): void {
    this.error(pos, `${what} is not supported yet`, length);
  }

  /** The diagnostics in source order. */
  sortedDiagnostics(): Diagnostic[] {
    return [...this.diagnostics].sort((a, b) => a.pos.offset - b.pos.offset);
  }

  /** What a query input names: a stream (incl. fault streams), a named window or a table. */
  resolveSource(i: SingleInput): ResolvedSource | null {
    const s = i.stream;
    if (s.isInner) {
      const inner = this.partitionScope?.inner.get(`#${s.id}`);
      if (inner) return { kind: 'stream', id: inner.id, attributes: inner.attributes };
      this.error(
        s.pos,
        this.partitionScope ? `inner stream '#${s.id}' is not written by any earlier query of this partition` : `inner stream '#${s.id}' can only be used inside a partition`,
        s.id.length + 1,
      );
      return null;
    }
    const id = s.isFault ? `!${s.id}` : s.id;
    const table = s.isFault ? undefined : this.tables.get(s.id);
    if (table) return { kind: 'table', id: s.id, attributes: table.attributes };
    const window = s.isFault ? undefined : this.windows.get(s.id);
    if (window) return { kind: 'window', id: s.id, attributes: window.attributes };
    const aggregation = s.isFault ? undefined : this.aggregations.get(s.id);
    if (aggregation) return { kind: 'aggregation', id: s.id, attributes: aggregation.attributes };
    const schema = this.streams.get(id);
    if (schema) return { kind: 'stream', id, attributes: schema.attributes };
    const def = s.isFault ? undefined : this.definitionIds.get(s.id);
    if (def && (def.kind === 'TableDefinition' || def.kind === 'WindowDefinition')) return null;
    if (def) {
      const what = { TriggerDefinition: 'trigger', AggregationDefinition: 'aggregation', FunctionDefinition: 'function' }[def.kind as 'TriggerDefinition'];
      this.notSupported(s.pos, `reading from a ${what ?? 'definition'}`, s.id.length);
    } else if (s.isFault) this.error(s.pos, `fault stream '!${s.id}' exists only when '${s.id}' has @OnError(action='STREAM')`, s.id.length + 1);
    else this.error(s.pos, `Stream/table/window/aggregation definition with ID '${s.id}' has not been defined`, s.id.length);
    return null;
  }

  /** The scope of `sources`, with this app's functions and `x in T` over its tables. */
  scopeOf(sources: readonly Source[], first?: ScopeOptions['first']): Scope {
    const scope: Scope = sourcesScope(sources, { userFunctions: this.userFunctions, first, resolveIn: e => this.planIn(e, scope) });
    return scope;
  }

  /** `x in T`: whether a row of T satisfies the condition, whose other names resolve in `scope`. */
  planIn(e: In, scope: Scope): Compiled | string {
    const table = this.tables.get(e.table);
    if (!table) return `'in ${e.table}': '${e.table}' is not a table`;
    const cond = planStoreCondition(this.compiler, e.operand, this.storeTarget(table), scope);
    if (!cond) return `the condition of 'in ${e.table}' has errors`;
    const ti = table.index;
    return { type: 'BOOL', fn: ctx => ctx.tables[ti].exists(ctx, cond) };
  }

  storeTarget(t: TableInfo, alias?: string): StoreTarget {
    return { source: rowSource(t.id, [t.id, ...(alias ? [alias] : [])], t.attributes), primaryKey: t.primaryKey, indexes: t.indexes };
  }

  /** What a window's planning step may ask: the attributes it sees, and expressions compiled from text. */
  windowEnv(attributes: readonly AttributeSchema[]): WindowPlanEnv {
    return {
      attributes,
      compileExpression: (text, scope) => {
        let expr: Expression;
        try {
          expr = parseExpression(text);
        } catch (e) {
          if (e instanceof CompileError) throw new BuiltinArgError(`cannot parse '${text}': ${e.diagnostics.map(d => d.message).join('; ')}`);
          throw e;
        }
        const diagnostics: Diagnostic[] = [];
        const c = new ExpressionCompiler(diagnostics).compile(expr, { ...scope, userFunctions: this.userFunctions });
        if (diagnostics.length) throw new BuiltinArgError(`in '${text}': ${diagnostics.map(d => d.message).join('; ')}`);
        return c;
      },
    };
  }
}
