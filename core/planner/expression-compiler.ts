import type { AttrType, Binary, Expression, FunctionCall, Pos } from '../ast/nodes';
import type { ArgInfo } from '../builtins/descriptor';
import { checkArgs } from '../builtins/arg-checker';
import { BuiltinArgError } from '../errors/millrace-error';
import type { Compiled, Scope } from '../plan/expression-scope';
import { aggregateFunctions } from '../builtins/aggregates/aggregate-functions';
import { scalarFunctions } from '../builtins/functions/scalar-functions';
import type { Diagnostic } from '../errors/millrace-error';
import type { Eval } from '../kernel/eval-context';
import type { Value } from '../kernel/event';
import * as J from '../kernel/java-num';

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

/**
 * An operand of type `from` as Java promotes it to `to`: a LONG meeting a FLOAT or DOUBLE becomes
 * the nearest double (its bigint form cannot mix with numbers); everything else is unchanged.
 */
function promoted(fn: Eval, from: AttrType, to: AttrType): Eval {
  if (from !== 'LONG' || (to !== 'FLOAT' && to !== 'DOUBLE')) return fn;
  return ctx => {
    const v = fn(ctx);
    return typeof v === 'bigint' ? Number(v) : v;
  };
}

const BAD: Compiled = { type: null, fn: () => null };

export class ExpressionCompiler {
  constructor(private readonly diagnostics: Diagnostic[]) {}

  private error(pos: Pos, message: string, length = 1): Compiled {
    this.diagnostics.push({ pos, message, length });
    return BAD;
  }

  compile(e: Expression, scope: Scope): Compiled {
    switch (e.kind) {
      case 'Constant': {
        const value = e.value;
        return { type: e.type, fn: () => value, constant: { value } };
      }
      case 'Variable': {
        const r = scope.resolveVariable(e);
        if (typeof r === 'string') return this.error(e.pos, r, (e.streamRef ? e.streamRef.length + 1 : 0) + e.attribute.length);
        return { type: r.type, fn: r.fn, attributeIndex: r.attributeIndex };
      }
      case 'Binary':
        return this.binary(e, scope);
      case 'Not': {
        const o = this.compile(e.operand, scope);
        if (o.type !== null && o.type !== 'BOOL') return this.error(e.pos, `'not' needs a bool operand, found ${lower(o.type)}`, 3);
        const f = o.fn;
        return { type: 'BOOL', fn: ctx => f(ctx) !== true, hasAggregate: o.hasAggregate };
      }
      case 'IsNull': {
        const op = e.operand;
        if (op.kind === 'Variable' && op.streamRef === undefined && op.index === undefined) {
          // `A is null` where A names a join side rather than an attribute.
          const attr = scope.resolveVariable(op);
          const present = typeof attr === 'string' ? scope.resolvePresence?.(op.attribute) : undefined;
          if (present) return { type: 'BOOL', fn: ctx => present(ctx) !== true };
        }
        const o = this.compile(op, scope);
        const f = o.fn;
        return { type: 'BOOL', fn: ctx => f(ctx) === null, hasAggregate: o.hasAggregate };
      }
      case 'IsNullStream': {
        const present = scope.resolvePresence?.((e.isFault ? '!' : '') + e.streamRef, e.index);
        if (!present)
          return this.error(
            e.pos,
            e.index === undefined
              ? `'${e.streamRef}' in '${e.streamRef} is null' is not a join side or pattern reference of this query`
              : `'${e.streamRef}[...] is null' needs '${e.streamRef}' to be a pattern or sequence reference of this query`,
            e.streamRef.length,
          );
        return { type: 'BOOL', fn: ctx => present(ctx) !== true };
      }
      case 'In': {
        if (!scope.resolveIn) return this.error(e.pos, `'in ${e.table}' cannot be used here`);
        const r = scope.resolveIn(e);
        if (typeof r === 'string') return this.error(e.pos, r);
        return r;
      }
      case 'FunctionCall':
        return this.call(e, scope);
    }
  }

  /** Compiles a condition and checks that it is BOOL. */
  condition(e: Expression, scope: Scope, what: string): Compiled {
    const c = this.compile(e, scope);
    if (c.type !== null && c.type !== 'BOOL')
      return this.error(e.pos, `${what} must be of type BOOL, found ${c.type} (Return type of the condition should be of type BOOL. Actual type: ${c.type})`);
    return c;
  }

  private binary(e: Binary, scope: Scope): Compiled {
    const l = this.compile(e.left, scope);
    const r = this.compile(e.right, scope);
    const hasAggregate = l.hasAggregate || r.hasAggregate;
    if (l.type === null || r.type === null) return BAD;
    const lt = l.type;
    const rt = r.type;
    // Numeric operands meet at the wider type (a LONG beside a DOUBLE is a double).
    const wide = isNumeric(lt) && isNumeric(rt) ? widen(lt, rt) : lt;
    const lf = promoted(l.fn, lt, wide);
    const rf = promoted(r.fn, rt, wide);
    switch (e.op) {
      case 'and':
      case 'or': {
        if (lt !== 'BOOL' || rt !== 'BOOL') return this.error(e.pos, `'${e.op}' needs bool operands, found ${lower(lt)} and ${lower(rt)}`);
        const fn: Eval = e.op === 'and' ? ctx => lf(ctx) === true && rf(ctx) === true : ctx => lf(ctx) === true || rf(ctx) === true;
        return { type: 'BOOL', fn, hasAggregate };
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        if (!isNumeric(lt) || !isNumeric(rt)) return this.error(e.pos, `Arithmetic operation between ${lt} and ${rt} cannot be executed`);
        const t = wide as 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE';
        const op = ARITH[e.op][t] as (a: Value, b: Value) => Value;
        return {
          type: t,
          hasAggregate,
          fn: ctx => {
            const a = lf(ctx);
            if (a === null) return null;
            const b = rf(ctx);
            if (b === null) return null;
            return op(a, b);
          },
        };
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        if (!isNumeric(lt) || !isNumeric(rt)) {
          const bad = isNumeric(lt) ? rt : lt;
          return this.error(e.pos, `${lower(bad)} cannot be used in ${e.op === '<' || e.op === '<=' ? 'less than' : 'greater than'} comparisons (${lower(lt)} ${e.op} ${lower(rt)})`);
        }
        const cmp = COMPARE[e.op];
        return { type: 'BOOL', hasAggregate, fn: ctx => { const a = lf(ctx); if (a === null) return false; const b = rf(ctx); return b !== null && cmp(a as number, b as number); } };
      }
      case '==':
      case '!=': {
        const comparable = (isNumeric(lt) && isNumeric(rt)) || (lt === rt && (lt === 'STRING' || lt === 'BOOL'));
        if (!comparable) return this.error(e.pos, `${lower(lt)} cannot be compared with ${lower(rt)}`);
        const fn: Eval =
          e.op === '=='
            ? ctx => { const a = lf(ctx); if (a === null) return false; const b = rf(ctx); return b !== null && a === b; }
            : ctx => { const a = lf(ctx); if (a === null) return false; const b = rf(ctx); return b !== null && a !== b; };
        return { type: 'BOOL', fn, hasAggregate };
      }
    }
  }

  private call(e: FunctionCall, scope: Scope): Compiled {
    const args = e.args.map(a => this.compile(a, scope));
    const hasAggregateArg = args.some(a => a.hasAggregate);
    if (args.some(a => a.type === null)) return BAD;
    const infos: ArgInfo[] = args.map(a => ({ type: a.type!, constant: a.constant, attributeIndex: a.attributeIndex }));
    const fullName = e.namespace ? `${e.namespace}:${e.name}` : e.name;
    const nameLen = fullName.length;
    if (e.namespace) return this.error(e.pos, `No extension exist for function '${fullName}' (namespaced functions come from Siddhi extensions, which Millrace does not have)`, nameLen);
    try {
      const user = scope.userFunctions.get(e.name);
      if (user) return { type: user.returnType, fn: user.make(args.map(a => a.fn)), hasAggregate: hasAggregateArg };
      const scalar = scalarFunctions.get(e.name);
      if (scalar) {
        const p = scalar.plan(checkArgs(scalar, infos));
        return { type: p.type, fn: p.make(args.map(a => a.fn)), hasAggregate: hasAggregateArg };
      }
      const agg = aggregateFunctions.get(e.name);
      if (agg) {
        if (!scope.aggregate) return this.error(e.pos, `aggregate function '${e.name}' cannot be used here; aggregates belong in a select clause`, nameLen);
        if (hasAggregateArg) return this.error(e.pos, `aggregate function '${e.name}' cannot take another aggregate as its argument`, nameLen);
        const planned = agg.plan(checkArgs(agg, infos));
        const reader = scope.aggregate(planned, args, e);
        if (typeof reader === 'string') return this.error(e.pos, reader, nameLen);
        return { type: planned.type, fn: reader, hasAggregate: true };
      }
    } catch (err) {
      if (err instanceof BuiltinArgError) return this.error(e.pos, err.message, nameLen);
      throw err;
    }
    return this.error(e.pos, `'${e.name}' is neither a function extension nor an aggregated attribute extension`, nameLen);
  }
}

const COMPARE: Record<'<' | '<=' | '>' | '>=', (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};
