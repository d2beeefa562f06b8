/**
 * SiddhiQL tokens and lexer.
 *
 * Keywords are not lexed by their own patterns: every word is lexed as an `Identifier` and then
 * re-typed to its keyword token (case-insensitively) by {@link tokenize}. Keyword token types carry
 * the `Name` category (except `not`, `true`, `false` and `every`), so a grammar rule that consumes
 * `Name` accepts identifiers, back-ticked identifiers and keywords alike.
 */
import { createToken, Lexer, type CustomPatternMatcherReturn, type IToken, type TokenType } from 'chevrotain';

// ---------------------------------------------------------------------------------------------
// Categories

/** Anything usable as a name: identifiers, back-ticked identifiers, most keywords. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
/** year(s), month(s), week(s), day(s), hour(s), min/minute(s), sec/second(s), millisec/millisecond(s). */
export const TimeUnit = createToken({ name: 'TimeUnit', pattern: Lexer.NA, label: 'a time unit' });
/** string, int, long, float, double, bool, object. */
export const AttrTypeKw = createToken({ name: 'AttrTypeKw', pattern: Lexer.NA, label: 'an attribute type' });
/** The string literal forms. */
export const StringLit = createToken({ name: 'StringLit', pattern: Lexer.NA, label: 'a string' });

// ---------------------------------------------------------------------------------------------
// Lexed tokens

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\r\n]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });
/** A `/*` without its `*\/`: reported as a lexical error. */
const UnclosedComment = createToken({ name: 'UnclosedComment', pattern: /\/\*[\s\S]*/, group: 'unclosed', line_breaks: true });

export const TripleQuoted = createToken({ name: 'TripleQuoted', pattern: /"""[\s\S]*?"""/, categories: [StringLit], line_breaks: true, label: 'a string' });
export const DoubleQuoted = createToken({ name: 'DoubleQuoted', pattern: /"[^"\x00-\x1F]*"/, categories: [StringLit], label: 'a string' });
export const SingleQuoted = createToken({ name: 'SingleQuoted', pattern: /'[^'"\x00-\x1F]*'/, categories: [StringLit], label: 'a string' });

export const BacktickId = createToken({ name: 'BacktickId', pattern: /`[^`]*`/, categories: [Name], line_breaks: true, label: 'a name' });

export const FloatLit = createToken({
  name: 'FloatLit',
  pattern: /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]/,
  label: 'a float',
});
export const DoubleLit = createToken({
  name: 'DoubleLit',
  pattern: /(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?[dD]?|\d+[eE][+-]?\d+[dD]?|\d+[dD]/,
  label: 'a double',
});
export const LongLit = createToken({ name: 'LongLit', pattern: /\d+[lL]/, label: 'a long' });
export const IntLit = createToken({ name: 'IntLit', pattern: /\d+/, label: 'an integer' });

/** `{ ... }` with balanced braces: the body of `define function`. */
function matchScriptBody(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 123 /* { */) return null;
  let depth = 0;
  for (let i = offset; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 /* } */ && --depth === 0) return [text.slice(offset, i + 1)];
  }
  return null;
}
export const ScriptBody = createToken({
  name: 'ScriptBody',
  pattern: { exec: matchScriptBody },
  line_breaks: true,
  start_chars_hint: ['{'],
  label: 'a function body',
});

const punct = (name: string, text: string): TokenType => createToken({ name, pattern: text, label: `'${text}'` });
export const Arrow = punct('Arrow', '->');
export const TripleDot = punct('TripleDot', '...');
export const EqEq = punct('EqEq', '==');
export const NotEq = punct('NotEq', '!=');
export const LtEq = punct('LtEq', '<=');
export const GtEq = punct('GtEq', '>=');
export const Lt = punct('Lt', '<');
export const Gt = punct('Gt', '>');
export const Assign = punct('Assign', '=');
export const Bang = punct('Bang', '!');
export const Plus = punct('Plus', '+');
export const Minus = punct('Minus', '-');
export const Star = punct('Star', '*');
export const Slash = punct('Slash', '/');
export const Percent = punct('Percent', '%');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const Comma = punct('Comma', ',');
export const Semi = punct('Semi', ';');
export const Colon = punct('Colon', ':');
export const Dot = punct('Dot', '.');
export const Hash = punct('Hash', '#');
export const At = punct('At', '@');
export const Question = punct('Question', '?');

export const Identifier = createToken({ name: 'Identifier', pattern: /[a-zA-Z_][a-zA-Z_0-9]*/, categories: [Name], label: 'a name' });

// ---------------------------------------------------------------------------------------------
// Keywords (never lexed directly; see tokenize)

const keywordMap = new Map<string, TokenType>();
export const keywordTokens: TokenType[] = [];

function kw(word: string, extra: { name?: boolean; categories?: TokenType[] } = {}): TokenType {
  const categories = [...(extra.name === false ? [] : [Name]), ...(extra.categories ?? [])];
  const t = createToken({ name: `Kw_${word}`, pattern: Lexer.NA, categories, label: `'${word}'` });
  keywordMap.set(word, t);
  keywordTokens.push(t);
  return t;
}
/** Several spellings of one keyword (`sec`, `second`, `seconds`) share one token type. */
function kwAlias(t: TokenType, ...words: string[]): void {
  for (const w of words) keywordMap.set(w, t);
}

export const Define = kw('define');
export const Stream = kw('stream');
export const Table = kw('table');
export const Window = kw('window');
export const Trigger = kw('trigger');
export const Function = kw('function');
export const Aggregation = kw('aggregation');
export const Aggregate = kw('aggregate');
export const By = kw('by');
export const Every = kw('every', { name: false });
export const AtKw = kw('at');
export const Return = kw('return');
export const From = kw('from');
export const Select = kw('select');
export const Insert = kw('insert');
export const Into = kw('into');
export const Delete = kw('delete');
export const Update = kw('update');
export const Set = kw('set');
export const On = kw('on');
export const For = kw('for');
export const Events = kw('events');
export const Current = kw('current');
export const Expired = kw('expired');
export const All = kw('all');
export const First = kw('first');
export const Last = kw('last');
export const Output = kw('output');
export const Snapshot = kw('snapshot');
export const Group = kw('group');
export const Having = kw('having');
export const Order = kw('order');
export const Asc = kw('asc');
export const Desc = kw('desc');
export const Limit = kw('limit');
export const Offset = kw('offset');
export const As = kw('as');
export const Join = kw('join');
export const Inner = kw('inner');
export const Left = kw('left');
export const Right = kw('right');
export const Full = kw('full');
export const Outer = kw('outer');
export const Unidirectional = kw('unidirectional');
export const Within = kw('within');
export const Per = kw('per');
export const Partition = kw('partition');
export const With = kw('with');
export const Of = kw('of');
export const Begin = kw('begin');
export const End = kw('end');
export const Not = kw('not', { name: false });
export const And = kw('and');
export const Or = kw('or');
export const Is = kw('is');
export const Null = kw('null');
export const In = kw('in');
export const True = kw('true', { name: false });
export const False = kw('false', { name: false });

export const TypeString = kw('string', { categories: [AttrTypeKw] });
export const TypeInt = kw('int', { categories: [AttrTypeKw] });
export const TypeLong = kw('long', { categories: [AttrTypeKw] });
export const TypeFloat = kw('float', { categories: [AttrTypeKw] });
export const TypeDouble = kw('double', { categories: [AttrTypeKw] });
export const TypeBool = kw('bool', { categories: [AttrTypeKw] });
export const TypeObject = kw('object', { categories: [AttrTypeKw] });

export const Years = kw('year', { categories: [TimeUnit] });
kwAlias(Years, 'years');
export const Months = kw('month', { categories: [TimeUnit] });
kwAlias(Months, 'months');
export const Weeks = kw('week', { categories: [TimeUnit] });
kwAlias(Weeks, 'weeks');
export const Days = kw('day', { categories: [TimeUnit] });
kwAlias(Days, 'days');
export const Hours = kw('hour', { categories: [TimeUnit] });
kwAlias(Hours, 'hours');
export const Minutes = kw('min', { categories: [TimeUnit] });
kwAlias(Minutes, 'minute', 'minutes');
export const Seconds = kw('sec', { categories: [TimeUnit] });
kwAlias(Seconds, 'second', 'seconds');
export const Millis = kw('millisec', { categories: [TimeUnit] });
kwAlias(Millis, 'millisecond', 'milliseconds');

/** Milliseconds per time-unit token, and its rank (larger = coarser) for the descending-order rule. */
export const TIME_UNIT_INFO = new Map<TokenType, { ms: number; rank: number; unit?: string }>([
  [Years, { ms: 365 * 86_400_000, rank: 7, unit: 'YEARS' }],
  [Months, { ms: 30 * 86_400_000, rank: 6, unit: 'MONTHS' }],
  [Weeks, { ms: 7 * 86_400_000, rank: 5, unit: 'WEEKS' }],
  [Days, { ms: 86_400_000, rank: 4, unit: 'DAYS' }],
  [Hours, { ms: 3_600_000, rank: 3, unit: 'HOURS' }],
  [Minutes, { ms: 60_000, rank: 2, unit: 'MINUTES' }],
  [Seconds, { ms: 1000, rank: 1, unit: 'SECONDS' }],
  [Millis, { ms: 1, rank: 0 }],
]);

// ---------------------------------------------------------------------------------------------

/** Order matters: longer literal forms before their prefixes. */
const lexedTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnclosedComment,
  TripleQuoted,
  DoubleQuoted,
  SingleQuoted,
  BacktickId,
  ScriptBody,
  FloatLit,
  DoubleLit,
  LongLit,
  IntLit,
  Arrow,
  TripleDot,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Assign,
  Bang,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Semi,
  Colon,
  Dot,
  Hash,
  At,
  Question,
  Identifier,
];

/** Every token type the parser knows (categories, lexed tokens, keywords). */
export const allTokens: TokenType[] = [Name, TimeUnit, AttrTypeKw, StringLit, ...lexedTokens, ...keywordTokens];

const lexer = new Lexer(lexedTokens, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
});

export interface LexError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

export interface LexResult {
  readonly tokens: IToken[];
  readonly errors: LexError[];
}

/** Lexes `text` and re-types identifiers that spell a keyword (any case). */
export function tokenize(text: string): LexResult {
  const r = lexer.tokenize(text);
  const tokens = r.tokens;
  const idIdx = Identifier.tokenTypeIdx;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.tokenTypeIdx === idIdx) {
      const k = keywordMap.get(t.image.toLowerCase());
      if (k !== undefined) {
        t.tokenType = k;
        t.tokenTypeIdx = k.tokenTypeIdx!;
      }
    }
  }
  const errors: LexError[] = r.errors.map(e => {
    const ch = text.charAt(e.offset);
    let message: string;
    if (ch === '{') message = `unterminated function body starting at '{'`;
    else if (ch === "'" || ch === '"') message = `unterminated string literal at '${ch}'`;
    else if (ch === '`') message = `unterminated back-ticked name at '\`'`;
    else message = `token recognition error at: '${text.substr(e.offset, e.length)}'`;
    return { offset: e.offset, length: e.length, message };
  });
  for (const t of r.groups['unclosed'] ?? []) errors.push({ offset: t.startOffset, length: 2, message: `unterminated comment at '/*'` });
  return { tokens, errors };
}
