/**
 * The binary operators: their type rules and what they compute from an already evaluated left
 * operand. The expression compiler walks a chain of binary operators (`a + b + c`, left-deep in
 * the AST) in a loop and applies these steps one after the other, so that neither compiling nor
 * evaluating a chain of thousands of terms recurses once per term.
 */
import type { AttrType, BinaryOp } from '../ast/nodes';
import type { Value } from '../kernel/event';
import type { Eval, EvalCtx } from '../kernel/eval-context';
import * as J from '../kernel/java-num';

/** One binary operator applied to the value of its left operand; evaluates the right one itself. */
export type BinaryStep = (left: Value, ctx: EvalCtx) => Value;

const NUMERIC_RANK: Partial<Record<AttrType, number>> = { INT: 1, LONG: 2, FLOAT: 3, DOUBLE: 4 };
const isNumeric = (t: AttrType) => NUMERIC_RANK[t] !== undefined;
const lower = (t: AttrType) => t.toLowerCase();

function widen(a: AttrType, b: AttrType): AttrType {
  return NUMERIC_RANK[a]! >= NUMERIC_RANK[b]! ? a : b;
}

type NumOp = (a: never, b: never) => Value;

const ARITH: Record<'+' | '-' | '*' | '/' | '%', Record<'INT' | 'LONG' | 'FLOAT' | 'DOUBLE', NumOp>> = {
  '+': { INT: J.intAdd, LONG: J.longAdd, FLOAT: J.floatAdd, DOUBLE: (a: number, b: number) => a + b },
  '-': { INT: J.intSub, LONG: J.longSub, FLOAT: J.floatSub, DOUBLE: (a: number, b: number) => a - b },
  '*': { INT: J.intMul, LONG: J.longMul, FLOAT: J.floatMul, DOUBLE: (a: number, b: number) => a * b },
  '/': { INT: J.intDiv, LONG: J.longDiv, FLOAT: J.floatDiv, DOUBLE: J.doubleDiv },
  '%': { INT: J.intMod, LONG: J.longMod, FLOAT: J.floatMod, DOUBLE: J.doubleMod },
};

/** Whether a LONG operand meets a FLOAT or DOUBLE one: Java then computes on its nearest double. */
const toDouble = (from: AttrType, wide: AttrType) => from === 'LONG' && (wide === 'FLOAT' || wide === 'DOUBLE');

/** A LONG's bigint form (beyond 2^53) cannot mix with numbers: its nearest double. */
const asDouble = (v: Value): number => (typeof v === 'bigint' ? Number(v) : (v as number));

/** The FLOAT and DOUBLE operators for when one operand is a LONG (see toDouble). */
const MIXED_ARITH: Record<'+' | '-' | '*' | '/' | '%', Record<'FLOAT' | 'DOUBLE', (a: Value, b: Value) => Value>> = {
  '+': { FLOAT: (a, b) => J.floatAdd(asDouble(a), asDouble(b)), DOUBLE: (a, b) => asDouble(a) + asDouble(b) },
  '-': { FLOAT: (a, b) => J.floatSub(asDouble(a), asDouble(b)), DOUBLE: (a, b) => asDouble(a) - asDouble(b) },
  '*': { FLOAT: (a, b) => J.floatMul(asDouble(a), asDouble(b)), DOUBLE: (a, b) => asDouble(a) * asDouble(b) },
  '/': { FLOAT: (a, b) => J.floatDiv(asDouble(a), asDouble(b)), DOUBLE: (a, b) => J.doubleDiv(asDouble(a), asDouble(b)) },
  '%': { FLOAT: (a, b) => J.floatMod(asDouble(a), asDouble(b)), DOUBLE: (a, b) => J.doubleMod(asDouble(a), asDouble(b)) },
};

const MIXED_COMPARE: Record<'<' | '<=' | '>' | '>=', (a: Value, b: Value) => boolean> = {
  '<': (a, b) => asDouble(a) < asDouble(b),
  '<=': (a, b) => asDouble(a) <= asDouble(b),
  '>': (a, b) => asDouble(a) > asDouble(b),
  '>=': (a, b) => asDouble(a) >= asDouble(b),
};

const COMPARE: Record<'<' | '<=' | '>' | '>=', (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/**
 * The result type and step of `left op right` for operands of types `lt` and `rt` (`rf`
 * evaluates the right operand), or the message when the types do not fit the operator.
 */
export function binaryStep(op: BinaryOp, lt: AttrType, rt: AttrType, rf: Eval): { type: AttrType; step: BinaryStep } | string {
  const wide = isNumeric(lt) && isNumeric(rt) ? widen(lt, rt) : lt;
  // A LONG beside a FLOAT or DOUBLE: the operators that convert it (the others stay as lean).
  const mixed = toDouble(lt, wide) || toDouble(rt, wide);
  switch (op) {
    case 'and':
    case 'or': {
      if (lt !== 'BOOL' || rt !== 'BOOL') return `'${op}' needs bool operands, found ${lower(lt)} and ${lower(rt)}`;
      const step: BinaryStep = op === 'and' ? (a, ctx) => a === true && rf(ctx) === true : (a, ctx) => a === true || rf(ctx) === true;
      return { type: 'BOOL', step };
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      if (!isNumeric(lt) || !isNumeric(rt)) return `Arithmetic operation between ${lt} and ${rt} cannot be executed`;
      const t = widen(lt, rt) as 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE';
      const f = (mixed ? MIXED_ARITH[op][t as 'FLOAT' | 'DOUBLE'] : ARITH[op][t]) as (a: Value, b: Value) => Value;
      return {
        type: t,
        step: (a, ctx) => {
          if (a === null) return null;
          const b = rf(ctx);
          if (b === null) return null;
          return f(a, b);
        },
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!isNumeric(lt) || !isNumeric(rt)) {
        const bad = isNumeric(lt) ? rt : lt;
        return `${lower(bad)} cannot be used in ${op === '<' || op === '<=' ? 'less than' : 'greater than'} comparisons (${lower(lt)} ${op} ${lower(rt)})`;
      }
      const cmp = mixed ? MIXED_COMPARE[op] : COMPARE[op];
      return { type: 'BOOL', step: (a, ctx) => { if (a === null) return false; const b = rf(ctx); return b !== null && cmp(a as number, b as number); } };
    }
    case '==':
    case '!=': {
      const comparable = (isNumeric(lt) && isNumeric(rt)) || (lt === rt && (lt === 'STRING' || lt === 'BOOL'));
      if (!comparable) return `${lower(lt)} cannot be compared with ${lower(rt)}`;
      const step: BinaryStep = mixed
        ? op === '=='
          ? (a, ctx) => { if (a === null) return false; const b = rf(ctx); return b !== null && asDouble(a) === asDouble(b); }
          : (a, ctx) => { if (a === null) return false; const b = rf(ctx); return b !== null && asDouble(a) !== asDouble(b); }
        : op === '=='
          ? (a, ctx) => { if (a === null) return false; const b = rf(ctx); return b !== null && a === b; }
          : (a, ctx) => { if (a === null) return false; const b = rf(ctx); return b !== null && a !== b; };
      return { type: 'BOOL', step };
    }
  }
}

/** Chains longer than this evaluate in a loop; shorter ones as nested closures (one call per step). */
const LOOP_AT = 8;

/** The evaluator of `base step1 step2 ...`, applied left to right. */
export function chain(base: Eval, steps: readonly BinaryStep[]): Eval {
  if (steps.length >= LOOP_AT) {
    return ctx => {
      let v = base(ctx);
      for (let i = 0; i < steps.length; i++) v = steps[i]!(v, ctx);
      return v;
    };
  }
  let fn = base;
  for (const step of steps) {
    const lf = fn;
    fn = ctx => step(lf(ctx), ctx);
  }
  return fn;
}
