import type { AttrType, Binary, Expression, FunctionCall, Pos } from '../ast/nodes';
import type { ArgInfo } from '../builtins/descriptor';
import { checkArgs } from '../builtins/arg-checker';
import { BuiltinArgError } from '../errors/millrace-error';
import type { Compiled, Scope } from '../plan/expression-scope';
import { aggregateFunctions } from '../builtins/aggregates/aggregate-functions';
import { scalarFunctions } from '../builtins/functions/scalar-functions';
import type { Diagnostic } from '../errors/millrace-error';
import { binaryStep, chain, type BinaryStep } from './binary-ops';

const lower = (t: AttrType) => t.toLowerCase();

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
        if (typeof r === 'string') return this.error(e.pos, r, (e.streamRef ? e.streamRef.length + 1 + (e.isInner || e.isFault ? 1 : 0) : 0) + e.attribute.length);
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
        const present = scope.resolvePresence?.((e.isInner ? '#' : e.isFault ? '!' : '') + e.streamRef, e.index);
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

  /**
   * A chain of binary operators, `((a + b) + c) + d` in the AST: walked down its left spine in a
   * loop (a chain may have thousands of terms), then compiled bottom-up, each right operand in
   * turn, as nested binaries were: every operand is compiled even after an error.
   */
  private binary(top: Binary, scope: Scope): Compiled {
    const spine: Binary[] = [];
    let bottom: Expression = top;
    for (; bottom.kind === 'Binary'; bottom = bottom.left) spine.push(bottom);
    const base = this.compile(bottom, scope);
    let type = base.type;
    let hasAggregate = base.hasAggregate;
    const steps: BinaryStep[] = [];
    for (let i = spine.length - 1; i >= 0; i--) {
      const e = spine[i]!;
      const r = this.compile(e.right, scope);
      hasAggregate = hasAggregate || r.hasAggregate;
      if (type === null || r.type === null) {
        type = null;
        continue;
      }
      const s = binaryStep(e.op, type, r.type, r.fn);
      if (typeof s === 'string') {
        this.error(e.pos, s);
        type = null;
        continue;
      }
      type = s.type;
      steps.push(s.step);
    }
    if (type === null) return BAD;
    return { type, fn: chain(base.fn, steps), hasAggregate };
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
