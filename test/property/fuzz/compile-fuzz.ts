/**
 * Fuzzing the parser and planner: generators of apps and the property every app must satisfy.
 * Used by test/property/fuzz-compile.property.test.ts (a short run in `npm test`) and by
 * `npm run fuzz` (scripts/fuzz-compile.mjs, a million inputs).
 *
 * The property: compileApp either returns a plan or throws a CompileError whose every
 * diagnostic has a position inside the text; nothing else is thrown. An app that compiles prints
 * (core/ast/print.ts) to a text that parses back to the same AST, positions aside.
 */
import fc from 'fast-check';
import { CompileError, compileApp, parseApp } from '../../../core';
import { printApp } from '../../../core/ast/print';
import { withoutBom } from '../../../core/parser';
import { keywordTokens } from '../../../core/parser/lexer';
import { jsonWithoutPositions } from '../../../core/planner/fingerprint';

export type Outcome = 'accepted' | 'rejected';

/** A broken property: what went wrong with which text. */
export class FuzzFailure extends Error {
  constructor(
    readonly kind: 'crash' | 'position' | 'round-trip',
    message: string,
    readonly text: string,
    readonly error?: unknown,
  ) {
    super(`${kind}: ${message}`);
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Compiles `text` and checks the property; throws {@link FuzzFailure} when it does not hold. */
export function checkCompile(text: string): Outcome {
  try {
    compileApp(text);
  } catch (e) {
    if (!(e instanceof CompileError)) throw new FuzzFailure('crash', e instanceof Error ? `${e.name}: ${e.message}` : String(e), text, e);
    checkPositions(e, text);
    return 'rejected';
  }
  checkRoundTrip(text);
  return 'accepted';
}

function checkPositions(e: CompileError, text: string): void {
  const source = withoutBom(text);
  if (e.diagnostics.length === 0) throw new FuzzFailure('position', 'a CompileError without diagnostics', text, e);
  const starts = lineStarts(source);
  for (const d of e.diagnostics) {
    const { line, column, offset } = d.pos;
    const bad = (why: string) => new FuzzFailure('position', `${why}: ${JSON.stringify(d)}`, text, e);
    if (!Number.isInteger(offset) || offset < 0 || offset > source.length) throw bad('offset outside the text');
    if (!Number.isInteger(line) || line < 1 || line > starts.length) throw bad('line outside the text');
    const lineEnd = line < starts.length ? starts[line]! : source.length + 1;
    if (!Number.isInteger(column) || column < 1 || starts[line - 1]! + column - 1 >= lineEnd + 1) throw bad('column outside its line');
    if (starts[line - 1]! + column - 1 !== offset) throw bad('line and column do not match the offset');
    if (typeof d.message !== 'string' || d.message.length === 0) throw bad('no message');
  }
}

function checkRoundTrip(text: string): void {
  const ast = parseApp(text);
  let printed: string;
  let again;
  try {
    printed = printApp(ast);
    again = parseApp(printed);
  } catch (e) {
    throw new FuzzFailure('round-trip', `the printed app does not parse: ${e instanceof Error ? e.message : String(e)}`, text, e);
  }
  if (jsonWithoutPositions(again) !== jsonWithoutPositions(ast)) throw new FuzzFailure('round-trip', `the printed app parses to another AST:\n${printed}`, text);
}

// ---------------------------------------------------------------------------------------------
// Random token streams

const KEYWORDS = keywordTokens.map(t => String(t.LABEL).slice(1, -1));
const PUNCTUATION = ['->', '...', '==', '!=', '<=', '>=', '<', '>', '=', '!', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', ';', ':', '.', '#', '@', '?', '{', '}'];
const NAMES = ['S', 'T', 'W', 'A', 'B', 'Out', 'a', 'b', 'x', 'e1', 'e2', 'price', 'sym', 'length', 'time', 'sum', 'count', 'avg', 'max', 'coalesce', 'convert', 'ifThenElse', 'str', 'math'];

const identifier = fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/));
const number = fc.oneof(
  fc.nat({ max: 100 }).map(String),
  fc.constantFrom('0', '2147483647', '2147483648', '99999999999999999999', '1L', '9223372036854775808L', '1.5', '.5', '1e3', '2.5f', '3d', '1e400', '0x1F', '1_000'),
);
const stringLit = fc.oneof(
  fc.stringMatching(/^[a-z ]{0,6}$/).map(s => `'${s}'`),
  fc.stringMatching(/^[a-z ']{0,6}$/).map(s => `"${s}"`),
  fc.constantFrom('"""x\ny"""', "'unterminated", '"', '`back tick`', '`', '${X}', '${', '/* c */', '/* open', '-- line\n', '{ return 1; }'),
);
const oddChar = fc.constantFrom('\uFEFF', '\u0000', '\t', '\r', '\r\n', '^', '~', '$', '\\', '\u00e9', '\u{1F600}', '|', '&');
const token = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...KEYWORDS) },
  { weight: 5, arbitrary: fc.constantFrom(...PUNCTUATION) },
  { weight: 4, arbitrary: identifier },
  { weight: 2, arbitrary: number },
  { weight: 1, arbitrary: stringLit },
  { weight: 1, arbitrary: oddChar },
);
const separator = fc.constantFrom(' ', ' ', ' ', '', '\n', '  ', '\t');

/** Streams of tokens of the lexer's vocabulary, mostly nonsense. */
export const tokenStream: fc.Arbitrary<string> = fc
  .array(fc.tuple(token, separator), { maxLength: 60 })
  .map(ts => ts.map(([t, s]) => t + s).join(''));

// ---------------------------------------------------------------------------------------------
// Grammar-shaped apps

// One schema, so that most generated apps also plan: S and T are input streams, Tab a table, W a window.
const DEFINITIONS = [
  'define stream S (sym string, price double, vol int, ok bool);',
  'define stream T (sym string, price double, vol int);',
  "@PrimaryKey('sym') define table Tab (sym string, price double);",
  'define window W (sym string, price double) length(3);',
];
const OPTIONAL_DEFINITIONS = ['define trigger Tick at every 5 sec;', 'define function twice[javascript] return double { return data[0] * 2; };', 'define table Log (sym string, n long);'];

type Ty = 'num' | 'bool' | 'str';
const NUM_LITERALS = ['1', '2', '10', '0', '-3', '2.5', '1L', '0.5f', '100', '1e2'];

/** A typed expression over attributes `num`, `bool` and `str` of the given references. */
function typed(ty: Ty, depth: number, refs: readonly string[]): fc.Arbitrary<string> {
  const ref = (names: readonly string[]) =>
    refs.length === 0 ? fc.constantFrom(...names) : fc.tuple(fc.constantFrom(...refs), fc.constantFrom(...names)).map(([r, a]) => `${r}.${a}`);
  const leaf: Record<Ty, fc.Arbitrary<string>> = {
    num: fc.oneof(ref(['price', 'vol']), fc.constantFrom(...NUM_LITERALS)),
    bool: fc.oneof(fc.constantFrom('true', 'false'), ref(['price']).map(a => `${a} > 1`)),
    str: fc.oneof(ref(['sym']), fc.constantFrom("'IBM'", "'x'", '"WSO2"')),
  };
  if (depth <= 0) return leaf[ty];
  const num = typed('num', depth - 1, refs);
  const bool = typed('bool', depth - 1, refs);
  const str = typed('str', depth - 1, refs);
  if (ty === 'num')
    return fc.oneof(
      { weight: 4, arbitrary: leaf.num },
      { weight: 3, arbitrary: fc.tuple(num, fc.constantFrom('+', '-', '*', '/', '%'), num).map(([l, o, r]) => `${l} ${o} ${r}`) },
      { weight: 1, arbitrary: num.map(e => `(${e})`) },
      { weight: 1, arbitrary: fc.tuple(num, num).map(([a, b]) => `coalesce(${a}, ${b})`) },
      { weight: 1, arbitrary: fc.tuple(bool, num, num).map(([c, a, b]) => `ifThenElse(${c}, ${a}, ${b})`) },
      { weight: 1, arbitrary: fc.tuple(num, num).map(([a, b]) => `maximum(${a}, ${b})`) },
      { weight: 1, arbitrary: num.map(a => `convert(${a}, 'double')`) },
    );
  if (ty === 'bool')
    return fc.oneof(
      { weight: 2, arbitrary: leaf.bool },
      { weight: 3, arbitrary: fc.tuple(num, fc.constantFrom('>', '<', '>=', '<=', '==', '!='), num).map(([l, o, r]) => `${l} ${o} ${r}`) },
      { weight: 1, arbitrary: fc.tuple(str, fc.constantFrom('==', '!='), str).map(([l, o, r]) => `${l} ${o} ${r}`) },
      { weight: 2, arbitrary: fc.tuple(bool, fc.constantFrom('and', 'or'), bool).map(([l, o, r]) => `${l} ${o} ${r}`) },
      { weight: 1, arbitrary: bool.map(e => `not (${e})`) },
      { weight: 1, arbitrary: str.map(e => `${e} is null`) },
      { weight: 1, arbitrary: num.map(e => `instanceOfDouble(${e})`) },
    );
  return fc.oneof({ weight: 3, arbitrary: leaf.str }, { weight: 1, arbitrary: fc.tuple(str, str).map(([a, b]) => `coalesce(${a}, ${b})`) }, { weight: 1, arbitrary: num.map(e => `convert(${e}, 'string')`) });
}

const windowCall = fc.constantFrom('#window.length(3)', '#window.lengthBatch(2)', '#window.time(1 sec)', '#window.timeBatch(2 sec)', '#window.sort(2, price)', '#window.timeLength(1 sec, 3)');

/** select, group by, having, order by, limit and the output rate of a query over plain attributes. */
const selection = fc
  .tuple(
    fc.uniqueArray(
      fc.oneof(
        fc.constant('sym'),
        typed('num', 2, []).map(e => `${e} as x`),
        typed('bool', 1, []).map(e => `${e} as flag`),
        fc.constantFrom('sum(price) as total', 'count() as n', 'avg(vol) as av', 'max(price) as hi', 'min(vol) as lo', 'distinctCount(sym) as dc', 'stdDev(price) as sd'),
      ),
      { minLength: 1, maxLength: 4, selector: x => x.split(' as ').pop()! },
    ),
    fc.boolean(),
    fc.option(fc.constantFrom('limit 2', 'limit 1 offset 1')),
    fc.option(fc.constantFrom('output every 2 events', 'output last every 1 sec', 'output first every 3 events', 'output snapshot every 1 sec', 'output all every 2 events')),
  )
  .map(([items, group, limit, rate]) => {
    const names = items.map(i => i.split(' as ').pop()!);
    const parts = [`select ${items.join(', ')}`];
    if (group && names.includes('sym')) parts.push('group by sym');
    if (names.includes('total')) parts.push('having total > 1');
    if (names.includes('sym')) parts.push('order by sym desc');
    if (limit) parts.push(limit);
    if (rate) parts.push(rate);
    return parts.join(' ');
  });

/** A placeholder for an output stream, numbered once the app is put together (see {@link numbered}). */
const out = () => 'Out#';

const singleQuery = fc
  .tuple(fc.constantFrom('S', 'T', 'W'), fc.option(typed('bool', 2, []).map(e => `[${e}]`)), fc.option(windowCall), selection, fc.constantFrom('insert into', 'insert expired events into', 'insert all events into', 'insert current events into'))
  .map(([s, f, w, sel, ins]) => `from ${s}${f ?? ''}${s === 'W' ? '' : (w ?? '')} ${sel} ${ins} ${out()};`);
const joinQuery = fc
  .tuple(fc.constantFrom('join', 'left outer join', 'right outer join', 'full outer join', 'inner join'), windowCall, windowCall, typed('bool', 1, ['l', 'r']), fc.boolean())
  .map(([j, wa, wb, on, table]) =>
    table
      ? `from S${wa} as l join Tab as r on l.sym == r.sym and ${on} select l.sym, r.price as p insert into ${out()};`
      : `from S${wa} as l ${j} T${wb} as r on ${on} select l.sym as ls, r.price as rp, l.vol insert into ${out()};`,
  );
const patternQuery = fc
  .tuple(fc.boolean(), typed('bool', 1, []), typed('bool', 1, ['e1']), fc.constantFrom('->', ','), fc.option(fc.constantFrom('within 5 sec', 'within 1 min')), fc.option(fc.constantFrom('<2:5>', '<1:>', '<:3>')))
  .map(([every, fa, fb, sep, within, count]) => {
    const first = sep === '->' ? `${every ? 'every ' : ''}e1=S[${fa}]${count ?? ''}` : `e1=S[${fa}]`;
    const e1 = sep === '->' && count ? 'e1[0]' : 'e1';
    return `from ${first} ${sep} e2=T[${fb.replace(/\be1\./g, `${e1}.`)}] ${within ?? ''} select ${e1}.sym as s, e2.price as p insert into ${out()};`;
  });
const absentQuery = fc.constantFrom(
  'from e1=S -> not T[price > e1.price] for 1 sec select e1.sym insert into Late;',
  'from every e1=S -> e2=T[sym == e1.sym] or e3=T[price > 10] select e1.sym, e2.price as p2, e3.price as p3 insert into Either;',
  'from e1=S and e2=T select e1.sym, e2.vol insert into Both;',
);
const tableQuery = fc.constantFrom(
  'from S select sym, price update or insert into Tab on Tab.sym == sym;',
  'from S select sym, price insert into Tab;',
  'from T select sym delete Tab on Tab.sym == sym;',
  'from T select sym, price update Tab set Tab.price = price on Tab.sym == sym;',
  'from S[sym in Tab] select sym insert into Known;',
  'from S select sym, price insert into W;',
);
const query = fc
  .tuple(fc.option(fc.constantFrom("@info(name='q%') ", "@info(name = 'q%') ")), fc.oneof({ weight: 4, arbitrary: singleQuery }, { weight: 2, arbitrary: joinQuery }, { weight: 2, arbitrary: patternQuery }, { weight: 1, arbitrary: absentQuery }, { weight: 1, arbitrary: tableQuery }))
  .map(([ann, q]) => `${ann ?? ''}${q}`);
const partition = fc
  .tuple(fc.boolean(), fc.array(fc.oneof(singleQuery, fc.constant('from S select sym, count() as n insert into #Mid; from #Mid select sym, n insert into PartOut;')), { minLength: 1, maxLength: 2 }))
  .map(([range, qs]) => `partition with (${range ? "price < 10 as 'low' or price >= 10 as 'high' of S" : 'sym of S'}) begin ${qs.join(' ')} end;`);

/** A mostly valid app over one schema: definitions, then queries and partitions. */
const validishApp = fc
  .tuple(
    fc.option(fc.constantFrom("@app:name('Fuzz') ", '@app:playback ', "@app:statistics(reporter = 'console') ")),
    fc.subarray(OPTIONAL_DEFINITIONS),
    fc.array(fc.oneof({ weight: 4, arbitrary: query }, { weight: 1, arbitrary: partition }), { minLength: 1, maxLength: 3 }),
  )
  .map(([ann, extra, elements]) => numbered(`${ann ?? ''}${[...DEFINITIONS, ...extra].join('\n')}\n${elements.join('\n')}`));

/** Numbers the output streams (`Out#`) and query names (`q%`) of an app, so that they differ. */
function numbered(app: string): string {
  let outs = 0;
  let names = 0;
  return app.replace(/Out#/g, () => `Out${outs++}`).replace(/q%/g, () => `q${names++}`);
}

/** Splits an app into rough tokens (words, numbers, strings, punctuation) for mutating. */
function roughTokens(text: string): string[] {
  return text.match(/'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?[LlFfDd]?|->|\.\.\.|==|!=|<=|>=|\s+|./g) ?? [];
}

type Mutation = { kind: 'delete' | 'duplicate' | 'swap' | 'insert' | 'replace'; at: number; token: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'duplicate', 'swap', 'insert', 'replace'),
  at: fc.nat(),
  token: token,
});

function mutate(text: string, ms: readonly Mutation[]): string {
  const ts = roughTokens(text);
  for (const m of ms) {
    if (ts.length === 0) break;
    const i = m.at % ts.length;
    if (m.kind === 'delete') ts.splice(i, 1);
    else if (m.kind === 'duplicate') ts.splice(i, 0, ts[i]!);
    else if (m.kind === 'swap' && i + 1 < ts.length) [ts[i], ts[i + 1]] = [ts[i + 1]!, ts[i]!];
    else if (m.kind === 'insert') ts.splice(i, 0, ` ${m.token} `);
    else if (m.kind === 'replace') ts[i] = m.token;
  }
  return ts.join('');
}

/** Grammar-shaped apps, most unchanged, the others with a few tokens deleted, duplicated, swapped, inserted or replaced. */
export const grammarApp: fc.Arbitrary<string> = fc
  .tuple(validishApp, fc.oneof({ weight: 2, arbitrary: fc.constant([] as Mutation[]) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }))
  .map(([app, ms]) => (ms.length === 0 ? app : mutate(app, ms)));

// ---------------------------------------------------------------------------------------------
// Shapes near the limits (core/parser/nesting.ts): deep nesting, long chains, long patterns

const opener = fc.constantFrom('(', 'not (', 'coalesce(', 'not ', 'ifThenElse(true, ', 'maximum(1, ');
/** An expression nested around 100 levels deep, of random kinds of level. */
const deepExpression = fc.array(opener, { minLength: 40, maxLength: 110 }).map(opens => {
  let text = 'price > 1';
  for (let i = opens.length - 1; i >= 0; i--) {
    const o = opens[i]!;
    text = o === 'not ' ? `not ${text}` : o === 'not (' ? `not (${text})` : o.startsWith('ifThenElse') || o.startsWith('maximum') ? `${o}${text}, ${text === 'price > 1' ? 'false' : text})` : `${o}${text})`;
    if (text.length > 20000) break;
  }
  return text;
});
const longChain = fc
  .tuple(fc.integer({ min: 100, max: 3000 }), fc.constantFrom(' + ', ' * ', ' and ', ' or ', ' - '), fc.boolean())
  .map(([n, op, withIn]) => {
    const term = op === ' and ' || op === ' or ' ? (withIn ? 'price > 1 in Tab' : 'price > 1') : 'vol';
    return Array.from({ length: n }, () => term).join(op) + (op === ' and ' || op === ' or ' ? '' : ' > 0');
  });
const inChain = fc.integer({ min: 90, max: 110 }).map(n => `price > 1 ${'in Tab '.repeat(n)}`);
const longPattern = fc.tuple(fc.integer({ min: 480, max: 520 }), fc.constantFrom(' -> ', ', ')).map(([n, sep]) => Array.from({ length: n }, (_, i) => `e${i}=S[price > ${i}]`).join(sep));

/** Apps with a deeply nested or very long expression or pattern, some just over a limit, some mutated. */
export const stressApp: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(deepExpression, longChain, inChain, longPattern.map(p => `@pattern ${p}`)), fc.array(mutation, { maxLength: 2 }))
  .map(([body, ms]) => {
    const text = body.startsWith('@pattern ')
      ? `${DEFINITIONS.join('\n')}\nfrom ${body.slice('@pattern '.length)} select e0.sym insert into Out;`
      : `${DEFINITIONS.join('\n')}\nfrom S[${body}] select sym insert into Out;`;
    return ms.length === 0 ? text : mutate(text, ms);
  });
