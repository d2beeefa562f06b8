/** Shared helpers for the parser tests. */
import { parseApp, parseExpression, parseOnDemandQuery } from '../../../core/parser';
import { CompileError, ParseError, type Diagnostic } from '../../../core/errors/millrace-error';
import type { App, Definition, Expression, Query, StateElement, StateInput } from '../../../core/ast/nodes';

export { parseApp, parseExpression, parseOnDemandQuery, ParseError, CompileError };

/** A deep copy without `pos`/`periodsPos`, for comparing shapes. */
export function strip<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'pos' || k === 'periodsPos' ? undefined : v))) as T;
}

/** Shape of an expression without positions. */
export function expr(text: string): Expression {
  return strip(parseExpression(text));
}

export const V = (attribute: string, extra: Record<string, unknown> = {}) => ({ kind: 'Variable', attribute, ...extra });
export const INT = (value: number) => ({ kind: 'Constant', type: 'INT', value });
export const LONG = (value: number) => ({ kind: 'Constant', type: 'LONG', value });
export const TIME = (value: number) => ({ kind: 'Constant', type: 'LONG', value, isTime: true });
export const STR = (value: string) => ({ kind: 'Constant', type: 'STRING', value });
export const BIN = (op: string, left: unknown, right: unknown) => ({ kind: 'Binary', op, left, right });

const DEFS = 'define stream A (a int); define stream B (b int); define stream C (c int); define table T (a int);\n';

/** The only query of `define ...;\n<query>`. */
export function query(text: string): Query {
  const app = parseApp(DEFS + text);
  expect(app.elements).toHaveLength(1);
  return app.elements[0] as Query;
}

export function definition(text: string): Definition {
  const app = parseApp(text);
  expect(app.definitions).toHaveLength(1);
  return app.definitions[0]!;
}

/** The state input of a pattern/sequence query. */
export function state(text: string): StateInput {
  const q = query(`from ${text} select * insert into Out;`);
  expect(q.input.kind).toBe('StateInput');
  return q.input as StateInput;
}

/** Compact text form of a state tree, e.g. `Next(Every(e1=A), e2=B)`. */
export function show(e: StateElement): string {
  const w = 'within' in e && e.within ? ` within ${e.within.value}` : '';
  switch (e.kind) {
    case 'StreamState':
      return `${e.ref ? `${e.ref}=` : ''}${e.input.stream.id}${e.input.handlers.map(h => (h.kind === 'Filter' ? '[..]' : `#${h.name}`)).join('')}${w}`;
    case 'AbsentState':
      return `not ${e.input.stream.id}${e.input.handlers.map(() => '[..]').join('')}${e.waitingTime ? ` for ${e.waitingTime.value}` : ''}${w}`;
    case 'CountState':
      return `Count(${show(e.element)}, ${e.min}, ${e.max ?? '∞'}, '${e.written}')${w}`;
    case 'LogicalState':
      return `(${show(e.left)} ${e.op} ${show(e.right)})${w}`;
    case 'NextState':
      return `Next(${show(e.first)}, ${show(e.next)})${w}`;
    case 'EveryState':
      return `Every(${show(e.element)})${w}`;
  }
}

/** Runs `fn`, expects a ParseError and returns it. */
export function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

export function diagnostics(text: string): readonly Diagnostic[] {
  return parseError(() => parseApp(text)).diagnostics;
}

export type { App };
