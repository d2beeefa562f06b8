/** CST → AST for stream sources (`S[f]#fn()#window.w()`) and for patterns and sequences. */
import type { CstNode, IToken } from 'chevrotain';
import type {
  AbsentState,
  Constant,
  CountState,
  FilterHandler,
  LogicalState,
  SingleInput,
  StateElement,
  StateInput,
  StreamHandler,
  StreamId,
  StreamState,
  WindowHandler,
} from '../ast/nodes';
import { ch, nameOf, node, nodes, tok, toks } from './builder-base';
import { ExpressionBuilder } from './builder-expressions';
import * as T from './lexer';
import { MAX_PATTERN_STATES } from './nesting';

interface StateCollector {
  readonly separators: IToken[];
  readonly quantifiers: IToken[];
  /** Stream states seen so far (see MAX_PATTERN_STATES). */
  states: number;
}

export class PatternBuilder extends ExpressionBuilder {
  protected streamRef(n: CstNode): StreamId {
    const c = ch(n);
    return {
      kind: 'StreamId',
      pos: this.npos(n),
      id: nameOf(tok(c, 'Name')!),
      isInner: tok(c, 'Hash') !== undefined,
      isFault: tok(c, 'Bang') !== undefined,
    };
  }

  protected handlers(ns: CstNode[]): StreamHandler[] {
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

  protected basicSource(n: CstNode): SingleInput {
    const c = ch(n);
    const stream = this.streamRef(node(c, 'streamRef')!);
    const handlers = this.handlers(nodes(c, 'streamHandler'));
    for (const h of handlers) {
      if (h.kind === 'Window') this.error(`a window ('#window.${h.name}') is not allowed in a pattern or sequence`, h.pos, '#window.'.length + h.name.length);
    }
    return { kind: 'SingleInput', pos: stream.pos, stream, handlers };
  }

  protected stateInput(n: CstNode): StateInput {
    const col: StateCollector = { separators: [], quantifiers: [], states: 0 };
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
  protected stateChain(n: CstNode, col: StateCollector, topLevel: boolean): { element: StateElement; trailing?: Constant } {
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

  protected stateTerm(n: CstNode, col: StateCollector, last: boolean): { element: StateElement; trailing?: Constant } {
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

  protected stateLogical(n: CstNode, col: StateCollector): StateElement {
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

  protected stateOperand(n: CstNode, col: StateCollector): StreamState | AbsentState | CountState {
    const c = ch(n);
    const notTok = tok(c, 'Kw_not');
    const input = this.basicSource(node(c, 'basicSource')!);
    // The planner and the runtime walk a pattern recursively, state by state.
    if (++col.states === MAX_PATTERN_STATES + 1) {
      const first = notTok ?? tok(c, 'ref');
      this.error(`pattern or sequence too long, at most ${MAX_PATTERN_STATES} states`, first ? this.tpos(first) : input.pos, first?.image.length ?? input.stream.id.length);
    }
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
}
