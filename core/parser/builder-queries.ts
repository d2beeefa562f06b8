/** CST → AST for queries: their inputs (single, join, anonymous), selection, rate limits and outputs. */
import type { CstNode } from 'chevrotain';
import type {
  Annotation,
  AnonymousInput,
  EventType,
  InputStream,
  JoinInput,
  JoinType,
  OrderByItem,
  OutputAction,
  OutputAttribute,
  OutputRate,
  Pos,
  Query,
  Selector,
  SetAssignment,
  SingleInput,
  Variable,
  WithinRange,
} from '../ast/nodes';
import { ch, nameOf, node, nodes, tok } from './builder-base';
import { PatternBuilder } from './builder-patterns';

export class QueryBuilder extends PatternBuilder {
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

  protected queryInput(n: CstNode): InputStream {
    const c = ch(n);
    const single = node(c, 'singleInput');
    if (single) return this.singleInput(single);
    const join = node(c, 'joinInput');
    if (join) return this.joinInput(join);
    const state = node(c, 'stateChain');
    if (state) return this.stateInput(state);
    return this.anonymousInput(node(c, 'anonymousInput')!);
  }

  protected singleInput(n: CstNode, unidirectional = false): SingleInput {
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

  protected joinInput(n: CstNode): JoinInput {
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

  protected withinRange(n: CstNode): WithinRange {
    const c = ch(n);
    const es = nodes(c, 'expression');
    return {
      kind: 'WithinRange',
      pos: this.tpos(tok(c, 'Kw_within')!),
      start: this.expression(es[0]!),
      ...(es[1] && { end: this.expression(es[1]) }),
    };
  }

  protected anonymousInput(n: CstNode): AnonymousInput {
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

  protected defaultSelector(pos: Pos): Selector {
    return { kind: 'Selector', pos, star: true, attributes: [], groupBy: [], orderBy: [] };
  }

  protected selectClause(n: CstNode): Selector {
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

  protected variableOnly(n: CstNode, where: string): Variable {
    const e = this.expression(n);
    if (e.kind === 'Variable') return e;
    this.error(`'${where}' expects an attribute reference`, e.pos);
    return { kind: 'Variable', pos: e.pos, attribute: '' };
  }

  protected outputRate(n: CstNode): OutputRate {
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

  protected eventType(n: CstNode): EventType {
    return tok(ch(n), 'type')!.image.toUpperCase() as EventType;
  }

  protected queryOutput(n: CstNode): OutputAction {
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

  protected setClause(n: CstNode): SetAssignment[] {
    return nodes(ch(n), 'setAssignment').map(s => {
      const sc = ch(s);
      const target = this.variableOnly(node(sc, 'target')!, 'set');
      return { kind: 'SetAssignment', pos: target.pos, target, value: this.expression(node(sc, 'value')!) };
    });
  }
}
