import type {
  AggregationDefinition,
  Annotation,
  App,
  AttrType,
  Definition,
  DeleteOutput,
  Expression,
  FunctionDefinition,
  In,
  InputStream,
  JoinInput,
  OnDemandQuery,
  OutputAction,
  Partition,
  Pos,
  Query,
  Selector,
  SingleInput,
  StateElement,
  StreamDefinition,
  TableDefinition,
  TimeUnit,
  TriggerDefinition,
  UpdateOrInsertOutput,
  UpdateOutput,
  Variable,
  WindowDefinition,
  WindowHandler,
  WithinRange,
} from '../ast/nodes';
import { perUnit } from '../kernel/calendar';
import { parseDuration } from '../kernel/duration';
import { BuiltinArgError, type ArgInfo, type WindowPlanEnv } from '../builtins/descriptor';
import { streamFunctions } from '../builtins/stream-functions';
import { windowFunctions } from '../builtins/windows/window-functions';
import { CompileError, CronError, PlanError, type Diagnostic } from '../errors/millrace-error';
import { parseExpression, parseOnDemandQuery } from '../parser';
import type { Value } from '../kernel/event';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import { ExpressionCompiler } from './expression-compiler';
import type { Compiled, Scope, UserFunction } from '../plan/expression-scope';
import { fingerprint } from './fingerprint';
import type {
  AggregatePlan,
  AggregationPlan,
  AggregationReadPlan,
  AppPlan,
  HandlerPlan,
  JoinPlan,
  JoinSourcePlan,
  NamedWindowPlan,
  OnDemandPlan,
  OutputPlan,
  PartitionKeyPlan,
  PartitionPlan,
  QueryPlan,
  RatePlan,
  SelectorPlan,
  SinkPlan,
  StoreConditionPlan,
  TablePlan,
  TriggerPlan,
} from '../plan/plan';
import { parseCron } from '../kernel/cron';
import { eventSource, rowSource, slotSource, sourcesScope, type ScopeOptions, type Source } from './scope';
import { planStoreCondition, storeScope, type StoreTarget } from './store-condition';
import { planStateInput } from './pattern/plan-pattern-input';
import type { PatternPlan } from '../plan/pattern-plan';
import { toInt, toLong } from '../kernel/java-num';
import { describeSchema, type AttributeSchema, type StreamSchema } from '../plan/schema';


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

/**
 * Plans an on-demand query (`from T on ... select ...`, `select ... insert into T`, `delete T on
 * ...`, `update T set ... on ...`, `update or insert into T ...`) against an app's tables and
 * named windows. Throws PlanError with positions in the query text.
 *
 * @example
 *   const q = planOnDemand(plan, parseOnDemandQuery(text), text);
 */
export function planOnDemand(plan: AppPlan, query: OnDemandQuery, text: string): OnDemandPlan {
  return new AppPlanner({ kind: 'App', pos: query.pos, annotations: [], definitions: [], elements: [] }, text, plan).onDemand(query);
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
  private readonly tables = new Map<string, TableInfo>();
  private readonly triggers: TriggerPlan[] = [];
  private readonly aggregations = new Map<string, AggregationPlan>();
  /** Set while planning the queries of a partition. */
  private partitionScope: { inner: Map<string, StreamSchema> } | undefined;
  private readonly windows = new Map<string, NamedWindowPlan>();

  constructor(
    private readonly app: App,
    private readonly source: string,
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

  onDemand(q: OnDemandQuery): OnDemandPlan {
    const result = this.onDemandPlan(q);
    if (this.diagnostics.length || !result) throw new PlanError(this.source, [...this.diagnostics].sort((a, b) => a.pos.offset - b.pos.offset));
    return result;
  }

  private onDemandPlan(q: OnDemandQuery): OnDemandPlan | null {
    let find: Extract<OnDemandPlan, { kind: 'find' }> | undefined;
    const sel = q.selector ?? { kind: 'Selector', pos: q.pos, star: true, attributes: [], groupBy: [], orderBy: [] };
    if (q.input) {
      const i = q.input;
      const aggregation = this.aggregations.get(i.store);
      if (aggregation) {
        const names = [i.store, ...(i.alias ? [i.alias] : [])];
        const rowScope = this.scopeOf([eventSource(i.store, names, aggregation.attributes)]);
        const read = this.aggregationRead(i.within, i.per, this.scopeOf([]), i.pos, i.store);
        const on = i.on ? this.compiler.condition(i.on, rowScope, 'condition') : undefined;
        const selector = this.selector(sel, rowScope, aggregation.attributes, true, false, true);
        if (!read || !selector || on?.type === null) return null;
        find = { kind: 'find', store: { kind: 'aggregation', aggregation: aggregation.id, read, on: on?.fn }, selector };
        if (!q.output) return find;
      }
      if (!aggregation && (i.within || i.per)) {
        this.error((i.within ?? i.per)!.pos, `'within' and 'per' read aggregations; '${i.store}' is not one`);
        return null;
      }
      const table = this.tables.get(i.store);
      const window = this.windows.get(i.store);
      if (aggregation) {
        // planned above
      } else if (!table && !window) {
        this.error(i.pos, `'${i.store}' is not a table or named window of this app`, i.store.length);
        return null;
      }
      const names = [i.store, ...(i.alias ? [i.alias] : [])];
      const attributes = (table ?? window)!.attributes;
      const rowScope = this.scopeOf([eventSource(i.store, names, attributes)]);
      let store: Extract<OnDemandPlan, { kind: 'find' }>['store'];
      if (table) {
        const on = planStoreCondition(this.compiler, i.on, { ...this.storeTarget(table, i.alias), source: rowSource(i.store, names, attributes) }, this.scopeOf([]), false);
        if (!on) return null;
        store = { kind: 'table', table: table.id, on };
      } else {
        const on = i.on ? this.compiler.condition(i.on, rowScope, 'condition').fn : undefined;
        store = { kind: 'window', window: window!.id, on };
      }
      const selector = this.selector(sel, rowScope, attributes, true, false, true);
      if (!selector) return null;
      find = { kind: 'find', store, selector };
      if (!q.output) return find;
    }
    if (!q.output) {
      this.error(q.pos, 'an on-demand query needs a from clause or a write (insert into, delete, update)');
      return null;
    }
    const selector = find?.selector ?? (q.selector ? this.selector(q.selector, this.scopeOf([]), [], true, false, true) : undefined);
    if (q.selector && !selector) return null;
    const schema = selector ?? { outputSchema: [] as AttributeSchema[] };
    const output = this.output(q.output, schema as SelectorPlan);
    if (!output) return null;
    if (output.kind === 'insert' || output.kind === 'return') {
      this.error(q.output.pos, 'on-demand queries write into tables only');
      return null;
    }
    return { kind: 'write', from: find, selector: selector ?? undefined, output };
  }

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
    const partitions: PartitionPlan[] = [];
    let n = 0;
    for (const el of this.app.elements) {
      if (el.kind === 'Partition') {
        const p = this.partition(el, partitions.length + 1);
        if (p) partitions.push(p);
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
    const written = new Set([...queries, ...partitions.flatMap(p => p.queries)].flatMap(q => (q.output.kind === 'insert' ? [q.output.target] : [])));
    const inputStreams = [...this.streams.values()].filter(s => s.origin === 'defined' && !written.has(s.id)).map(s => s.id);
    const planned = new Map<string, OnDemandPlan>();
    const plan: AppPlan = {
      name,
      source: this.source,
      streams: this.streams,
      queries,
      inputStreams,
      partitions,
      triggers: this.triggers,
      aggregations: [...this.aggregations.values()],
      tables: [...this.tables.values()].map(t => t.plan),
      windows: [...this.windows.values()],
      functions: this.userFunctions,
      sinks: this.sinks,
      sources: this.sources,
      planQuery: text => {
        let q = planned.get(text);
        if (!q) planned.set(text, (q = planOnDemand(plan, parseOnDemandQuery(text), text)));
        return q;
      },
    };
    return plan;
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
        return this.tableDefinition(d);
      case 'WindowDefinition':
        return this.windowDefinition(d);
      case 'TriggerDefinition':
        return this.triggerDefinition(d);
      case 'AggregationDefinition':
        return this.aggregationDefinition(d);
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

  /**
   * `define aggregation A from S select ... group by ... aggregate [by ts] every ...`: outputs are
   * group-by attributes, other attributes (their last value) and sum, count, avg, min, max and
   * distinctCount of an expression.
   */
  private aggregationDefinition(d: AggregationDefinition): void {
    const src = this.resolveSource(d.input);
    if (!src) return;
    if (src.kind !== 'stream') {
      this.error(d.input.pos, `an aggregation reads a stream; '${src.id}' is a ${src.kind}`, src.id.length);
      return;
    }
    const planned = this.planHandlers(d.input, src.id, [src.id, ...(d.input.alias ? [d.input.alias] : [])], src.attributes, false, false);
    if (planned.windowed) this.error(d.input.pos, 'an aggregation cannot have a window; it keeps its own time buckets');
    const scope = this.scopeOf([eventSource(src.id, [src.id, ...(d.input.alias ? [d.input.alias] : [])], planned.attributes)]);
    const sel = d.selector;
    if (sel.star) this.error(sel.pos, "an aggregation's select names its outputs; 'select *' is not allowed");
    for (const [clause, e] of [['having', sel.having], ['limit', sel.limit], ['offset', sel.offset]] as const)
      if (e) this.error(e.pos, `'${clause}' cannot be used in an aggregation definition; use it when reading the aggregation`);
    if (sel.orderBy.length) this.error(sel.orderBy[0].pos, "'order by' cannot be used in an aggregation definition; use it when reading the aggregation");
    const groupBy: Eval[] = [];
    for (const g of sel.groupBy) {
      const c = this.compiler.compile(g, scope);
      if (c.type !== null) groupBy.push(c.fn);
    }
    const outputs: AggregationPlan['outputs'][number][] = [];
    const attributes: AttributeSchema[] = [{ name: 'AGG_TIMESTAMP', type: 'LONG' }];
    for (const oa of sel.attributes) {
      const e = oa.expression;
      const name = oa.alias ?? (e.kind === 'Variable' ? e.attribute : undefined);
      if (!name) {
        this.error(oa.pos, "a computed attribute in select needs a name: add 'as <name>'");
        continue;
      }
      if (e.kind === 'Variable') {
        const c = this.compiler.compile(e, scope);
        if (c.type === null) continue;
        const gi = sel.groupBy.findIndex(g => g.attribute === e.attribute && (g.streamRef ?? src.id) === (e.streamRef ?? src.id));
        outputs.push(gi >= 0 ? { name, kind: 'group', integral: false, groupIndex: gi } : { name, kind: 'last', arg: c.fn, integral: false });
        attributes.push({ name, type: c.type });
        continue;
      }
      const kinds = ['sum', 'count', 'avg', 'min', 'max', 'distinctCount'] as const;
      const kind = e.kind === 'FunctionCall' && !e.namespace ? kinds.find(k => k === e.name) : undefined;
      if (!kind || e.kind !== 'FunctionCall') {
        this.error(oa.pos, 'an aggregation outputs group-by attributes, attributes and sum, count, avg, min, max or distinctCount of an expression');
        continue;
      }
      if (e.args.length > 1 || (kind !== 'count' && e.args.length !== 1)) {
        this.error(e.pos, `${kind}() takes ${kind === 'count' ? 'at most one argument' : 'one argument'}`);
        continue;
      }
      const arg = e.args.length ? this.compiler.compile(e.args[0], scope) : undefined;
      if (arg && arg.type === null) continue;
      const t = arg?.type ?? 'LONG';
      const numeric = t === 'INT' || t === 'LONG' || t === 'FLOAT' || t === 'DOUBLE';
      if ((kind === 'sum' || kind === 'avg' || kind === 'min' || kind === 'max') && !numeric) {
        this.error(e.pos, `${kind[0].toUpperCase()}${kind.slice(1)} not supported for ${t}`);
        continue;
      }
      const type: AttrType = kind === 'count' || kind === 'distinctCount' ? 'LONG' : kind === 'avg' ? 'DOUBLE' : kind === 'sum' ? (t === 'INT' || t === 'LONG' ? 'LONG' : 'DOUBLE') : t;
      outputs.push({ name, kind, arg: arg?.fn, integral: kind === 'sum' && (t === 'INT' || t === 'LONG') });
      attributes.push({ name, type });
    }
    const dup = attributes.map(a => a.name).find((n, i, all) => all.indexOf(n) !== i);
    if (dup) this.error(sel.pos, `the aggregation has two outputs named '${dup}'`);
    let timestampOf: Eval | undefined;
    if (d.aggregateBy) {
      const c = this.compiler.compile(d.aggregateBy, scope);
      if (c.type !== null && c.type !== 'LONG' && c.type !== 'STRING')
        this.error(d.aggregateBy.pos, `'aggregate by' needs a long (epoch milliseconds) or a string ('yyyy-MM-dd HH:mm:ss'), found ${c.type.toLowerCase()}`);
      timestampOf = c.fn;
    }
    const ORDER = ['SECONDS', 'MINUTES', 'HOURS', 'DAYS', 'WEEKS', 'MONTHS', 'YEARS'] as const;
    let durations: TimeUnit[];
    const per = d.periods;
    if (per.kind === 'range') {
      const [a, b] = [ORDER.indexOf(per.from), ORDER.indexOf(per.to)];
      if (a > b) this.error(d.periodsPos, `the aggregation periods run from the shorter to the longer: '${per.from.toLowerCase()} ... ${per.to.toLowerCase()}' is backwards`);
      if (per.from === 'WEEKS' || per.to === 'WEEKS') this.error(d.periodsPos, 'week is not a valid aggregation period; use sec, min, hour, day, month or year');
      durations = ORDER.slice(a, b + 1).filter(u => u !== 'WEEKS');
    } else {
      if (per.units.includes('WEEKS')) this.error(d.periodsPos, 'week is not a valid aggregation period; use sec, min, hour, day, month or year');
      durations = [...new Set(per.units)].filter(u => u !== 'WEEKS').sort((x, y) => ORDER.indexOf(x) - ORDER.indexOf(y));
    }
    const purge = this.aggregationPurge(d);
    const storeAnnotation = d.annotations.find(x => x.name.toLowerCase() === 'store');
    const store = storeAnnotation ? this.storeOptions(d.id, 'aggregation', storeAnnotation) : undefined;
    this.aggregations.set(d.id, {
      id: d.id,
      fingerprint: fingerprint(d),
      inputStream: src.id,
      handlers: planned.handlers,
      timestampOf,
      groupBy,
      durations,
      outputs,
      attributes,
      purge,
      ...(store ? { store } : {}),
    });
  }

  /** Siddhi's purging: on by default, every 15 min, keeping sec 120 s, min 24 h, hour 30 d, day 1 y, month and year all. */
  private aggregationPurge(d: AggregationDefinition): AggregationPlan['purge'] {
    const a = d.annotations.find(x => x.name.toLowerCase() === 'purge');
    if (a && (annotationValue(a, 'enable') ?? 'true').toLowerCase() === 'false') return undefined;
    const retention = new Map<TimeUnit, number>([
      ['SECONDS', 120_000],
      ['MINUTES', 86_400_000],
      ['HOURS', 30 * 86_400_000],
      ['DAYS', 365 * 86_400_000],
    ]);
    const minimum: Partial<Record<TimeUnit, number>> = { SECONDS: 120_000, MINUTES: 7_200_000, HOURS: 25 * 3_600_000, DAYS: 32 * 86_400_000, MONTHS: 13 * 30 * 86_400_000 };
    let intervalMs = 15 * 60_000;
    if (a) {
      const iv = annotationValue(a, 'interval');
      if (iv !== undefined) {
        const ms = parseDuration(iv);
        if (ms === undefined || ms <= 0) this.error(a.pos, `@purge interval '${iv}' is not a duration such as '10 sec'`);
        else intervalMs = ms;
      }
      for (const rp of a.annotations.filter(x => x.name.toLowerCase() === 'retentionperiod'))
        for (const el of rp.elements) {
          const unit = perUnit(el.key ?? '');
          if (!unit) {
            this.error(el.pos, `@retentionPeriod: '${el.key}' is not a period (sec, min, hour, day, month, year)`);
            continue;
          }
          if (el.value.trim().toLowerCase() === 'all') {
            retention.delete(unit);
            continue;
          }
          const ms = parseDuration(el.value);
          if (ms === undefined) this.error(el.pos, `@retentionPeriod ${el.key}='${el.value}' is not a duration such as '120 sec' or 'all'`);
          else if (ms < (minimum[unit] ?? 0)) this.error(el.pos, `@retentionPeriod ${el.key} must be at least ${minimum[unit]! / 1000} seconds`);
          else retention.set(unit, ms);
        }
    }
    return { intervalMs, retention };
  }

  /** `within a[, b] per g` of an aggregation read, compiled against the probe. */
  private aggregationRead(within: WithinRange | undefined, per: Expression | undefined, probe: Scope, pos: Pos, id: string): AggregationReadPlan | null {
    if (!within || !per) {
      this.error(pos, `Aggregation read query must contain a 'within' and a 'per' for '${id}'`);
      return null;
    }
    const w = [within.start, ...(within.end ? [within.end] : [])].map(e => this.compiler.compile(e, probe));
    const p = this.compiler.compile(per, probe);
    if (w.some(c => c.type === null) || p.type === null) return null;
    for (const [c, e] of w.map((c, i) => [c, i === 0 ? within.start : within.end!] as const))
      if (c.type !== 'LONG' && c.type !== 'INT' && c.type !== 'STRING') this.error(e.pos, `within takes long milliseconds or time strings, found ${c.type!.toLowerCase()}`);
    if (p.type !== 'STRING') this.error(per.pos, `per takes a string such as 'minutes', found ${p.type.toLowerCase()}`);
    const agg = this.aggregations.get(id)!;
    if (p.constant) {
      const unit = perUnit(p.constant.value);
      if (!unit) this.error(per.pos, `per '${String(p.constant.value)}' is not a granularity (seconds, minutes, hours, days, months, years)`);
      else if (!agg.durations.includes(unit))
        this.error(per.pos, `${String(p.constant.value)} cannot be provided since aggregation definition ${id} does not contain ${unit} duration`);
    }
    return { within: w.map(c => c.fn), per: p.fn };
  }

  /** A trigger is a stream `T (triggered_time long)` that the clock writes. */
  private triggerDefinition(d: TriggerDefinition): void {
    const at = d.at;
    if (at.kind === 'every' && at.millis <= 0) {
      this.error(d.pos, `trigger '${d.id}' needs a positive period`);
      return;
    }
    if (at.kind === 'cron')
      try {
        parseCron(at.expression);
      } catch (e) {
        if (!(e instanceof CronError)) throw e;
        this.error(d.pos, `trigger '${d.id}': ${e.message}`);
        return;
      }
    this.streams.set(d.id, { id: d.id, attributes: [{ name: 'triggered_time', type: 'LONG' }], origin: 'trigger', pos: d.pos, onError: 'LOG' });
    this.triggers.push({ id: d.id, at, fingerprint: fingerprint(d) });
  }

  private tableDefinition(d: TableDefinition): void {
    const attributes = this.checkAttributes(d);
    const columns = (a: Annotation) =>
      a.elements.flatMap(e => {
        const i = attributes.findIndex(x => x.name === e.value);
        if (i < 0) this.error(e.pos, `@${a.name} names '${e.value}', which is not an attribute of table '${d.id}'`, e.value.length + 2);
        return i < 0 ? [] : [i];
      });
    let primaryKey: number[] = [];
    const indexes: number[] = [];
    let store: TablePlan['store'];
    for (const a of d.annotations) {
      const key = a.name.toLowerCase();
      if (key === 'primarykey') {
        if (primaryKey.length) this.error(a.pos, `table '${d.id}' has more than one @PrimaryKey`);
        primaryKey = columns(a);
      } else if (key === 'index') indexes.push(...columns(a));
      else if (key === 'indexby') this.error(a.pos, '@IndexBy is no longer supported; use @Index');
      else if (key === 'store') store = this.storeOptions(d.id, 'table', a) ?? store;
    }
    if (store && !primaryKey.length && !d.annotations.some(a => a.name.toLowerCase() === 'primarykey'))
      this.error(d.pos, `table '${d.id}' has @store(type='${store.type}') and needs a @PrimaryKey: each row is one item in the store, keyed by it`);
    const plan: TablePlan = { id: d.id, attributes, primaryKey, indexes: [...new Set(indexes)], fingerprint: fingerprint(d), ...(store ? { store } : {}) };
    this.tables.set(d.id, { ...plan, index: this.tables.size, plan });
  }

  /**
   * `@store(type='dynamodb'|'firestore', table.name='...')`: rows are items of their own in the
   * backend of the function's state store, in the table (collection) `table.name`, default the
   * table's name. Other store types (rdbms, mongodb, redis, ...) are not available on Millrace.
   */
  private storeOptions(id: string, what: 'table' | 'aggregation', a: Annotation): TablePlan['store'] | undefined {
    let type: string | undefined;
    let table = id;
    let ok = true;
    for (const e of a.elements) {
      const key = e.key?.toLowerCase();
      if (key === 'type') type = e.value.toLowerCase();
      else if (key === 'table.name') table = e.value;
      else {
        ok = false;
        this.error(e.pos, e.key ? `@store option '${e.key}' is not known; Millrace takes 'type' and 'table.name'` : `@store takes options as key='value' ('type', 'table.name')`, (e.key ?? e.value).length);
      }
    }
    if (type === undefined) {
      this.error(a.pos, `@store on ${what} '${id}' needs a type: 'dynamodb' or 'firestore'`);
      return undefined;
    }
    if (type !== 'dynamodb' && type !== 'firestore') {
      this.error(a.pos, `@store(type='${type}') is not available: Millrace keeps ${what} rows in 'dynamodb' or 'firestore' (the backend of the app's state store)`);
      return undefined;
    }
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
      const given = a.elements.some(e => e.key?.toLowerCase() === 'table.name');
      this.error(
        a.pos,
        `@store table.name '${table}'${given ? '' : ` (the ${what}'s name, by default)`} cannot name both a DynamoDB table and a Firestore collection: use 3 to 255 of A-Z a-z 0-9 _ . -${given ? '' : ", or give @store a table.name='...'"}`,
      );
    }
    return ok ? { type, table } : undefined;
  }

  private windowDefinition(d: WindowDefinition): void {
    const attributes = this.checkAttributes(d);
    const type = d.outputEventType ?? 'ALL';
    const window = this.planWindow(d.window, attributes, type !== 'CURRENT');
    if (!window) return;
    this.windows.set(d.id, { id: d.id, attributes, window, currentOn: type !== 'EXPIRED', expiredOn: type !== 'CURRENT', fingerprint: fingerprint(d) });
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

  private query(q: Query, n: number, namePrefix = ''): QueryPlan | null {
    const info = q.annotations.find(a => a.name.toLowerCase() === 'info');
    let name = namePrefix + ((info && annotationValue(info, 'name')) ?? `query_${n}`);
    if (this.queryNames.has(name)) {
      this.error(info?.pos ?? q.pos, `two queries are named '${name}'`);
      name = `${name}_${n}`;
    }
    this.queryNames.add(name);

    const snapshot = q.outputRate?.kind === 'SnapshotRate';
    if (snapshot && q.output.eventType !== undefined && q.output.eventType !== 'ALL')
      this.error(q.output.pos, `output snapshot needs 'all events' (the default with snapshot); '${q.output.eventType.toLowerCase()} events' cannot be used with it`);
    const outputType = q.output.kind === 'ReturnOutput' || q.output.kind === 'InsertOutput' ? q.output.eventType : q.output.eventType;
    const effective = outputType ?? (snapshot ? 'ALL' : 'CURRENT');
    const currentOn = effective !== 'EXPIRED';
    const expiredOn = effective !== 'CURRENT';

    const input = this.queryInput(q.input, expiredOn);
    if (!input) {
      this.checkUnsupportedSelect(q);
      return null;
    }
    if (q.selector.star && input.starClash) {
      this.error(q.selector.pos, input.starClash);
      return null;
    }
    const selector = this.selector(q.selector, input.scope, input.starAttributes, currentOn, expiredOn, !snapshot);
    if (!selector) return null;
    const rate = this.ratePlan(q, selector, input.windowed);
    const output = this.output(q.output, selector);
    if (!output) return null;
    return { name, fingerprint: fingerprint(q), inputStream: input.stream, handlers: input.handlers, join: input.join, state: input.statePlan, selector, rate, output };
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

  private queryInput(
    i: InputStream,
    expiredOn: boolean,
  ): {
    stream: string;
    handlers: HandlerPlan[];
    join?: JoinPlan;
    statePlan?: PatternPlan;
    scope: Scope;
    starAttributes: readonly AttributeSchema[];
    windowed: boolean;
    starClash?: string;
  } | null {
    switch (i.kind) {
      case 'SingleInput': {
        const src = this.resolveSource(i);
        if (!src) return null;
        if (src.kind === 'table' || src.kind === 'aggregation') {
          this.error(i.stream.pos, `${src.kind} '${src.id}' cannot be read as a stream: join it${src.kind === 'table' ? ", use 'in'," : ''} or query it on demand`, src.id.length);
          return null;
        }
        const names = [src.id, ...(i.alias ? [i.alias] : [])];
        const planned = this.planHandlers(i, src.id, names, src.attributes, expiredOn, src.kind === 'window');
        const scope = this.scopeOf([eventSource(src.id, names, planned.attributes)]);
        return { stream: src.id, handlers: planned.handlers, scope, starAttributes: planned.attributes, windowed: src.kind === 'window' || planned.windowed };
      }
      case 'JoinInput':
        return this.joinInput(i);
      case 'StateInput': {
        const planned = planStateInput(i, {
          compiler: this.compiler,
          diagnostics: this.diagnostics,
          userFunctions: this.userFunctions,
          resolveStream: s => {
            const src = this.resolveSource({ kind: 'SingleInput', pos: s.pos, stream: s, handlers: [] });
            if (src && src.kind === 'table') {
              this.error(s.pos, `table '${src.id}' cannot be part of a pattern or sequence`, src.id.length);
              return null;
            }
            return src;
          },
          error: (pos, message, length) => this.error(pos, message, length),
          notSupported: (pos, what, length) => this.notSupported(pos, what, length),
          // `x in T` inside a pattern: its condition may read the pattern's references.
          withTables: scope => {
            const withIn: Scope = { ...scope, resolveIn: e => this.planIn(e, withIn) };
            return withIn;
          },
        });
        if (!planned) {
          this.checkStateStreams(i.element);
          return null;
        }
        return { stream: '', handlers: [], statePlan: planned.plan, scope: planned.scope, starAttributes: planned.starAttributes, windowed: false, starClash: planned.starClash };
      }
      case 'AnonymousInput':
        this.notSupported(i.pos, 'anonymous inner query');
        return null;
    }
  }

  /** What a query input names: a stream (incl. fault streams), a named window or a table. */
  private resolveSource(i: SingleInput): { kind: 'stream' | 'window' | 'table' | 'aggregation'; id: string; attributes: readonly AttributeSchema[] } | null {
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

  private scopeOf(sources: readonly Source[], first?: ScopeOptions['first']): Scope {
    const scope: Scope = sourcesScope(sources, { userFunctions: this.userFunctions, first, resolveIn: e => this.planIn(e, scope) });
    return scope;
  }

  /** `x in T`: whether a row of T satisfies the condition, whose other names resolve in `scope`. */
  private planIn(e: In, scope: Scope): Compiled | string {
    const table = this.tables.get(e.table);
    if (!table) return `'in ${e.table}': '${e.table}' is not a table`;
    const cond = planStoreCondition(this.compiler, e.operand, this.storeTarget(table), scope);
    if (!cond) return `the condition of 'in ${e.table}' has errors`;
    const ti = table.index;
    return { type: 'BOOL', fn: ctx => ctx.tables[ti].exists(ctx, cond) };
  }

  private storeTarget(t: TableInfo, alias?: string): StoreTarget {
    return { source: rowSource(t.id, [t.id, ...(alias ? [alias] : [])], t.attributes), primaryKey: t.primaryKey, indexes: t.indexes };
  }

  /** Filters, stream functions and the window of one input, in order. */
  private planHandlers(
    input: SingleInput,
    id: string,
    names: readonly string[],
    attributes: readonly AttributeSchema[],
    expiredOn: boolean,
    isNamedWindow: boolean,
  ): { handlers: HandlerPlan[]; attributes: AttributeSchema[]; windowed: boolean } {
    const handlers: HandlerPlan[] = [];
    let schema: AttributeSchema[] = [...attributes];
    for (const h of input.handlers) {
      const scope = this.scopeOf([eventSource(id, names, schema)]);
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
        if (isNamedWindow) {
          this.error(h.pos, `'${id}' is a named window; a query reading it cannot add another window`, wname.length + 8);
          continue;
        }
        if (handlers.some(x => x.kind === 'window')) {
          this.error(h.pos, 'a query input can have only one window', 7);
          continue;
        }
        const planned = this.planWindow(h, schema, expiredOn);
        if (planned) handlers.push(planned);
      }
    }
    return { handlers, attributes: schema, windowed: handlers.some(h => h.kind === 'window') };
  }

  private planWindow(h: WindowHandler, schema: readonly AttributeSchema[], expiredNeeded: boolean): Extract<HandlerPlan, { kind: 'window' }> | null {
    const wname = h.namespace ? `${h.namespace}:${h.name}` : h.name;
    const wf = h.namespace ? undefined : windowFunctions.get(h.name);
    const scope = this.scopeOf([eventSource('window', [], schema)]);
    const args = h.args.map(a => this.compiler.compile(a, scope));
    if (!wf) {
      this.error(h.pos, `No extension exist for window '${wname}'`, wname.length + 8);
      return null;
    }
    if (args.some(a => a.type === null)) return null;
    try {
      const p = wf.plan(argInfos(args), this.windowEnv(schema));
      return { kind: 'window', name: wname, batch: wf.batch, expiredNeeded, create: p.create };
    } catch (e) {
      if (!(e instanceof BuiltinArgError)) throw e;
      this.error(h.pos, e.message, wname.length + 8);
      return null;
    }
  }

  private joinInput(j: JoinInput) {
    const sides = [j.left, j.right].map(input => {
      const src = this.resolveSource(input);
      if (!src) return null;
      const names = [src.id, ...(input.alias ? [input.alias] : [])];
      if (src.kind === 'table' || src.kind === 'aggregation') {
        if (input.handlers.length) this.error(input.handlers[0].pos, `${src.kind} '${src.id}' in a join takes no filters or windows; put conditions in 'on'`);
        if (input.unidirectional) this.error(input.pos, `${src.kind} '${src.id}' never triggers a join, so it cannot be unidirectional`);
        return { src, names, input, handlers: [] as HandlerPlan[], attributes: src.attributes };
      }
      // A join side's window keeps its last batch (expired copies included) so the other side can find it.
      const p = this.planHandlers(input, src.id, names, src.attributes, true, src.kind === 'window');
      return { src, names, input, handlers: p.handlers, attributes: p.attributes as readonly AttributeSchema[] };
    });
    const [l, r] = sides;
    if (!l || !r) return null;
    const isStatic = (k: string) => k === 'table' || k === 'aggregation';
    if (isStatic(l.src.kind) && isStatic(r.src.kind)) {
      this.error(j.pos, `Both inputs of join ${l.src.id} and ${r.src.id} are from static sources`);
      return null;
    }
    const aggSide = l.src.kind === 'aggregation' ? l : r.src.kind === 'aggregation' ? r : undefined;
    if (j.left.unidirectional && j.right.unidirectional) {
      this.error(j.pos, 'only one side of a join can be unidirectional');
      return null;
    }
    if (!aggSide && (j.within || j.per)) this.error((j.within ?? j.per)!.pos, "'within' cannot be used as neither of them is an aggregation");
    let aggRead: AggregationReadPlan | undefined;
    if (aggSide) {
      const probeSide = aggSide === l ? r : l;
      const probe = this.scopeOf([slotSource(probeSide.src.id, probeSide.names, probeSide.attributes, aggSide === l ? 1 : 0)]);
      const read = this.aggregationRead(j.within, j.per, probe, j.pos, aggSide.src.id);
      if (!read) return null;
      aggRead = read;
    }
    const nL = l.attributes.length;
    const nR = r.attributes.length;
    // Join sides in `on`: left reads slot 0, right slot 1; a table side reads the row tried.
    const onSource = (side: typeof l, slot: number): Source =>
      side.src.kind === 'table' ? rowSource(side.src.id, side.names, side.attributes) : slotSource(side.src.id, side.names, side.attributes, slot);
    const onScope = this.scopeOf([onSource(l, 0), onSource(r, 1)]);
    let on: Eval | undefined;
    let tableLookup: StoreConditionPlan | undefined;
    const tableSide = l.src.kind === 'table' ? l : r.src.kind === 'table' ? r : undefined;
    if (tableSide) {
      const probeSide = tableSide === l ? r : l;
      const t = this.tables.get(tableSide.src.id)!;
      const probe = this.scopeOf([slotSource(probeSide.src.id, probeSide.names, probeSide.attributes, tableSide === l ? 1 : 0)]);
      const cond = planStoreCondition(this.compiler, j.on, { ...this.storeTarget(t), source: rowSource(t.id, tableSide.names, t.attributes) }, probe);
      if (!cond) return null;
      tableLookup = cond;
    } else if (j.on) {
      const c = this.compiler.condition(j.on, onScope, 'join condition');
      if (c.type === null) return null;
      on = c.fn;
    }
    const leftTriggers = !isStatic(l.src.kind) && !j.right.unidirectional;
    const rightTriggers = !isStatic(r.src.kind) && !j.left.unidirectional;
    const join: JoinPlan = {
      left: this.joinSourcePlan(l.src, l.handlers, aggRead),
      right: this.joinSourcePlan(r.src, r.handlers, aggRead),
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
    const scope = this.scopeOf([
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

  private joinSourcePlan(src: { kind: 'stream' | 'window' | 'table' | 'aggregation'; id: string }, handlers: HandlerPlan[], read?: AggregationReadPlan): JoinSourcePlan {
    if (src.kind === 'table') return { kind: 'table', table: src.id };
    if (src.kind === 'aggregation') return { kind: 'aggregation', aggregation: src.id, read: read! };
    if (src.kind === 'window') return { kind: 'window', window: src.id, handlers };
    return { kind: 'stream', stream: src.id, handlers };
  }

  private output(out: OutputAction, selector: SelectorPlan): OutputPlan | null {
    switch (out.kind) {
      case 'ReturnOutput':
        return { kind: 'return' };
      case 'InsertOutput': {
        const target = out.target;
        if (target.isInner) {
          const scope = this.partitionScope;
          if (!scope) {
            this.error(target.pos, `inner stream '#${target.id}' can only be used inside a partition`, target.id.length + 1);
            return null;
          }
          const id = `#${target.id}`;
          const existing = scope.inner.get(id);
          const schema: StreamSchema = { id, attributes: selector.outputSchema, origin: 'inferred', pos: target.pos, onError: 'LOG' };
          if (existing && !sameAttributes(existing.attributes, selector.outputSchema))
            this.error(target.pos, `Different definition same as output '${describeSchema(schema)}' already exist as '${describeSchema(existing)}'`, id.length);
          else if (!existing) scope.inner.set(id, schema);
          return { kind: 'insert', target: id };
        }
        if (target.isFault) {
          this.error(target.pos, `cannot insert into the fault stream '!${target.id}'; the engine writes it`, target.id.length + 1);
          return null;
        }
        const table = this.tables.get(target.id);
        const window = this.windows.get(target.id);
        const def = this.definitionIds.get(target.id);
        if (table || window) {
          const into = (table ?? window)!;
          if (!sameAttributes(into.attributes, selector.outputSchema)) {
            const missing = selector.outputSchema.find(a => !into.attributes.some(b => b.name === a.name));
            this.error(
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
          this.error(target.pos, `cannot insert into '${target.id}': it is a ${what}`, target.id.length);
          return null;
        }
        const existing = this.streams.get(target.id);
        const outSchema: StreamSchema = { id: target.id, attributes: selector.outputSchema, origin: 'inferred', pos: target.pos, onError: 'LOG' };
        if (existing) {
          if (!sameAttributes(existing.attributes, selector.outputSchema))
            this.error(target.pos, `Different definition same as output '${describeSchema(outSchema)}' already exist as '${describeSchema(existing)}'`, target.id.length);
        } else this.streams.set(target.id, outSchema);
        return { kind: 'insert', target: target.id };
      }
      default:
        return this.tableOutput(out, selector);
    }
  }

  /** delete / update / update or insert: conditions and values over the output row and the table row. */
  private tableOutput(out: DeleteOutput | UpdateOutput | UpdateOrInsertOutput, selector: SelectorPlan): OutputPlan | null {
    const table = this.tables.get(out.table);
    if (!table) {
      const what = this.windows.has(out.table) ? 'a named window' : this.streams.has(out.table) ? 'a stream' : 'not defined';
      this.error(out.pos, `'${out.table}' is ${what}; delete and update work on tables`);
      return null;
    }
    const probe = this.scopeOf([eventSource('select', [], selector.outputSchema)]);
    const target = this.storeTarget(table);
    const on = planStoreCondition(this.compiler, out.on, target, probe);
    if (!on) return null;
    if (out.kind === 'DeleteOutput') return { kind: 'delete', table: table.id, on };
    const values = storeScope(probe, target.source);
    const set: { index: number; value: Eval }[] = [];
    if (out.set) {
      for (const a of out.set) {
        const v = a.target;
        const i = table.attributes.findIndex(x => x.name === v.attribute);
        if ((v.streamRef !== undefined && v.streamRef !== table.id) || i < 0) {
          this.error(v.pos, `'set' needs an attribute of table '${table.id}' on its left, found '${v.streamRef ? v.streamRef + '.' : ''}${v.attribute}'`);
          continue;
        }
        const c = this.compiler.compile(a.value, values);
        if (c.type === null) continue;
        if (c.type !== table.attributes[i].type && !(isNumericType(c.type) && isNumericType(table.attributes[i].type)))
          this.error(a.value.pos, `'${table.id}.${v.attribute}' is ${table.attributes[i].type.toLowerCase()}, the value is ${c.type.toLowerCase()}`);
        set.push({ index: i, value: coerceTo(c.fn, c.type, table.attributes[i].type) });
      }
    } else {
      selector.outputSchema.forEach((a, k) => {
        const i = table.attributes.findIndex(x => x.name === a.name);
        if (i < 0) this.error(out.pos, `Attribute ${a.name} does not exist on Event Table ${describeSchema(table)}`);
        else set.push({ index: i, value: ctx => ctx.event.data[k] });
      });
    }
    if (out.kind === 'UpdateOutput') return { kind: 'update', table: table.id, on, set };
    const positions = table.attributes.map(a => selector.outputSchema.findIndex(x => x.name === a.name));
    const missing = table.attributes.filter((_, i) => positions[i] < 0);
    if (missing.length) {
      this.error(out.pos, `update or insert needs every attribute of '${table.id}' in the select clause to insert a row; missing ${missing.map(a => a.name).join(', ')}`);
      return null;
    }
    return { kind: 'upsert', table: table.id, on, set, insertRow: row => positions.map(p => row[p]) };
  }

  /**
   * `partition with (expr of S, ... | cond as 'label' or ... of S) begin ... end`: the queries are
   * planned once; the runtime gives every key its own instance of them.
   */
  private partition(p: Partition, n: number): PartitionPlan | null {
    const id = `partition_${n}`;
    const keys: PartitionKeyPlan[] = [];
    const seen = new Set<string>();
    for (const w of p.with) {
      const src = this.resolveSource({ kind: 'SingleInput', pos: w.pos, stream: { kind: 'StreamId', pos: w.pos, id: w.stream, isInner: false, isFault: false }, handlers: [] });
      if (!src) continue;
      if (src.kind !== 'stream') {
        this.error(w.pos, `'${w.stream}' is a ${src.kind}; partitions are keyed on streams`, w.stream.length);
        continue;
      }
      if (seen.has(src.id)) this.error(w.pos, `stream '${w.stream}' is partitioned twice`);
      seen.add(src.id);
      const scope = this.scopeOf([eventSource(src.id, [src.id], src.attributes)]);
      if (w.kind === 'ValuePartition') {
        const c = this.compiler.compile(w.expression, scope);
        if (c.type !== null) keys.push({ kind: 'value', stream: src.id, key: c.fn });
      } else {
        const ranges = w.ranges.map(r => ({ label: r.label, condition: this.compiler.condition(r.condition, scope, 'range condition').fn }));
        keys.push({ kind: 'range', stream: src.id, ranges });
      }
    }
    let purge: PartitionPlan['purge'];
    const purgeAnnotation = p.annotations.find(a => a.name.toLowerCase() === 'purge');
    if (purgeAnnotation && (annotationValue(purgeAnnotation, 'enable') ?? 'true').toLowerCase() === 'true') {
      const ms = (key: string) => {
        const text = annotationValue(purgeAnnotation, key);
        const v = text === undefined ? undefined : parseDuration(text);
        if (v === undefined || v <= 0) this.error(purgeAnnotation.pos, `@purge needs a positive '${key}' such as '${key === 'interval' ? '1 sec' : '15 sec'}', found ${text === undefined ? 'none' : `'${text}'`}`);
        return v ?? 1;
      };
      purge = { intervalMs: ms('interval'), idleMs: ms('idle.period') };
    }
    const outer = this.partitionScope;
    this.partitionScope = { inner: new Map() };
    const queries: QueryPlan[] = [];
    p.queries.forEach((q, k) => {
      const planned = this.query(q, k + 1, `${id}/`);
      if (planned) queries.push(planned);
    });
    const inner = [...this.partitionScope.inner.values()];
    this.partitionScope = outer;
    const partitioned = new Set(keys.map(k => k.stream));
    const innerIds = new Set(inner.map(s => s.id));
    const used = new Set(
      queries.flatMap(q => (q.join ? [q.join.left, q.join.right].flatMap(s => (s.kind === 'stream' ? [s.stream] : s.kind === 'window' ? [s.window] : [])) : q.state ? q.state.streams : [q.inputStream])),
    );
    const broadcast = [...used].filter(s => !partitioned.has(s) && !innerIds.has(s));
    return { id, fingerprint: fingerprint(p), keys, queries, innerStreams: inner, broadcast, purge };
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

  private selector(
    sel: Selector,
    base: Scope,
    schema: readonly AttributeSchema[],
    currentOn: boolean,
    expiredOn: boolean,
    collapse: boolean,
  ): SelectorPlan | null {
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
      ...base,
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

interface TableInfo extends TablePlan {
  /** Position in the runtime's table list. */
  readonly index: number;
  readonly plan: TablePlan;
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
