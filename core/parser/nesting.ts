/**
 * The nesting limit, checked on the token vector before parsing.
 *
 * The parser, the builder, the planner, the printer and the compiled expressions all recurse
 * once per level of true nesting, so an app nested deeply enough would overflow the stack in any
 * of them. One limit, {@link MAX_NESTING}, is checked here, before any of them runs: each `(`,
 * `[` and `not` opens a level (a `not` applies to what follows it, so `not not a` is two levels;
 * a bracket closes every `not` before it). The limit leaves each later stage a wide margin at
 * Node's default stack size, also when the engine is called from deep inside a host; the
 * recursive-descent parser's function call (`f(f(...))`) is the most expensive level.
 *
 * Long flat chains (`a + b + ... + z`, `x and y and ...`) are not nesting: the grammar reads them
 * as a list, and every later stage walks their left-deep spine in a loop.
 */
import type { IToken } from 'chevrotain';
import * as T from './lexer';

/** How many levels of `(`, `[` and `not` an app may nest. */
export const MAX_NESTING = 100;

/**
 * How many stream states one pattern or sequence may have (`e1=A -> e2=B` has two): the planner
 * and the pattern runtime walk a pattern state by state, recursively. Checked by the AST builder
 * (builder-patterns.ts), which reads the chain in a loop.
 */
export const MAX_PATTERN_STATES = 500;

/** The first token that opens a level beyond `limit`, or undefined when the tokens stay within it. */
export function tooDeep(tokens: readonly IToken[], limit = MAX_NESTING): IToken | undefined {
  // levels[i]: the depth inside the i-th open bracket.
  const levels: number[] = [];
  let base = 0;
  let nots = 0;
  for (const t of tokens) {
    const type = t.tokenType;
    if (type === T.Not) {
      nots++;
      if (base + nots > limit) return t;
    } else if (type === T.LParen || type === T.LBracket) {
      const depth = base + nots + 1;
      if (depth > limit) return t;
      levels.push(depth);
      base = depth;
      nots = 0;
    } else if (type === T.RParen || type === T.RBracket) {
      levels.pop();
      base = levels.length > 0 ? levels[levels.length - 1]! : 0;
      nots = 0;
    } else {
      nots = 0;
    }
  }
  return undefined;
}
