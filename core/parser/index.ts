/**
 * SiddhiQL 5.1 parser: text → AST (core/ast/nodes.ts).
 *
 * @example
 *   const app = parseApp("@app:name('Shop') define stream S (a int); from S[a > 1] select a insert into T;");
 *   app.elements[0].kind === 'Query';
 *
 * Every problem found is reported at once in a {@link ParseError}: lexical errors, syntax errors
 * (the parser recovers and keeps going, so several broken queries give several diagnostics) and
 * the few checks done while building the AST. Positions refer to the original text, also when
 * `${VAR}` substitution changed lengths (see source.ts).
 */
import type { CstNode, IRecognitionException, IToken } from 'chevrotain';
import type { App, Expression, OnDemandQuery } from '../ast/nodes';
import { ParseError, type Diagnostic } from '../errors/millrace-error';
import { AstBuilder } from './builder';
import { SiddhiParser } from './grammar';
import { Semi, tokenize } from './lexer';
import { MAX_NESTING, tooDeep } from './nesting';
import { substitute, SourceText, withoutBom } from './source';

export { MAX_NESTING, MAX_PATTERN_STATES } from './nesting';
export { withoutBom } from './source';

export interface ParseOptions {
  /** Looks up `${NAME}` variables. Without it, any `${NAME}` in the text is an error. */
  readonly env?: (name: string) => string | undefined;
}

const parser = new SiddhiParser();

type Entry = 'app' | 'onDemandQuery' | 'standaloneExpression';

function run(original: string, entry: Entry, env: ParseOptions['env'], substituteVars: boolean): { cst: CstNode; builder: AstBuilder } {
  const text = withoutBom(original);
  let source: SourceText;
  if (substituteVars) {
    const sub = substitute(text, env);
    if (sub.diagnostics.length > 0) throw new ParseError(text, sub.diagnostics);
    source = sub.source;
  } else {
    source = new SourceText(text, text, []);
  }
  const lexed = tokenize(source.text);
  const diagnostics: Diagnostic[] = lexed.errors.map(e => ({ message: e.message, pos: source.pos(e.offset), length: Math.max(1, e.length) }));
  // Checked before parsing: every later stage recurses per level of nesting (see nesting.ts).
  const deep = tooDeep(lexed.tokens);
  if (deep) {
    diagnostics.push({ message: `expression nested too deeply, at most ${MAX_NESTING} levels`, pos: source.pos(deep.startOffset), length: deep.image.length });
    throw new ParseError(text, dedupe(diagnostics));
  }

  parser.prepare(lexed.tokens);
  const cst = parser[entry]();
  diagnostics.push(...syntaxDiagnostics(lexed.tokens, source));
  if (diagnostics.length > 0) throw new ParseError(text, dedupe(diagnostics));
  return { cst, builder: new AstBuilder(source) };
}

/**
 * The parser's errors (chevrotain recovers and goes on) and the grammar's own (a missing `;`).
 * Once the parser has gone wrong in a statement, what it finds further in that statement, or a
 * few tokens on, is most likely a consequence of how it recovered: each broken statement is
 * reported once, at its first error.
 */
function syntaxDiagnostics(tokens: readonly IToken[], source: SourceText): Diagnostic[] {
  const out: Diagnostic[] = [];
  const endOffset = tokens.length > 0 ? tokenEnd(tokens[tokens.length - 1]!) : source.text.length;
  const at = (t: IToken | undefined, prev: IToken | undefined): { offset: number; length: number } => {
    if (t && Number.isFinite(t.startOffset)) return { offset: t.startOffset, length: Math.max(1, t.image.length) };
    if (prev && Number.isFinite(prev.startOffset)) return { offset: tokenEnd(prev), length: 1 };
    return { offset: endOffset, length: 1 };
  };
  // Statements end at `;`, which occurs nowhere else (strings and function bodies are one token).
  const semis = tokens.filter(t => t.tokenType === Semi);
  const statementOf = (offset: number) => tokenIndexAt(semis, offset);
  const syntax = (parser.errors as (IRecognitionException & { previousToken?: IToken })[]).map(e => ({ e, where: at(e.token, e.previousToken) }));
  syntax.sort((a, b) => a.where.offset - b.where.offset);
  const errorOffsets = new Set<number>();
  /** The offset of each broken statement's first error. */
  const firstError = new Map<number, number>();
  let lastIndex = -Infinity;
  for (const { e, where } of syntax) {
    errorOffsets.add(where.offset);
    const index = tokenIndexAt(tokens, where.offset);
    const statement = statementOf(where.offset);
    const cascade = firstError.has(statement) || index < lastIndex + CASCADE_TOKENS;
    lastIndex = index;
    if (!firstError.has(statement)) firstError.set(statement, where.offset);
    if (cascade) continue;
    out.push({ message: e.message, pos: source.pos(where.offset), length: where.length });
  }
  for (const e of parser.extraErrors) {
    const where = at(e.token, undefined);
    // A missing `;` where a syntax error was reported, or after one in its statement, follows from it.
    if (errorOffsets.has(where.offset)) continue;
    const first = firstError.get(statementOf(where.offset));
    if (first !== undefined && first < where.offset) continue;
    out.push({ message: e.message, pos: source.pos(where.offset), length: where.length });
  }
  return out;
}

/** Syntax errors closer than this many tokens to the one before are not reported. */
const CASCADE_TOKENS = 4;

/** The index of the first token starting at or after `offset` (tokens.length at the end). */
function tokenIndexAt(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function tokenEnd(t: IToken): number {
  return t.startOffset + t.image.length;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  ds.sort((a, b) => a.pos.offset - b.pos.offset);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const d of ds) {
    const key = `${d.pos.offset}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function finish<T>(text: string, builder: AstBuilder, result: T): T {
  if (builder.diagnostics.length > 0) throw new ParseError(withoutBom(text), dedupe([...builder.diagnostics]));
  return result;
}

/** Parses a whole Siddhi app. Throws {@link ParseError} with every diagnostic found. */
export function parseApp(text: string, options?: ParseOptions): App {
  const { cst, builder } = run(text, 'app', options?.env, true);
  return finish(text, builder, builder.app(cst));
}

/** Parses an on-demand (store) query such as `from T on T.a > 1 select a` or `delete T on T.a == 1`. */
export function parseOnDemandQuery(text: string, options?: ParseOptions): OnDemandQuery {
  const { cst, builder } = run(text, 'onDemandQuery', options?.env, true);
  return finish(text, builder, builder.onDemandQuery(cst));
}

/** Parses a single expression, e.g. the text of `#window.expression('count() <= 20')`. */
export function parseExpression(text: string): Expression {
  const { cst, builder } = run(text, 'standaloneExpression', undefined, false);
  return finish(text, builder, builder.expression((cst.children['expression'] as CstNode[])[0]!));
}
