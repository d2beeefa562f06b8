/** CST → AST for expressions, literals and time values; binary precedence is applied here. */
import type { CstNode, IToken, TokenType } from 'chevrotain';
import type { BinaryOp, Constant, EventIndex, Expression, Pos, Variable } from '../ast/nodes';
import { JAVA_LIMITS, longOf } from '../kernel/java-num';
import { BuilderBase, ch, nameOf, node, nodes, stringOf, tok, toks } from './builder-base';
import * as T from './lexer';
import { MAX_NESTING } from './nesting';

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

const { INT_MAX, LONG_MAX } = JAVA_LIMITS;

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

export class ExpressionBuilder extends BuilderBase {
  /**
   * How many `in`s an expression nests (`a in T in T` nests two): compiling `x in T` compiles `x`
   * inside the table look-up, so each is a level of nesting, bounded like parentheses
   * (MAX_NESTING). Kept for the expressions that have any.
   */
  private readonly inDepth = new WeakMap<Expression, number>();

  private depthOf(e: Expression): number {
    return this.inDepth.get(e) ?? 0;
  }

  private withDepth<E extends Expression>(e: E, depth: number): E {
    if (depth > 0) this.inDepth.set(e, depth);
    return e;
  }

  protected functionCall(n: CstNode): { pos: Pos; namespace?: string; name: string; args: Expression[] } {
    const c = ch(n);
    const parts = toks(c, 'nameParts');
    const args = this.argumentList(node(c, 'argumentList')!);
    const pos = this.tpos(parts[0]!);
    if (parts.length > 1) return { pos, namespace: nameOf(parts[0]!), name: nameOf(parts[1]!), args };
    return { pos, name: nameOf(parts[0]!), args };
  }

  protected argumentList(n: CstNode): Expression[] {
    return nodes(ch(n), 'expression').map(e => this.expression(e));
  }

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
          const depth = this.depthOf(left) + 1;
          if (depth === MAX_NESTING + 1) this.error(`expression nested too deeply, at most ${MAX_NESTING} levels`, tok(tc, 'Kw_in')!);
          left = this.withDepth({ kind: 'In', pos: left.pos, operand: left, table: nameOf(table) }, depth);
          continue;
        }
        const info = BIN_PREC.get(tok(tc, 'op')!.tokenType)!;
        if (info.prec < minPrec) break;
        i++;
        let right = this.unary(node(tc, 'unaryExpression')!);
        right = climb(right, info.prec + 1);
        left = this.withDepth({ kind: 'Binary', pos: left.pos, op: info.op, left, right }, Math.max(this.depthOf(left), this.depthOf(right)));
      }
      return left;
    };
    return climb(first, 0);
  }

  protected unary(n: CstNode): Expression {
    const c = ch(n);
    const notTok = tok(c, 'Kw_not');
    if (notTok) {
      const operand = this.unary(node(c, 'unaryExpression')!);
      return this.withDepth({ kind: 'Not', pos: this.tpos(notTok), operand }, this.depthOf(operand));
    }
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
    if (isNull) return this.withDepth({ kind: 'IsNull', pos: primary.pos, operand: primary }, this.depthOf(primary));
    return primary;
  }

  protected primary(n: CstNode): Expression | StreamOnlyRef {
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

  protected reference(n: CstNode): Expression | StreamOnlyRef {
    const c = ch(n);
    const prefix = tok(c, 'prefix');
    const firstTok = tok(c, 'first')!;
    const first = nameOf(firstTok);
    const pos = this.tpos(prefix ?? firstTok);
    const flags = prefix ? (prefix.tokenType === T.Hash ? { isInner: true } : { isFault: true }) : undefined;
    const args = node(c, 'argumentList');
    if (args) {
      const fnName = tok(c, 'fnName');
      const list = this.argumentList(args);
      const depth = list.reduce((d, a) => Math.max(d, this.depthOf(a)), 0);
      if (fnName) return this.withDepth({ kind: 'FunctionCall', pos, namespace: first, name: nameOf(fnName), args: list }, depth);
      return this.withDepth({ kind: 'FunctionCall', pos, name: first, args: list }, depth);
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

  protected intValue(t: IToken, negative: boolean): number {
    const v = Number(t.image);
    if (v > INT_MAX + (negative ? 1 : 0)) {
      this.error(`integer number too large: ${t.image}`, t);
      return 0;
    }
    return negative ? -v : v;
  }

  protected numberValue(n: CstNode): Constant {
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
        const big = negative ? -BigInt(digits) : BigInt(digits);
        if (big > LONG_MAX || big < JAVA_LIMITS.LONG_MIN) this.error(`long number too large: ${img}`, t);
        return { kind: 'Constant', pos, type: 'LONG', value: longOf(big) };
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

  protected timeValue(n: CstNode): Constant {
    const c = ch(n);
    const nums = toks(c, 'num');
    return { kind: 'Constant', pos: this.tpos(nums[0]!), type: 'LONG', value: this.timeMillis(nums, toks(c, 'unit')), isTime: true };
  }

  protected timeMillis(nums: IToken[], units: IToken[]): number {
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
      const isLong = numTok.tokenType === T.LongLit;
      const digits = isLong ? numTok.image.slice(0, -1) : numTok.image;
      if (isLong ? BigInt(digits) > LONG_MAX : Number(digits) > INT_MAX) {
        this.error(`${isLong ? 'long' : 'integer'} number too large: ${numTok.image}`, numTok);
        continue;
      }
      total += Number(digits) * info.ms;
    }
    // Beyond this a time value is no longer exact (and would print as another one).
    if (total > Number.MAX_SAFE_INTEGER) this.error(`time value too large: more than ${Number.MAX_SAFE_INTEGER} milliseconds`, nums[0]!);
    return total;
  }
}
