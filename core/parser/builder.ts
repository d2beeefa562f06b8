/**
 * CST → AST. Runs only on a CST without syntax errors; problems it finds (an integer literal out
 * of range, `e1[0]` without an attribute, `,` inside a `->` pattern, ...) become diagnostics.
 *
 * This file builds the app (elements, annotations, definitions, partitions) and on-demand
 * queries; the rest comes from a chain of classes, one file per role (see builder-base.ts).
 */
import type { CstNode, IToken } from 'chevrotain';
import type {
  AggregationDefinition,
  AggregationPeriods,
  Annotation,
  AnnotationElement,
  App,
  AttrType,
  AttributeDef,
  Definition,
  ExecutionElement,
  FunctionDefinition,
  OnDemandQuery,
  Partition,
  Pos,
  RangePartition,
  Selector,
  StoreInput,
  StreamDefinition,
  TableDefinition,
  TimeUnit as TimeUnitName,
  TriggerDefinition,
  ValuePartition,
  Variable,
  WindowDefinition,
  WindowHandler,
} from '../ast/nodes';
import { ch, nameOf, node, nodes, stringOf, tok, toks } from './builder-base';
import { QueryBuilder } from './builder-queries';
import * as T from './lexer';

export { nameOf, stringOf } from './builder-base';

function isApp(a: Annotation): boolean {
  return a.name.length > 4 && a.name.slice(0, 4).toLowerCase() === 'app:';
}

export class AstBuilder extends QueryBuilder {
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
}
