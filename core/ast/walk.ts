/**
 * Walking expressions without recursion. A chain of binary operators (`a + b + ... + z`) is a
 * left-deep tree as deep as it is long, so a walk that recursed per node would overflow the stack
 * on a long chain; these walk with a stack of their own. (True nesting, parentheses and `not`, is
 * bounded by the parser's nesting limit: see core/parser/nesting.ts.)
 */
import type { Expression } from './nodes';

/** The direct subexpressions of `e`, left to right. */
export function childExpressions(e: Expression): readonly Expression[] {
  switch (e.kind) {
    case 'Binary':
      return [e.left, e.right];
    case 'Not':
    case 'IsNull':
    case 'In':
      return [e.operand];
    case 'FunctionCall':
      return e.args;
    default:
      return [];
  }
}

/**
 * Whether `test` holds for `e` or any expression inside it, visiting in text order (pre-order,
 * left to right) and stopping at the first that does. `descend` says whether to look inside a
 * node that failed the test (default: always).
 *
 * @example
 *   someExpression(e, x => x.kind === 'FunctionCall') // e calls a function somewhere
 */
export function someExpression(e: Expression, test: (x: Expression) => boolean, descend: (x: Expression) => boolean = () => true): boolean {
  const todo: Expression[] = [e];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (test(x)) return true;
    if (!descend(x)) continue;
    const kids = childExpressions(x);
    for (let i = kids.length - 1; i >= 0; i--) todo.push(kids[i]!);
  }
  return false;
}

/** Calls `visit` on `e` and every expression inside it, in text order (pre-order, left to right). */
export function forEachExpression(e: Expression, visit: (x: Expression) => void): void {
  someExpression(e, x => {
    visit(x);
    return false;
  });
}

/**
 * The operands of a chain of one associative operator, e.g. the terms of `a and b and (c and d)`
 * for `and`: [a, b, c, d], in text order.
 */
export function chainOperands(e: Expression, op: 'and' | 'or'): Expression[] {
  const out: Expression[] = [];
  const todo: Expression[] = [e];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (x.kind === 'Binary' && x.op === op) todo.push(x.right, x.left);
    else out.push(x);
  }
  return out;
}
