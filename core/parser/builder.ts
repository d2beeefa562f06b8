/**
 * CST → AST. Runs only on a CST without syntax errors; problems it finds (an integer literal out
 * of range, `e1[0]` without an attribute, `,` inside a `->` pattern, ...) become diagnostics.
 */
import type { CstNode, IToken, TokenType } from 'chevrotain';
import type {
  AbsentState,
  AggregationDefinition,
  AggregationPeriods,
  Annotation,
  AnnotationElement,
  AnonymousInput,
  App,
  AttrType,
  AttributeDef,
  BinaryOp,
  Constant,
  CountState,
  Definition,
  EventIndex,
  EventType,
  ExecutionElement,
  Expression,
  FilterHandler,
  FunctionDefinition,
  InputStream,
  JoinInput,
  JoinType,
  LogicalState,
  OnDemandQuery,
  OrderByItem,
  OutputAction,
  OutputAttribute,
  OutputRate,
  Partition,
  Pos,
  Query,
  RangePartition,
  Selector,
  SetAssignment,
  SingleInput,
  StateElement,
  StateInput,
  StoreInput,
  StreamDefinition,
  StreamHandler,
  StreamId,
  StreamState,
  TableDefinition,
  TimeUnit as TimeUnitName,
  TriggerDefinition,
  ValuePartition,
  Variable,
  WindowDefinition,
  WindowHandler,
  WithinRange,
} from '../ast/nodes';
import type { Diagnostic } from '../errors/millrace-error';
import * as T from './lexer';
import type { SourceText } from './source';

type Ctx = Record<string, (CstNode | IToken)[] | undefined>;

const ch = (n: CstNode): Ctx => n.children as Ctx;
const tok = (c: Ctx, key: string, i = 0): IToken | undefined => c[key]?.[i] as IToken | undefined;
const node = (c: Ctx, key: string, i = 0): CstNode | undefined => c[key]?.[i] as CstNode | undefined;
const toks = (c: Ctx, key: string): IToken[] => (c[key] ?? []) as IToken[];
const nodes = (c: Ctx, key: string): CstNode[] => (c[key] ?? []) as CstNode[];

const BIN_PREC = new Map<TokenType, { op: BinaryOp; prec: number }>([
  [T.Or, { op: 'or', prec: 1 }],
  [T.And, { op: 'and', prec: 2 }],
  [T.EqEq, { op: '==', prec: 4 }],
  [T.NotEq, { op: '!=', prec: 4 }],
  [T.Lt, { op: '<', prec: 5 }],
  [T.LtEq, { op: '<=', prec: 5 }],
  [T.Gt, { op: '>', prec: 5 }],
  [T.GtEq, { op: '>=', prec: 5 }],
  [T.Plus, { op: '+', prec: 6 }],
  [T.Minus, { op: '-', prec: 6 }],
  [T.Star, { op: '*', prec: 7 }],
  [T.Slash, { op: '/', prec: 7 }],
  [T.Percent, { op: '%', prec: 7 }],
]);
const IN_PREC = 3;

const INT_MAX = 2147483647;
const LONG_MAX = 9223372036854775807n;

/** A stream-only reference (`e1[0]`, `#S`) that is legal only before `is null`. */
interface StreamOnlyRef {
  readonly streamOnly: true;
  readonly pos: Pos;
  readonly streamRef: string;
  readonly index?: EventIndex;
  readonly isInner?: boolean;
  readonly isFault?: boolean;
  readonly text: string;
}

interface StateCollector {
  readonly separators: IToken[];
  readonly quantifiers: IToken[];
}

export function nameOf(t: IToken): string {
  return t.tokenType === T.BacktickId ? t.image.slice(1, -1) : t.image;
}

export function stringOf(t: IToken): string {
  return t.tokenType === T.TripleQuoted ? t.image.slice(3, -3) : t.image.slice(1, -1);
}

function isApp(a: Annotation): boolean {
  return a.name.length > 4 && a.name.slice(0, 4).toLowerCase() === 'app:';
}

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly src: SourceText) {}

  // ---- helpers ---------------------------------------------------------------------------------

  private tpos(t: IToken): Pos {
    return this.src.pos(t.startOffset);
  }

  private npos(n: CstNode): Pos {
    return this.src.pos(n.location!.startOffset);
  }

  private error(message: string, at: IToken | Pos, length?: number): void {
    if ('image' in at) this.diagnostics.push({ message, pos: this.tpos(at), length: Math.max(1, length ?? at.image.length) });
    else this.diagnostics.push({ message, pos: at, length: Math.max(1, length ?? 1) });
  }

  // ---- app -------------------------------------------------------------------------------------

  app(cst: CstNode): App {
    const c = ch(cst);
    const appAnnotations: Annotation[] = [];
    let pending: Annotation[] = [];
    for (const a of nodes(c, 'annotation').map(n => this.annotation(n))) {
      if (isApp(a)) appAnnotations.push(a);
      else pending.push(a);
    }
    const definitions: Definition[] = [];
    const elements: ExecutionElement[] = [];
    for (const el of nodes(c, 'element')) {
      const ec = ch(el);
      const own: Annotation[] = [...pending];
      pending = [];
      for (const a of nodes(ec, 'annotation').map(n => this.annotation(n))) {
        if (isApp(a)) appAnnotations.push(a);
        else own.push(a);
      }
      const def = node(ec, 'definition');
      const query = node(ec, 'query');
      const part = node(ec, 'partition');
      if (def) definitions.push(this.definition(def, own));
      else if (query) elements.push(this.query(query, own));
      else if (part) elements.push(this.partition(part, own));
    }
    for (const a of pending) this.error(`annotation '@${a.name}' is not followed by a definition, query or partition`, a.pos, a.name.length + 1);
    const pos = cst.location && !Number.isNaN(cst.location.startOffset) ? this.npos(cst) : this.src.posOriginal(0);
    return { kind: 'App', pos, annotations: appAnnotations, definitions, elements };
  }

  private firstPos(annotations: readonly Annotation[], fallback: CstNode): Pos {
    return annotations.length > 0 ? annotations[0]!.pos : this.npos(fallback);
  }

  // ---- annotations -----------------------------------------------------------------------------

  annotation(n: CstNode): Annotation {
    const c = ch(n);
    const name = toks(c, 'nameParts').map(nameOf).join(':');
    const elements: AnnotationElement[] = [];
    const annotations: Annotation[] = [];
    for (const e of nodes(c, 'annotationElement')) {
      const ec = ch(e);
      const nested = node(ec, 'annotation');
      if (nested) {
        annotations.push(this.annotation(nested));
        continue;
      }
      const key = node(ec, 'key');
      if (key) {
        const value = node(ec, 'annotationValue');
        if (value) elements.push({ kind: 'AnnotationElement', pos: this.npos(e), key: this.dottedName(key), value: this.annotationValue(value) });
        else elements.push({ kind: 'AnnotationElement', pos: this.npos(e), value: this.dottedName(key) });
      } else {
        elements.push({ kind: 'AnnotationElement', pos: this.npos(e), value: this.annotationLiteral(node(ec, 'positional')!) });
      }
    }
    return { kind: 'Annotation', pos: this.tpos(tok(c, 'At')!), name, elements, annotations };
  }

  private dottedName(n: CstNode): string {
    const c = ch(n);
    const all = [...toks(c, 'Name'), ...toks(c, 'Dot'), ...toks(c, 'Minus'), ...toks(c, 'Colon')];
    all.sort((a, b) => a.startOffset - b.startOffset);
    return all.map(nameOf).join('');
  }

  private annotationValue(n: CstNode): string {
    const c = ch(n);
    const lit = node(c, 'annotationLiteral');
    return lit ? this.annotationLiteral(lit) : this.dottedName(node(c, 'dottedName')!);
  }

  private annotationLiteral(n: CstNode): string {
    const c = ch(n);
    const s = tok(c, 'StringLit');
    if (s) return stringOf(s);
    const t = tok(c, 'Kw_true') ?? tok(c, 'Kw_false');
    if (t) return t.image;
    const sign = tok(c, 'Minus') ? '-' : '';
    const num = tok(c, 'IntLit') ?? tok(c, 'LongLit') ?? tok(c, 'FloatLit') ?? tok(c, 'DoubleLit');
    return sign + (num?.image ?? '');
  }

  // ---- definitions -----------------------------------------------------------------------------

  private definition(n: CstNode, annotations: Annotation[]): Definition {
    const c = ch(n);
    const pos = this.firstPos(annotations, n);
    const stream = node(c, 'streamDefinition');
    if (stream) {
      const sc = ch(stream);
      const d: StreamDefinition = {
        kind: 'StreamDefinition',
        pos,
        id: nameOf(tok(sc, 'Name')!),
        attributes: this.attributeList(node(sc, 'attributeList')!),
        annotations,
      };
      return d;
    }
    const table = node(c, 'tableDefinition');
    if (table) {
      const tc = ch(table);
      const d: TableDefinition = {
        kind: 'TableDefinition',
        pos,
        id: nameOf(tok(tc, 'Name')!),
        attributes: this.attributeList(node(tc, 'attributeList')!),
        annotations,
      };
      return d;
    }
    const win = node(c, 'windowDefinition');
    if (win) {
      const wc = ch(win);
      const fn = this.functionCall(node(wc, 'functionCall')!);
      const window: WindowHandler = { kind: 'Window', pos: fn.pos, ...(fn.namespace !== undefined && { namespace: fn.namespace }), name: fn.name, args: fn.args };
      const et = node(wc, 'eventType');
      const d: WindowDefinition = {
        kind: 'WindowDefinition',
        pos,
        id: nameOf(tok(wc, 'Name')!),
        attributes: this.attributeList(node(wc, 'attributeList')!),
        annotations,
        window,
        ...(et && { outputEventType: this.eventType(et) }),
      };
      return d;
    }
    const trig = node(c, 'triggerDefinition');
    if (trig) {
      const tc = ch(trig);
      const s = tok(tc, 'StringLit');
      let at: TriggerDefinition['at'];
      if (s) {
        const v = stringOf(s);
        at = v.trim().toLowerCase() === 'start' ? { kind: 'start' } : { kind: 'cron', expression: v };
      } else {
        at = { kind: 'every', millis: this.timeValue(node(tc, 'timeValue')!).value as number };
      }
      const d: TriggerDefinition = { kind: 'TriggerDefinition', pos, id: nameOf(tok(tc, 'Name')!), annotations, at };
      return d;
    }
    const fn = node(c, 'functionDefinition');
    if (fn) {
      const fc = ch(fn);
      const d: FunctionDefinition = {
        kind: 'FunctionDefinition',
        pos,
        id: nameOf(tok(fc, 'id')!),
        language: nameOf(tok(fc, 'language')!),
        returnType: this.attrType(tok(fc, 'AttrTypeKw')!),
        body: tok(fc, 'ScriptBody')!.image.slice(1, -1),
        annotations,
      };
      return d;
    }
    return this.aggregationDefinition(node(c, 'aggregationDefinition')!, annotations, pos);
  }

  private aggregationDefinition(n: CstNode, annotations: Annotation[], pos: Pos): AggregationDefinition {
    const c = ch(n);
    const input = this.singleInput(node(c, 'singleInput')!);
    const selector = this.selectClause(node(c, 'selectClause')!);
    const byNode = node(c, 'aggregateBy');
    let aggregateBy: Variable | undefined;
    if (byNode) {
      const e = this.expression(byNode);
      if (e.kind === 'Variable') aggregateBy = e;
      else this.error(`'aggregate by' expects an attribute reference`, e.pos);
    }
    const units = toks(c, 'TimeUnit').map(t => this.aggregationUnit(t));
    let periods: AggregationPeriods;
    if (tok(c, 'TripleDot')) periods = { kind: 'range', from: units[0]!, to: units[1]! };
    else periods = { kind: 'list', units };
    return {
      kind: 'AggregationDefinition',
      pos,
      id: nameOf(tok(c, 'Name')!),
      annotations,
      input,
      selector,
      ...(aggregateBy && { aggregateBy }),
      periods,
      periodsPos: this.tpos(tok(c, 'Kw_every')!),
    };
  }

  private aggregationUnit(t: IToken): TimeUnitName {
    const unit = T.TIME_UNIT_INFO.get(t.tokenType)?.unit as TimeUnitName | undefined;
    if (unit === undefined) {
      this.error(`mismatched input '${t.image}', expecting one of {sec, min, hour, day, month, year}`, t);
      return 'SECONDS';
    }
    return unit;
  }

  private attributeList(n: CstNode): AttributeDef[] {
    return nodes(ch(n), 'attributeDef').map(a => {
      const c = ch(a);
      const nameTok = tok(c, 'Name')!;
      return { kind: 'AttributeDef', pos: this.tpos(nameTok), name: nameOf(nameTok), type: this.attrType(tok(c, 'AttrTypeKw')!) };
    });
  }

  private attrType(t: IToken): AttrType {
    return t.image.toUpperCase() as AttrType;
  }

  private functionCall(n: CstNode): { pos: Pos; namespace?: string; name: string; args: Expression[] } {
    const c = ch(n);
    const parts = toks(c, 'nameParts');
    const args = this.argumentList(node(c, 'argumentList')!);
    const pos = this.tpos(parts[0]!);
    if (parts.length > 1) return { pos, namespace: nameOf(parts[0]!), name: nameOf(parts[1]!), args };
    return { pos, name: nameOf(parts[0]!), args };
  }

  private argumentList(n: CstNode): Expression[] {
    return nodes(ch(n), 'expression').map(e => this.expression(e));
  }

  // ---- queries ---------------------------------------------------------------------------------

  query(n: CstNode, annotations: Annotation[]): Query {
    const c = ch(n);
    const input = this.queryInput(node(c, 'queryInput')!);
    const sel = node(c, 'selectClause');
    const rate = node(c, 'outputRate');
    const out = node(c, 'queryOutput')!;
    const selector = sel ? this.selectClause(sel) : this.defaultSelector(this.npos(rate ?? out));
    const q: Query = {
      kind: 'Query',
      pos: this.firstPos(annotations, n),
      annotations,
      input,
      selector,
      ...(rate && { outputRate: this.outputRate(rate) }),
      output: this.queryOutput(out),
    };
    return q;
  }

  private queryInput(n: CstNode): InputStream {
    const c = ch(n);
    const single = node(c, 'singleInput');
    if (single) return this.singleInput(single);
    const join = node(c, 'joinInput');
    if (join) return this.joinInput(join);
    const state = node(c, 'stateChain');
    if (state) return this.stateInput(state);
    return this.anonymousInput(node(c, 'anonymousInput')!);
  }

  private streamRef(n: CstNode): StreamId {
    const c = ch(n);
    return {
      kind: 'StreamId',
      pos: this.npos(n),
      id: nameOf(tok(c, 'Name')!),
      isInner: tok(c, 'Hash') !== undefined,
      isFault: tok(c, 'Bang') !== undefined,
    };
  }

  private singleInput(n: CstNode, unidirectional = false): SingleInput {
    const c = ch(n);
    const stream = this.streamRef(node(c, 'streamRef')!);
    const alias = tok(c, 'alias');
    return {
      kind: 'SingleInput',
      pos: stream.pos,
      stream,
      ...(alias && { alias: nameOf(alias) }),
      handlers: this.handlers(nodes(c, 'streamHandler')),
      ...(unidirectional && { unidirectional: true }),
    };
  }

  private handlers(ns: CstNode[]): StreamHandler[] {
    return ns.map(h => {
      const c = ch(h);
      const hash = tok(c, 'Hash');
      const f = node(c, 'filter');
      if (f) {
        const fh: FilterHandler = { kind: 'Filter', pos: hash ? this.tpos(hash) : this.npos(f), condition: this.expression(node(ch(f), 'expression')!) };
        return fh;
      }
      const pos = this.tpos(hash!);
      const w = node(c, 'window');
      if (w) {
        const fn = this.functionCall(w);
        const wh: WindowHandler = { kind: 'Window', pos, ...(fn.namespace !== undefined && { namespace: fn.namespace }), name: fn.name, args: fn.args };
        return wh;
      }
      const fn = this.functionCall(node(c, 'streamFunction')!);
      return { kind: 'StreamFunction', pos, ...(fn.namespace !== undefined && { namespace: fn.namespace }), name: fn.name, args: fn.args };
    });
  }

  private joinInput(n: CstNode): JoinInput {
    const c = ch(n);
    const side = (s: CstNode): SingleInput => {
      const sc = ch(s);
      return this.singleInput(node(sc, 'singleInput')!, tok(sc, 'Kw_unidirectional') !== undefined);
    };
    const left = side(node(c, 'left')!);
    const right = side(node(c, 'right')!);
    const jt = ch(node(c, 'joinType')!);
    let joinType: JoinType = 'INNER';
    if (tok(jt, 'Kw_left')) joinType = 'LEFT_OUTER';
    else if (tok(jt, 'Kw_right')) joinType = 'RIGHT_OUTER';
    else if (tok(jt, 'Kw_outer')) joinType = 'FULL_OUTER';
    const on = node(c, 'on');
    const within = node(c, 'withinRange');
    const per = node(c, 'per');
    return {
      kind: 'JoinInput',
      pos: left.pos,
      left,
      right,
      joinType,
      ...(on && { on: this.expression(on) }),
      ...(within && { within: this.withinRange(within) }),
      ...(per && { per: this.expression(per) }),
    };
  }

  private withinRange(n: CstNode): WithinRange {
    const c = ch(n);
    const es = nodes(c, 'expression');
    return {
      kind: 'WithinRange',
      pos: this.tpos(tok(c, 'Kw_within')!),
      start: this.expression(es[0]!),
      ...(es[1] && { end: this.expression(es[1]) }),
    };
  }

  private anonymousInput(n: CstNode): AnonymousInput {
    const c = ch(n);
    const input = this.queryInput(node(c, 'queryInput')!);
    const sel = node(c, 'selectClause');
    const rate = node(c, 'outputRate');
    const retTok = tok(c, 'Kw_return')!;
    const et = node(c, 'eventType');
    const fromTok = tok(c, 'Kw_from')!;
    const query: Query = {
      kind: 'Query',
      pos: this.tpos(fromTok),
      annotations: [],
      input,
      selector: sel ? this.selectClause(sel) : this.defaultSelector(rate ? this.npos(rate) : this.tpos(retTok)),
      ...(rate && { outputRate: this.outputRate(rate) }),
      output: { kind: 'ReturnOutput', pos: this.tpos(retTok), ...(et && { eventType: this.eventType(et) }) },
    };
    const alias = tok(c, 'alias');
    return {
      kind: 'AnonymousInput',
      pos: this.npos(n),
      query,
      ...(alias && { alias: nameOf(alias) }),
      handlers: this.handlers(nodes(c, 'streamHandler')),
    };
  }

  // ---- patterns and sequences ----------------------------------------------------------------

  private stateInput(n: CstNode): StateInput {
    const col: StateCollector = { separators: [], quantifiers: [] };
    const { element, trailing } = this.stateChain(n, col, true);
    const arrows = col.separators.filter(t => t.tokenType === T.Arrow);
    const commas = col.separators.filter(t => t.tokenType === T.Comma);
    let type: 'pattern' | 'sequence';
    if (arrows.length > 0) {
      type = 'pattern';
      for (const t of commas) this.error(`mismatched input ',', expecting '->' (a pattern cannot mix '->' and ',')`, t);
      for (const t of col.quantifiers) this.error(`mismatched input '${t.image}': '${t.image}' is only allowed in sequences`, t);
    } else {
      type = commas.length > 0 || col.quantifiers.length > 0 ? 'sequence' : 'pattern';
    }
    return { kind: 'StateInput', pos: this.npos(n), type, element, ...(trailing && { within: trailing }) };
  }

  /** A `->`/`,` chain, left-associative. A `within` ending the top-level chain is returned as `trailing`. */
  private stateChain(n: CstNode, col: StateCollector, topLevel: boolean): { element: StateElement; trailing?: Constant } {
    const c = ch(n);
    const terms = nodes(c, 'stateTerm');
    col.separators.push(...toks(c, 'sep'));
    let trailing: Constant | undefined;
    let element: StateElement | undefined;
    for (let i = 0; i < terms.length; i++) {
      const r = this.stateTerm(terms[i]!, col, topLevel && i === terms.length - 1);
      if (r.trailing) trailing = r.trailing;
      element = element === undefined ? r.element : { kind: 'NextState', pos: element.pos, first: element, next: r.element };
    }
    return { element: element!, ...(trailing && { trailing }) };
  }

  private stateTerm(n: CstNode, col: StateCollector, last: boolean): { element: StateElement; trailing?: Constant } {
    const c = ch(n);
    const withinNode = node(c, 'within');
    const within = withinNode ? this.timeValue(withinNode) : undefined;
    const group = node(c, 'stateChain');
    let element: StateElement = group ? this.stateChain(group, col, false).element : this.stateLogical(node(c, 'stateLogical')!, col);
    const every = tok(c, 'Kw_every');
    if (every) element = { kind: 'EveryState', pos: this.tpos(every), element };
    if (within) {
      if (last) return { element, trailing: within };
      element = { ...element, within } as StateElement;
    }
    return { element };
  }

  private stateLogical(n: CstNode, col: StateCollector): StateElement {
    const c = ch(n);
    const ops = nodes(c, 'stateOperand').map(o => this.stateOperand(o, col));
    if (ops.length === 1) return ops[0]!;
    const opTok = tok(c, 'op')!;
    const operand = (s: StreamState | AbsentState | CountState): StreamState | AbsentState => {
      if (s.kind === 'CountState') {
        this.error(`a counting element ('${s.written}') cannot be an operand of '${opTok.image}'`, s.pos);
        return s.element;
      }
      return s;
    };
    const left = operand(ops[0]!);
    const right = operand(ops[1]!);
    const l: LogicalState = { kind: 'LogicalState', pos: left.pos, op: opTok.image.toLowerCase() as 'and' | 'or', left, right };
    return l;
  }

  private stateOperand(n: CstNode, col: StateCollector): StreamState | AbsentState | CountState {
    const c = ch(n);
    const notTok = tok(c, 'Kw_not');
    const input = this.basicSource(node(c, 'basicSource')!);
    if (notTok) {
      const tv = node(c, 'timeValue');
      const a: AbsentState = { kind: 'AbsentState', pos: this.tpos(notTok), input, ...(tv && { waitingTime: this.timeValue(tv) }) };
      return a;
    }
    const ref = tok(c, 'ref');
    const pos = ref ? this.tpos(ref) : input.pos;
    const ss: StreamState = { kind: 'StreamState', pos, ...(ref && { ref: nameOf(ref) }), input };
    const cs = node(c, 'countSuffix');
    if (!cs) return ss;
    const cc = ch(cs);
    let min: number;
    let max: number | undefined;
    let written: string;
    const q = tok(cc, 'Plus') ?? tok(cc, 'Star') ?? tok(cc, 'Question');
    if (q) {
      col.quantifiers.push(q);
      written = q.image;
      min = q.tokenType === T.Plus ? 1 : 0;
      max = q.tokenType === T.Question ? 1 : undefined;
    } else {
      const minTok = tok(cc, 'min');
      const maxTok = tok(cc, 'max');
      const colon = tok(cc, 'Colon') !== undefined;
      min = minTok ? Number(minTok.image) : 0;
      max = maxTok ? Number(maxTok.image) : colon ? undefined : min;
      written = `<${minTok?.image ?? ''}${colon ? ':' : ''}${maxTok?.image ?? ''}>`;
    }
    const count: CountState = { kind: 'CountState', pos, element: ss, min, ...(max !== undefined && { max }), written };
    return count;
  }

  private basicSource(n: CstNode): SingleInput {
    const c = ch(n);
    const stream = this.streamRef(node(c, 'streamRef')!);
    const handlers = this.handlers(nodes(c, 'streamHandler'));
    for (const h of handlers) {
      if (h.kind === 'Window') this.error(`a window ('#window.${h.name}') is not allowed in a pattern or sequence`, h.pos, '#window.'.length + h.name.length);
    }
    return { kind: 'SingleInput', pos: stream.pos, stream, handlers };
  }

  // ---- selection, output -----------------------------------------------------------------------

  private defaultSelector(pos: Pos): Selector {
    return { kind: 'Selector', pos, star: true, attributes: [], groupBy: [], orderBy: [] };
  }

  private selectClause(n: CstNode): Selector {
    const c = ch(n);
    const attributes: OutputAttribute[] = nodes(c, 'outputAttribute').map(a => {
      const ac = ch(a);
      const expression = this.expression(node(ac, 'expression')!);
      const alias = tok(ac, 'alias');
      return { kind: 'OutputAttribute', pos: expression.pos, ...(alias && { alias: nameOf(alias) }), expression };
    });
    const groupBy = nodes(c, 'groupBy').map(g => this.variableOnly(g, 'group by'));
    const having = node(c, 'having');
    const orderBy: OrderByItem[] = nodes(c, 'orderItem').map(o => {
      const oc = ch(o);
      const variable = this.variableOnly(node(oc, 'expression')!, 'order by');
      const dir = tok(oc, 'dir');
      return { kind: 'OrderByItem', pos: variable.pos, variable, order: dir && dir.image.toLowerCase() === 'desc' ? 'desc' : 'asc' };
    });
    const limit = node(c, 'limit');
    const offset = node(c, 'offset');
    return {
      kind: 'Selector',
      pos: this.npos(n),
      star: tok(c, 'Star') !== undefined,
      attributes,
      groupBy,
      ...(having && { having: this.expression(having) }),
      orderBy,
      ...(limit && { limit: this.expression(limit) }),
      ...(offset && { offset: this.expression(offset) }),
    };
  }

  private variableOnly(n: CstNode, where: string): Variable {
    const e = this.expression(n);
    if (e.kind === 'Variable') return e;
    this.error(`'${where}' expects an attribute reference`, e.pos);
    return { kind: 'Variable', pos: e.pos, attribute: '' };
  }

  private outputRate(n: CstNode): OutputRate {
    const c = ch(n);
    const pos = this.tpos(tok(c, 'Kw_output')!);
    const tv = node(c, 'timeValue');
    if (tok(c, 'Kw_snapshot')) return { kind: 'SnapshotRate', pos, millis: this.timeValue(tv!).value as number };
    const typeTok = tok(c, 'type');
    const type = (typeTok ? typeTok.image.toUpperCase() : 'ALL') as 'ALL' | 'FIRST' | 'LAST';
    const count = tok(c, 'count');
    if (count) return { kind: 'EventsRate', pos, type, count: this.intValue(count, false) };
    return { kind: 'TimeRate', pos, type, millis: this.timeValue(tv!).value as number };
  }

  private eventType(n: CstNode): EventType {
    return tok(ch(n), 'type')!.image.toUpperCase() as EventType;
  }

  private queryOutput(n: CstNode): OutputAction {
    const c = ch(n);
    const et = node(c, 'eventType');
    const eventType = et ? { eventType: this.eventType(et) } : undefined;
    if (tok(c, 'Kw_return')) return { kind: 'ReturnOutput', pos: this.npos(n), ...eventType };
    if (tok(c, 'Kw_insert') && !tok(c, 'upsert')) {
      return { kind: 'InsertOutput', pos: this.npos(n), target: this.streamRef(node(c, 'target')!), ...eventType };
    }
    const forNode = node(c, 'forEvents');
    const forEt = forNode ? node(ch(forNode), 'eventType') : undefined;
    const forType = forEt ? { eventType: this.eventType(forEt) } : undefined;
    const table = nameOf(tok(c, 'table')!);
    const on = this.expression(node(c, 'on')!);
    if (tok(c, 'Kw_delete')) return { kind: 'DeleteOutput', pos: this.npos(n), table, ...forType, on };
    const setNode = node(c, 'setClause');
    const set = setNode ? { set: this.setClause(setNode) } : undefined;
    if (tok(c, 'upsert')) return { kind: 'UpdateOrInsertOutput', pos: this.npos(n), table, ...forType, ...set, on };
    return { kind: 'UpdateOutput', pos: this.npos(n), table, ...forType, ...set, on };
  }

  private setClause(n: CstNode): SetAssignment[] {
    return nodes(ch(n), 'setAssignment').map(s => {
      const sc = ch(s);
      const target = this.variableOnly(node(sc, 'target')!, 'set');
      return { kind: 'SetAssignment', pos: target.pos, target, value: this.expression(node(sc, 'value')!) };
    });
  }

  // ---- partitions ------------------------------------------------------------------------------

  private partition(n: CstNode, annotations: Annotation[]): Partition {
    const c = ch(n);
    const withs = nodes(c, 'partitionWith').map((w): ValuePartition | RangePartition => {
      const wc = ch(w);
      const exprs = nodes(wc, 'expression').map(e => this.expression(e));
      const labels = toks(wc, 'label');
      const stream = nameOf(tok(wc, 'stream')!);
      if (labels.length === 0) return { kind: 'ValuePartition', pos: exprs[0]!.pos, expression: exprs[0]!, stream };
      return {
        kind: 'RangePartition',
        pos: exprs[0]!.pos,
        ranges: exprs.map((e, i) => ({ condition: e, label: stringOf(labels[i]!), pos: e.pos })),
        stream,
      };
    });
    const queries = nodes(c, 'partitionQuery').map(pq => {
      const pc = ch(pq);
      const anns = nodes(pc, 'annotation').map(a => this.annotation(a));
      return this.query(node(pc, 'query')!, anns);
    });
    return { kind: 'Partition', pos: this.firstPos(annotations, n), annotations, with: withs, queries };
  }

  // ---- on-demand queries -----------------------------------------------------------------------

  onDemandQuery(n: CstNode): OnDemandQuery {
    const c = ch(n);
    const si = node(c, 'storeInput');
    let input: StoreInput | undefined;
    if (si) {
      const sc = ch(si);
      const alias = tok(sc, 'alias');
      const on = node(sc, 'on');
      const within = node(sc, 'withinRange');
      const per = node(sc, 'per');
      input = {
        kind: 'StoreInput',
        pos: this.npos(si),
        store: nameOf(tok(sc, 'store')!),
        ...(alias && { alias: nameOf(alias) }),
        ...(on && { on: this.expression(on) }),
        ...(within && { within: this.withinRange(within) }),
        ...(per && { per: this.expression(per) }),
      };
    }
    const sel = node(c, 'selectClause');
    const out = node(c, 'queryOutput');
    let output: OnDemandQuery['output'];
    if (out) {
      const o = this.queryOutput(out);
      if (o.kind === 'ReturnOutput') this.error(`mismatched input 'return': an on-demand query cannot 'return'`, o.pos, 6);
      else if (o.kind === 'InsertOutput' && (o.target.isInner || o.target.isFault)) this.error(`an on-demand query can only insert into a table`, o.target.pos);
      else output = o;
    }
    let selector: Selector | undefined;
    if (sel) selector = this.selectClause(sel);
    else if (!out) selector = this.defaultSelector(input ? input.pos : this.npos(n));
    return {
      kind: 'OnDemandQuery',
      pos: this.npos(n),
      ...(input && { input }),
      ...(selector && { selector }),
      ...(output && { output }),
    };
  }

  // ---- expressions -----------------------------------------------------------------------------

  expression(n: CstNode): Expression {
    const c = ch(n);
    const first = this.unary(node(c, 'unaryExpression')!);
    const tails = nodes(c, 'expressionTail');
    if (tails.length === 0) return first;
    // Precedence climbing over the flat `operand (op operand | in T)*` list.
    let i = 0;
    const climb = (left: Expression, minPrec: number): Expression => {
      while (i < tails.length) {
        const tc = ch(tails[i]!);
        const table = tok(tc, 'table');
        if (table) {
          if (IN_PREC < minPrec) break;
          i++;
          left = { kind: 'In', pos: left.pos, operand: left, table: nameOf(table) };
          continue;
        }
        const info = BIN_PREC.get(tok(tc, 'op')!.tokenType)!;
        if (info.prec < minPrec) break;
        i++;
        let right = this.unary(node(tc, 'unaryExpression')!);
        right = climb(right, info.prec + 1);
        left = { kind: 'Binary', pos: left.pos, op: info.op, left, right };
      }
      return left;
    };
    return climb(first, 0);
  }

  private unary(n: CstNode): Expression {
    const c = ch(n);
    const notTok = tok(c, 'Kw_not');
    if (notTok) return { kind: 'Not', pos: this.tpos(notTok), operand: this.unary(node(c, 'unaryExpression')!) };
    const primary = this.primary(node(c, 'primaryExpression')!);
    const isNull = tok(c, 'Kw_is') !== undefined;
    if ('streamOnly' in primary) {
      if (isNull) {
        return {
          kind: 'IsNullStream',
          pos: primary.pos,
          streamRef: primary.streamRef,
          ...(primary.index !== undefined && { index: primary.index }),
          ...(primary.isInner && { isInner: true }),
          ...(primary.isFault && { isFault: true }),
        };
      }
      this.error(`missing '.<attribute>' after '${primary.text}'`, primary.pos, primary.text.length);
      return { kind: 'Variable', pos: primary.pos, attribute: '', streamRef: primary.streamRef };
    }
    if (isNull) return { kind: 'IsNull', pos: primary.pos, operand: primary };
    return primary;
  }

  private primary(n: CstNode): Expression | StreamOnlyRef {
    const c = ch(n);
    const inner = node(c, 'expression');
    if (inner) return this.expression(inner);
    const num = node(c, 'numberValue');
    if (num) return this.numberValue(num);
    const s = tok(c, 'StringLit');
    if (s) return { kind: 'Constant', pos: this.tpos(s), type: 'STRING', value: stringOf(s) };
    const t = tok(c, 'Kw_true');
    if (t) return { kind: 'Constant', pos: this.tpos(t), type: 'BOOL', value: true };
    const f = tok(c, 'Kw_false');
    if (f) return { kind: 'Constant', pos: this.tpos(f), type: 'BOOL', value: false };
    return this.reference(node(c, 'reference')!);
  }

  private reference(n: CstNode): Expression | StreamOnlyRef {
    const c = ch(n);
    const prefix = tok(c, 'prefix');
    const firstTok = tok(c, 'first')!;
    const first = nameOf(firstTok);
    const pos = this.tpos(prefix ?? firstTok);
    const flags = prefix ? (prefix.tokenType === T.Hash ? { isInner: true } : { isFault: true }) : undefined;
    const args = node(c, 'argumentList');
    if (args) {
      const fnName = tok(c, 'fnName');
      if (fnName) return { kind: 'FunctionCall', pos, namespace: first, name: nameOf(fnName), args: this.argumentList(args) };
      return { kind: 'FunctionCall', pos, name: first, args: this.argumentList(args) };
    }
    const q = node(c, 'referenceQualifier');
    if (!q) {
      if (flags) return { streamOnly: true, pos, streamRef: first, ...flags, text: (prefix?.image ?? '') + first };
      return { kind: 'Variable', pos, attribute: first };
    }
    const qc = ch(q);
    const attr = tok(qc, 'attribute');
    let index: EventIndex | undefined;
    const idxTok = tok(qc, 'index');
    if (idxTok) index = this.intValue(idxTok, false);
    else if (tok(qc, 'Kw_last')) {
      const m = tok(qc, 'minus');
      index = { kind: 'LastIndex', minus: m ? this.intValue(m, false) : 0 };
    }
    if (!attr) {
      const text = (prefix?.image ?? '') + first + (index === undefined ? '' : typeof index === 'number' ? `[${index}]` : index.minus ? `[last-${index.minus}]` : '[last]');
      return { streamOnly: true, pos, streamRef: first, ...(index !== undefined && { index }), ...flags, text };
    }
    const v: Variable = {
      kind: 'Variable',
      pos,
      attribute: nameOf(attr),
      streamRef: first,
      ...(index !== undefined && { index }),
      ...flags,
    };
    return v;
  }

  private intValue(t: IToken, negative: boolean): number {
    const v = Number(t.image);
    if (v > INT_MAX + (negative ? 1 : 0)) {
      this.error(`integer number too large: ${t.image}`, t);
      return 0;
    }
    return negative ? -v : v;
  }

  private numberValue(n: CstNode): Constant {
    const c = ch(n);
    const sign = tok(c, 'sign');
    const negative = sign !== undefined && sign.image === '-';
    const nums = toks(c, 'num');
    const units = toks(c, 'unit');
    const pos = this.tpos(sign ?? nums[0]!);
    if (sign && sign.startOffset + 1 !== nums[0]!.startOffset) {
      this.error(`extraneous input '${sign.image}': a sign must be written directly before its number (no unary minus on expressions)`, sign);
    }
    if (units.length > 0) {
      const ms = this.timeMillis(nums, units);
      return { kind: 'Constant', pos, type: 'LONG', value: negative ? -ms : ms, isTime: true };
    }
    const t = nums[0]!;
    const img = t.image;
    switch (t.tokenType) {
      case T.IntLit:
        return { kind: 'Constant', pos, type: 'INT', value: this.intValue(t, negative) };
      case T.LongLit: {
        const digits = img.slice(0, -1);
        if (BigInt(digits) > LONG_MAX + (negative ? 1n : 0n)) this.error(`long number too large: ${img}`, t);
        const v = Number(digits);
        return { kind: 'Constant', pos, type: 'LONG', value: negative ? -v : v };
      }
      case T.FloatLit: {
        const v = Math.fround(parseFloat(img.slice(0, -1)));
        return { kind: 'Constant', pos, type: 'FLOAT', value: negative ? -v : v };
      }
      default: {
        const body = /[dD]$/.test(img) ? img.slice(0, -1) : img;
        const v = parseFloat(body);
        return { kind: 'Constant', pos, type: 'DOUBLE', value: negative ? -v : v };
      }
    }
  }

  private timeValue(n: CstNode): Constant {
    const c = ch(n);
    const nums = toks(c, 'num');
    return { kind: 'Constant', pos: this.tpos(nums[0]!), type: 'LONG', value: this.timeMillis(nums, toks(c, 'unit')), isTime: true };
  }

  private timeMillis(nums: IToken[], units: IToken[]): number {
    let total = 0;
    let prevRank = Infinity;
    for (let i = 0; i < units.length; i++) {
      const numTok = nums[i]!;
      const unitTok = units[i]!;
      const info = T.TIME_UNIT_INFO.get(unitTok.tokenType)!;
      if (numTok.tokenType !== T.IntLit && numTok.tokenType !== T.LongLit) {
        this.error(`a time value needs an int or long amount, found '${numTok.image}'`, numTok);
        continue;
      }
      if (info.rank >= prevRank) this.error(`time units must be in descending order and not repeat: '${unitTok.image}'`, unitTok);
      prevRank = info.rank;
      const amount = Number(numTok.tokenType === T.LongLit ? numTok.image.slice(0, -1) : numTok.image);
      total += amount * info.ms;
    }
    return total;
  }
}
