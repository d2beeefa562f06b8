import type {
  Annotation,
  App,
  AttrType,
  Definition,
  Expression,
  FunctionDefinition,
  InputStream,
  Pos,
  Query,
  Selector,
  SingleInput,
  StateElement,
  StreamDefinition,
  Variable,
} from '../ast/nodes';
import { BuiltinArgError, type ArgInfo, type WindowPlanEnv } from '../builtins/descriptor';
import { streamFunctions } from '../builtins/stream-functions';
import { windowFunctions } from '../builtins/windows/window-functions';
import { CompileError, PlanError, type Diagnostic } from '../errors/millrace-error';
import { parseExpression } from '../parser';
import type { Value } from '../runtime/event';
import type { Eval, EvalCtx } from '../runtime/eval-context';
import { ExpressionCompiler, type Compiled, type Scope, type UserFunction } from './expression-compiler';
import { fingerprint } from './fingerprint';
import type { AggregatePlan, AppPlan, HandlerPlan, QueryPlan, RatePlan, SelectorPlan, SinkPlan } from './plan';
import { describeSchema, type AttributeSchema, type StreamSchema } from './schema';

/** Core windows that Millrace knows but does not run yet (they get "not supported yet", not "unknown"). */
const PENDING_WINDOWS = new Set([
  'time', 'timeBatch', 'timeLength', 'externalTime', 'externalTimeBatch', 'batch', 'session', 'sort', 'delay',
  'expression', 'expressionBatch', 'cron', 'frequent', 'lossyFrequent',
]);

const APP_ANNOTATIONS = new Set(['name', 'description', 'playback', 'statistics', 'enforceorder']);


/**
 * Turns a parsed app into an executable plan, or throws PlanError listing every problem found.
 *
 * @example
 *   const plan = planApp(parseApp(text), text);
 */
export function planApp(app: App, source: string): AppPlan {
  return new AppPlanner(app, source).plan();
}

class AppPlanner {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly compiler = new ExpressionCompiler(this.diagnostics);
  private readonly streams = new Map<string, StreamSchema>();
  private readonly definitionIds = new Map<string, Definition>();
  private readonly userFunctions = new Map<string, UserFunction>();
  private readonly sinks = new Map<string, SinkPlan[]>();
  private readonly sources = new Map<string, SinkPlan[]>();
  private readonly queryNames = new Set<string>();

  constructor(
    private readonly app: App,
    private readonly source: string,
  ) {}

  private error(pos: Pos, message: string, length = 1): void {
    this.diagnostics.push({ pos, message, length });
  }

  private notSupported(pos: Pos, what: string, length = 1): void {
    this.error(pos, `${what} is not supported yet`, length);
  }

  plan(): AppPlan {
    const name = this.appAnnotations();
    for (const d of this.app.definitions) this.definition(d);
    const queries: QueryPlan[] = [];
    let n = 0;
    for (const el of this.app.elements) {
      if (el.kind === 'Partition') {
        this.notSupported(el.pos, 'partition', 'partition'.length);
        continue;
      }
      n++;
      const q = this.query(el, n);
      if (q) queries.push(q);
    }
    if (this.diagnostics.length) {
      const sorted = [...this.diagnostics].sort((a, b) => a.pos.offset - b.pos.offset);
      throw new PlanError(this.source, sorted);
    }
    const written = new Set(queries.flatMap(q => (q.output.kind === 'insert' ? [q.output.target] : [])));
    const inputStreams = [...this.streams.values()].filter(s => s.origin === 'defined' && !written.has(s.id)).map(s => s.id);
    return { name, source: this.source, streams: this.streams, queries, inputStreams, sinks: this.sinks, sources: this.sources };
  }

  private appAnnotations(): string {
    let name = 'SiddhiApp';
    for (const a of this.app.annotations) {
      const [ns, local] = a.name.includes(':') ? a.name.split(':', 2) : ['', a.name];
      if (ns.toLowerCase() !== 'app') continue;
      const key = local.toLowerCase();
      if (key === 'async') this.error(a.pos, '@app:async is not supported: @Async not supported in SiddhiApp level, instead use @Async with streams');
      else if (key === 'name') {
        const v = a.elements[0]?.value;
        if (!v) this.error(a.pos, "@app:name needs a value, e.g. @app:name('Orders')");
        else name = v;
      } else if (key === 'playback') {
        const keys = new Set(a.elements.map(e => e.key));
        if (keys.has('idle.time') !== keys.has('increment'))
          this.error(a.pos, "@app:playback needs both 'idle.time' and 'increment', or neither");
      } else if (!APP_ANNOTATIONS.has(key)) this.error(a.pos, `unknown app annotation @${a.name}`);
    }
    return name;
  }

  // -------------------------------------------------------------------------------------------
  // Definitions

  private definition(d: Definition): void {
    const prev = this.definitionIds.get(d.id);
    if (prev) {
      const what = d.kind === 'StreamDefinition' ? 'Stream' : d.kind.replace('Definition', '');
      this.error(d.pos, `${what} Definition with same Stream Id '${d.id}' already exist (first defined at line ${prev.pos.line})`);
      return;
    }
    this.definitionIds.set(d.id, d);
    switch (d.kind) {
      case 'StreamDefinition':
        return this.streamDefinition(d);
      case 'FunctionDefinition':
        return this.functionDefinition(d);
      case 'TableDefinition':
        return this.notSupported(d.pos, `table '${d.id}'`);
      case 'WindowDefinition':
        return this.notSupported(d.pos, `named window '${d.id}'`);
      case 'TriggerDefinition':
        return this.notSupported(d.pos, `trigger '${d.id}'`);
      case 'AggregationDefinition':
        return this.notSupported(d.pos, `incremental aggregation '${d.id}'`);
    }
  }

  private checkAttributes(d: { attributes: StreamDefinition['attributes']; id: string }): AttributeSchema[] {
    const seen = new Set<string>();
    const out: AttributeSchema[] = [];
    for (const a of d.attributes) {
      if (seen.has(a.name)) this.error(a.pos, `attribute '${a.name}' is defined twice in '${d.id}'`, a.name.length);
      seen.add(a.name);
      out.push({ name: a.name, type: a.type });
    }
    return out;
  }

  private streamDefinition(d: StreamDefinition): void {
    const attributes = this.checkAttributes(d);
    let onError: 'LOG' | 'STREAM' = 'LOG';
    for (const a of d.annotations) {
      const key = a.name.toLowerCase();
      if (key === 'onerror') {
        const action = (annotationValue(a, 'action') ?? '').toUpperCase();
        if (action === 'STREAM') onError = 'STREAM';
        else if (action === 'STORE') this.notSupported(a.pos, "@OnError(action='STORE')");
        else if (action !== 'LOG') this.error(a.pos, `@OnError action must be 'LOG' or 'STREAM', found '${annotationValue(a, 'action') ?? ''}'`);
      } else if (key === 'sink' || key === 'source') {
        const plan = transportPlan(a);
        if (!plan.type) this.error(a.pos, `@${a.name} needs a type, e.g. @${a.name}(type='log')`);
        const into = key === 'sink' ? this.sinks : this.sources;
        into.set(d.id, [...(into.get(d.id) ?? []), plan]);
      }
    }
    this.streams.set(d.id, { id: d.id, attributes, origin: 'defined', pos: d.pos, onError });
    if (onError === 'STREAM') {
      this.streams.set(`!${d.id}`, {
        id: `!${d.id}`,
        attributes: [...attributes, { name: '_error', type: 'OBJECT' }],
        origin: 'fault',
        pos: d.pos,
        onError: 'LOG',
      });
    }
  }

  private functionDefinition(d: FunctionDefinition): void {
    if (d.language.toLowerCase() !== 'javascript' && d.language.toLowerCase() !== 'js') {
      this.error(d.pos, `No extension exist for script language '${d.language}'; Millrace runs [javascript] functions`);
      return;
    }
    let impl: (data: Value[]) => unknown;
    try {
      impl = new Function('data', d.body) as (data: Value[]) => unknown;
    } catch (e) {
      this.error(d.pos, `function '${d.id}' does not compile as JavaScript: ${(e as Error).message}`);
      return;
    }
    const ret = d.returnType;
    const coerce = returnCoercion(ret);
    this.userFunctions.set(d.id, {
      returnType: ret,
      make: args => ctx => {
        const data = args.map(a => a(ctx));
        return coerce(impl(data));
      },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  private query(q: Query, n: number): QueryPlan | null {
    const info = q.annotations.find(a => a.name.toLowerCase() === 'info');
    let name = (info && annotationValue(info, 'name')) ?? `query_${n}`;
    if (this.queryNames.has(name)) {
      this.error(info?.pos ?? q.pos, `two queries are named '${name}'`);
      name = `${name}_${n}`;
    }
    this.queryNames.add(name);

    const input = this.input(q.input);
    const snapshot = q.outputRate?.kind === 'SnapshotRate';
    if (snapshot && q.output.eventType !== undefined && q.output.eventType !== 'ALL')
      this.error(q.output.pos, `output snapshot needs 'all events' (the default with snapshot); '${q.output.eventType.toLowerCase()} events' cannot be used with it`);
    if (!input) {
      this.checkUnsupportedSelect(q);
      return null;
    }

    const outputType = q.output.eventType ?? (snapshot ? 'ALL' : 'CURRENT');
    const currentOn = outputType !== 'EXPIRED';
    const expiredOn = outputType !== 'CURRENT';
    const handlers: HandlerPlan[] = [];
    let schema: AttributeSchema[] = [...input.schema.attributes];
    const streamId = input.stream;
    for (const h of input.input.handlers) {
      const scope = this.singleScope(streamId, input.input.alias, schema);
      if (h.kind === 'Filter') {
        const c = this.compiler.condition(h.condition, scope, 'filter condition');
        handlers.push({ kind: 'filter', condition: c.fn });
      } else if (h.kind === 'StreamFunction') {
        const fname = h.namespace ? `${h.namespace}:${h.name}` : h.name;
        const fn = h.namespace ? undefined : streamFunctions.get(h.name);
        const args = h.args.map(a => this.compiler.compile(a, scope));
        if (!fn) {
          this.error(h.pos, `No extension exist for stream function '${fname}'`, fname.length + 1);
          continue;
        }
        if (args.some(a => a.type === null)) continue;
        try {
          const p = fn.plan(argInfos(args));
          const fns = args.map(a => a.fn);
          handlers.push({ kind: 'function', name: fname, create: env => p.make(fns, env) });
          schema = [...schema, ...p.added];
        } catch (e) {
          if (!(e instanceof BuiltinArgError)) throw e;
          this.error(h.pos, e.message, fname.length + 1);
        }
      } else {
        const wname = h.namespace ? `${h.namespace}:${h.name}` : h.name;
        if (handlers.some(x => x.kind === 'window')) {
          this.error(h.pos, 'a query input can have only one window', 7);
          continue;
        }
        const wf = h.namespace ? undefined : windowFunctions.get(h.name);
        const args = h.args.map(a => this.compiler.compile(a, scope));
        if (!wf) {
          if (!h.namespace && PENDING_WINDOWS.has(h.name)) this.notSupported(h.pos, `window '${wname}'`, wname.length + 8);
          else this.error(h.pos, `No extension exist for window '${wname}'`, wname.length + 8);
          continue;
        }
        if (args.some(a => a.type === null)) continue;
        try {
          const p = wf.plan(argInfos(args), this.windowEnv(schema));
          handlers.push({ kind: 'window', name: wname, batch: wf.batch, expiredNeeded: expiredOn, create: p.create });
        } catch (e) {
          if (!(e instanceof BuiltinArgError)) throw e;
          this.error(h.pos, e.message, wname.length + 8);
        }
      }
    }

    const selector = this.selector(q.selector, streamId, input.input.alias, schema, currentOn, expiredOn, !snapshot);
    if (!selector) return null;
    const rate = this.ratePlan(q, selector, handlers.some(h => h.kind === 'window'));

    let output: QueryPlan['output'];
    const out = q.output;
    switch (out.kind) {
      case 'ReturnOutput':
        output = { kind: 'return' };
        break;
      case 'InsertOutput': {
        const target = out.target;
        if (target.isInner) {
          this.error(target.pos, `inner stream '#${target.id}' can only be used inside a partition`, target.id.length + 1);
          return null;
        }
        if (target.isFault) {
          this.error(target.pos, `cannot insert into the fault stream '!${target.id}'; the engine writes it`, target.id.length + 1);
          return null;
        }
        const def = this.definitionIds.get(target.id);
        if (def && def.kind !== 'StreamDefinition') {
          const what = { TableDefinition: 'table', WindowDefinition: 'named window', TriggerDefinition: 'trigger', AggregationDefinition: 'aggregation', FunctionDefinition: 'function' }[def.kind];
          if (def.kind === 'TableDefinition' || def.kind === 'WindowDefinition') this.notSupported(target.pos, `inserting into a ${what}`, target.id.length);
          else this.error(target.pos, `cannot insert into '${target.id}': it is a ${what}`, target.id.length);
          return null;
        }
        const existing = this.streams.get(target.id);
        const outSchema: StreamSchema = { id: target.id, attributes: selector.outputSchema, origin: 'inferred', pos: target.pos, onError: 'LOG' };
        if (existing) {
          if (!sameAttributes(existing.attributes, selector.outputSchema))
            this.error(
              target.pos,
              `Different definition same as output '${describeSchema(outSchema)}' already exist as '${describeSchema(existing)}'`,
              target.id.length,
            );
        } else this.streams.set(target.id, outSchema);
        output = { kind: 'insert', target: target.id };
        break;
      }
      default:
        this.notSupported(out.pos, `'${out.kind === 'DeleteOutput' ? 'delete' : out.kind === 'UpdateOutput' ? 'update' : 'update or insert'}' (table output)`);
        return null;
    }
    return { name, fingerprint: fingerprint(q), inputStream: streamId, handlers, selector, rate, output };
  }

  /** For inputs we cannot plan yet, still resolve what we can so that more errors are reported. */
  private checkUnsupportedSelect(q: Query): void {
    if (q.input.kind !== 'StateInput') return;
    const refs = new Set<string>();
    collectRefs(q.input.element, refs);
    const check = (e: Expression): void => {
      walkExpression(e, v => {
        if (v.streamRef && !refs.has(v.streamRef) && !this.streams.has(v.streamRef))
          this.error(v.pos, `Id '${v.streamRef}' not defined within the current scope`, v.streamRef.length);
      });
    };
    for (const a of q.selector.attributes) check(a.expression);
    if (q.selector.having) check(q.selector.having);
  }

  private input(i: InputStream): { stream: string; schema: StreamSchema; input: SingleInput } | null {
    switch (i.kind) {
      case 'SingleInput': {
        const s = i.stream;
        const id = s.isFault ? `!${s.id}` : s.id;
        if (s.isInner) {
          this.error(s.pos, `inner stream '#${s.id}' can only be used inside a partition`, s.id.length + 1);
          return null;
        }
        const schema = this.streams.get(id);
        if (!schema) {
          const def = s.isFault ? undefined : this.definitionIds.get(s.id);
          if (def) {
            const what = { TableDefinition: 'table', WindowDefinition: 'named window', TriggerDefinition: 'trigger', AggregationDefinition: 'aggregation', FunctionDefinition: 'function', StreamDefinition: 'stream' }[def.kind];
            this.notSupported(s.pos, `reading from a ${what}`, s.id.length);
          } else if (s.isFault)
            this.error(s.pos, `fault stream '!${s.id}' exists only when '${s.id}' has @OnError(action='STREAM')`, s.id.length + 1);
          else this.error(s.pos, `Stream/table/window/aggregation definition with ID '${s.id}' has not been defined`, s.id.length);
          return null;
        }
        return { stream: id, schema, input: i };
      }
      case 'JoinInput':
        this.notSupported(i.pos, 'join');
        return null;
      case 'StateInput':
        this.notSupported(i.pos, i.type === 'pattern' ? 'pattern' : 'sequence');
        this.checkStateStreams(i.element);
        return null;
      case 'AnonymousInput':
        this.notSupported(i.pos, 'anonymous inner query');
        return null;
    }
  }

  private checkStateStreams(e: StateElement): void {
    switch (e.kind) {
      case 'StreamState':
      case 'AbsentState':
        if (!this.streams.has(e.input.stream.id) && !e.input.stream.isInner)
          this.error(e.input.stream.pos, `Stream/table/window/aggregation definition with ID '${e.input.stream.id}' has not been defined`, e.input.stream.id.length);
        return;
      case 'CountState':
        return this.checkStateStreams(e.element);
      case 'LogicalState':
        this.checkStateStreams(e.left);
        return this.checkStateStreams(e.right);
      case 'NextState':
        this.checkStateStreams(e.first);
        return this.checkStateStreams(e.next);
      case 'EveryState':
        return this.checkStateStreams(e.element);
    }
  }

  private windowEnv(attributes: readonly AttributeSchema[]): WindowPlanEnv {
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

  private singleScope(streamId: string, alias: string | undefined, schema: readonly AttributeSchema[]): Scope {
    const self = { id: streamId, attributes: schema };
    return {
      userFunctions: this.userFunctions,
      resolveVariable: v => {
        if (v.streamRef !== undefined) {
          const ref = (v.isFault ? '!' : '') + v.streamRef;
          if (ref !== streamId && v.streamRef !== alias) return `Id '${v.streamRef}' not defined within the current scope`;
        }
        if (v.index !== undefined) return `'${v.streamRef}[...]' indexes a pattern reference; this query has none`;
        const i = schema.findIndex(a => a.name === v.attribute);
        if (i < 0) return `Cannot find attribute type as '${v.attribute}' does not exist in '${streamId}'; ${describeSchema(self)}`;
        return { type: schema[i].type, fn: (ctx: EvalCtx) => ctx.event.data[i], attributeIndex: i };
      },
    };
  }

  private selector(
    sel: Selector,
    streamId: string,
    alias: string | undefined,
    schema: readonly AttributeSchema[],
    currentOn: boolean,
    expiredOn: boolean,
    collapse: boolean,
  ): SelectorPlan | null {
    const base = this.singleScope(streamId, alias, schema);
    const aggregates: AggregatePlan[] = [];
    const selectScope: Scope = {
      ...base,
      aggregate: (planned, args) => {
        const idx = aggregates.length;
        aggregates.push({ create: planned.create, arg: args.length ? args[0].fn : null, survivesReset: planned.survivesReset === true });
        return (ctx: EvalCtx) => ctx.agg[idx];
      },
    };
    const projections: Eval[] = [];
    const outputSchema: AttributeSchema[] = [];
    let ok = true;
    const names = new Set<string>();
    if (sel.star) {
      schema.forEach((a, i) => {
        projections.push(ctx => ctx.event.data[i]);
        outputSchema.push(a);
        names.add(a.name);
      });
    }
    for (const oa of sel.attributes) {
      const c: Compiled = this.compiler.compile(oa.expression, selectScope);
      const name = oa.alias ?? (oa.expression.kind === 'Variable' ? oa.expression.attribute : undefined);
      if (name === undefined) {
        this.error(oa.pos, "a computed attribute in select needs a name: add 'as <name>'");
        ok = false;
        continue;
      }
      if (names.has(name)) this.error(oa.pos, `the select clause has two attributes named '${name}'`, name.length);
      names.add(name);
      if (c.type === null) {
        ok = false;
        continue;
      }
      projections.push(c.fn);
      outputSchema.push({ name, type: c.type });
    }
    const groupBy: Eval[] = [];
    for (const g of sel.groupBy) {
      const c = this.compiler.compile(g, base);
      if (c.type !== null) groupBy.push(c.fn);
    }
    const outScope: Scope = {
      userFunctions: this.userFunctions,
      resolveVariable: (v: Variable) => {
        const i = v.streamRef === undefined ? outputSchema.findIndex(a => a.name === v.attribute) : -1;
        if (i >= 0) return { type: outputSchema[i].type, fn: (ctx: EvalCtx) => ctx.out[i] };
        return base.resolveVariable(v);
      },
    };
    let having: Eval | undefined;
    if (sel.having) having = this.compiler.condition(sel.having, outScope, 'having condition').fn;
    const orderBy: { index: number; desc: boolean }[] = [];
    for (const o of sel.orderBy) {
      const i = o.variable.streamRef === undefined ? outputSchema.findIndex(a => a.name === o.variable.attribute) : -1;
      if (i < 0) this.error(o.variable.pos, `order by '${o.variable.attribute}': only attributes of the select clause can be ordered by`, o.variable.attribute.length);
      else orderBy.push({ index: i, desc: o.order === 'desc' });
    }
    const limit = this.constantCount(sel.limit, 'limit');
    const offset = this.constantCount(sel.offset, 'offset');
    if (!ok) return null;
    return {
      projections,
      outputSchema,
      aggregates,
      groupBy,
      having,
      orderBy,
      limit,
      offset,
      collapseChunks: collapse && aggregates.length > 0,
      currentOn,
      expiredOn,
    };
  }

  private ratePlan(q: Query, selector: SelectorPlan, windowed: boolean): RatePlan | undefined {
    const r = q.outputRate;
    if (!r) return undefined;
    const grouped = selector.groupBy.length > 0;
    const positive = (n: number, what: string) => {
      if (n > 0) return true;
      this.error(r.pos, `output rate limiting needs a positive ${what}, found ${n}`, 'output'.length);
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

  private constantCount(e: Expression | undefined, what: string): number | undefined {
    if (!e) return undefined;
    if (e.kind !== 'Constant' || (e.type !== 'INT' && e.type !== 'LONG') || (e.value as number) < 0) {
      this.error(e.pos, `${what} must be a non-negative int or long constant`);
      return undefined;
    }
    return e.value as number;
  }
}

function argInfos(args: readonly Compiled[]): ArgInfo[] {
  return args.map(a => ({ type: a.type!, constant: a.constant, attributeIndex: a.attributeIndex }));
}

function sameAttributes(a: readonly AttributeSchema[], b: readonly AttributeSchema[]): boolean {
  return a.length === b.length && a.every((x, i) => x.name === b[i].name && x.type === b[i].type);
}

export function annotationValue(a: Annotation, key: string): string | undefined {
  const el = a.elements.find(e => e.key?.toLowerCase() === key.toLowerCase()) ?? (a.elements.length === 1 && !a.elements[0].key ? a.elements[0] : undefined);
  return el?.value;
}

function transportPlan(a: Annotation): SinkPlan {
  const options = new Map<string, string>();
  for (const e of a.elements) if (e.key) options.set(e.key, e.value);
  const type = options.get('type') ?? '';
  options.delete('type');
  const m = a.annotations.find(x => x.name.toLowerCase() === 'map');
  let map: SinkPlan['map'];
  if (m) {
    const mo = new Map<string, string>();
    for (const e of m.elements) if (e.key) mo.set(e.key, e.value);
    const mt = mo.get('type') ?? 'passThrough';
    mo.delete('type');
    map = { type: mt, options: mo };
  }
  return { type, options, map };
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
  switch (e.kind) {
    case 'Variable':
      return visit(e);
    case 'Binary':
      walkExpression(e.left, visit);
      return walkExpression(e.right, visit);
    case 'Not':
    case 'IsNull':
      return walkExpression(e.operand, visit);
    case 'In':
      return walkExpression(e.operand, visit);
    case 'FunctionCall':
      for (const a of e.args) walkExpression(a, visit);
      return;
    default:
      return;
  }
}
