import { CompileError, compileApp, parseApp, ParseError } from '../../../core';
import { printApp } from '../../../core/ast/print';
import { MAX_NESTING, MAX_PATTERN_STATES } from '../../../core/parser';
import { runApp } from '../../helpers/run-app';

const DEFS = 'define stream S (a int, d double);\n';

/** Runs `select <expr> as x` on one event (a = 1, d = 0.5) and returns x. */
function select(expr: string, stream = 'S'): unknown {
  const { out } = runApp(`${DEFS}from ${stream} select ${expr} as x insert into Out;`, [['S', 1000, [1, 0.5]]], ['Out']);
  expect(out).toHaveLength(1);
  return out[0]!.data[0];
}

function compileError(text: string): CompileError {
  try {
    compileApp(text);
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  throw new Error('expected a CompileError');
}

/** The diagnostic of an app whose query (line 2) selects `expr`; `column` is where it must point. */
function tooDeep(expr: string) {
  const e = compileError(`${DEFS}from S select ${expr} as x insert into Out;`);
  expect(e).toBeInstanceOf(ParseError);
  expect(e.diagnostics).toHaveLength(1);
  return e.diagnostics[0]!;
}

const MESSAGE = `expression nested too deeply, at most ${MAX_NESTING} levels`;
const COL = 'from S select '.length + 1;
const nest = (open: string, inner: string, close: string, n: number) => open.repeat(n) + inner + close.repeat(n);

/** printApp's text parses back to the same printed text. */
function printsBack(text: string): void {
  const printed = printApp(parseApp(text));
  expect(printApp(parseApp(printed))).toBe(printed);
}

describe('the nesting limit', () => {
  test('is 100 levels', () => {
    expect(MAX_NESTING).toBe(100);
  });

  test('500 nested parentheses: the 101st is reported, before anything recurses', () => {
    const d = tooDeep(nest('(', 'a', ')', 500));
    expect(d).toEqual({ message: MESSAGE, pos: { line: 2, column: COL + MAX_NESTING, offset: DEFS.length + COL - 1 + MAX_NESTING }, length: 1 });
  });

  test("5,000 `not`s: the 101st is reported, underlining the 'not'", () => {
    const d = tooDeep(`${'not '.repeat(5000)}(a > 0)`);
    expect(d).toEqual({ message: MESSAGE, pos: { line: 2, column: COL + 4 * MAX_NESTING, offset: DEFS.length + COL - 1 + 4 * MAX_NESTING }, length: 3 });
  });

  test('10,000 nested parentheses and function calls are reported too', () => {
    expect(tooDeep(nest('(', 'a', ')', 10000)).pos.column).toBe(COL + MAX_NESTING);
    expect(tooDeep(nest('coalesce(', 'a', ')', 10000)).pos.column).toBe(COL + 'coalesce('.length * (MAX_NESTING + 1) - 1);
  });

  test('at the limit, apps parse, plan, run and print', () => {
    expect(select(nest('(', 'a', ')', MAX_NESTING))).toBe(1);
    expect(select(`${'not '.repeat(MAX_NESTING - 1)}(a > 0)`)).toBe(false);
    expect(select(`${'not '.repeat(MAX_NESTING)}true`)).toBe(true);
    expect(select(nest('coalesce(', 'a', ')', MAX_NESTING))).toBe(1);
    // `not (` is two levels; every level of parentheses adds two binary operators to the AST.
    expect(select(nest('not (', 'a > 0', ')', MAX_NESTING / 2))).toBe(true);
    expect(select(nest('a + 1 * (', 'a', ')', MAX_NESTING))).toBe(MAX_NESTING + 1);
    expect(select(nest('a > 0 or a < 0 and not (', 'true', ')', MAX_NESTING / 2))).toBe(true);
    for (const e of [nest('(', 'a', ')', MAX_NESTING), nest('a + 2 * (', 'a', ')', MAX_NESTING), nest('coalesce(', 'a', ')', MAX_NESTING)])
      printsBack(`${DEFS}from S select ${e} as x insert into Out;`);
  });

  test('one level more is an error wherever it is', () => {
    expect(tooDeep(nest('(', 'a', ')', MAX_NESTING + 1)).pos.column).toBe(COL + MAX_NESTING);
    expect(tooDeep(`${'not '.repeat(MAX_NESTING + 1)}true`).pos.column).toBe(COL + 4 * MAX_NESTING);
    expect(tooDeep(nest('not (', 'a > 0', ')', MAX_NESTING / 2 + 1)).pos.column).toBe(COL + 5 * (MAX_NESTING / 2));
    // A filter's `[` is a level.
    const filter = (n: number) => `${DEFS}from S[${nest('(', 'a > 0', ')', n)}] select a insert into Out;`;
    expect(() => compileApp(filter(MAX_NESTING - 1))).not.toThrow();
    expect(compileError(filter(MAX_NESTING)).diagnostics[0]!.pos).toMatchObject({ line: 2, column: 'from S['.length + MAX_NESTING });
    // Annotations nest with their parentheses.
    const annotation = (n: number) => `${nest('@a(', '', ')', n)}\n${DEFS}`;
    expect(() => parseApp(annotation(MAX_NESTING))).not.toThrow();
    expect(compileError(annotation(MAX_NESTING + 1)).diagnostics[0]).toMatchObject({ message: MESSAGE, pos: { line: 1, column: 3 * MAX_NESTING + 3 } });
  });

  test('levels close: a long text of shallow expressions is no deeper than its deepest part', () => {
    const many = Array.from({ length: 3000 }, () => '(a) + coalesce((a * (a - 1))) * 0').join(' + ');
    expect(() => compileApp(`${DEFS}from S select ${many} as x insert into Out;`)).not.toThrow();
    expect(select(Array.from({ length: 3000 }, () => 'not (a < 0)').join(' and '))).toBe(true);
  });

  test('the error is reported with the lexical errors, at its line', () => {
    const e = compileError(`define stream S (a int);\nfrom S select 'x insert into T;\nfrom S select ${nest('(', 'a', ')', 200)} as x insert into Out;`);
    expect(e.diagnostics.map(d => [d.pos.line, d.message])).toEqual([
      [2, expect.stringContaining('unterminated string')],
      [3, MESSAGE],
    ]);
  });
});

describe('`in` nests its left operand', () => {
  const TABLE = "define stream S (a int, d double); define table Tab (a int, ok bool);\n";
  const ins = (n: number) => `${TABLE}from S[a == 1 ${'in Tab '.repeat(n)}] select a insert into Out;`;

  test('10,000 `in`s in a row: the 101st is reported at its position', () => {
    const e = compileError(ins(10000));
    expect(e).toBeInstanceOf(ParseError);
    expect(e.diagnostics).toEqual([{ message: MESSAGE, pos: expect.objectContaining({ line: 2, column: 'from S[a == 1 '.length + 1 + 'in Tab '.length * MAX_NESTING }), length: 2 }]);
  });

  test('at the limit the app plans and runs', () => {
    const { out } = runApp(`${TABLE}from S select a, a > 0 as ok insert into Tab;\n${ins(MAX_NESTING).split('\n')[1]}`, [['S', 1, [1, 0]]], ['Out']);
    // `a == 1 in Tab` is true of some row (the row a = 1 exists), and so on outwards. (Each `in`
    // scans the table once for every row the one around it tries: one row keeps this quick.)
    expect(out.map(o => o.data)).toEqual([[1]]);
  });

  test("`in`s nested through other operators and parentheses count together; separate ones do not", () => {
    // 100 parentheses (the limit) holding 101 nested `in`s. (Compiling these took time exponential
    // in the nesting before: a table key was tried by compiling each `==` operand once more.)
    const through = (n: number) => `${TABLE}from S select ${nest('(', 'a == 1 in Tab', ' == true in Tab)', n)} as x insert into Out;`;
    expect(() => compileApp(through(MAX_NESTING - 1))).not.toThrow();
    const e = compileError(through(MAX_NESTING));
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]!.message).toBe(MESSAGE);
    expect(e.diagnostics[0]!.pos.column).toBe(through(MAX_NESTING).split('\n')[1]!.lastIndexOf(' in Tab') + 2);
    const separate = Array.from({ length: 5000 }, (_, i) => `a == ${i + 1} in Tab`).join(' or ');
    const app = `${TABLE}define stream Init (a int);\nfrom Init select a, true as ok insert into Tab;\nfrom S[${separate}] select a insert into Out;`;
    const { out } = runApp(app, [['Init', 1, [4000]], ['S', 2, [1, 0]]], ['Out']);
    expect(out.map(o => o.data)).toEqual([[1]]);
  });
});

describe('the pattern length limit', () => {
  const pattern = (n: number, sep: string) => `${DEFS}from ${Array.from({ length: n }, (_, i) => `e${i}=S[a > ${i}]`).join(` ${sep} `)} select e0.a insert into Out;`;

  test('is 500 states', () => {
    expect(MAX_PATTERN_STATES).toBe(500);
  });

  test.each(['->', ','])('10,000 states joined by %s: the 501st is reported at its reference', sep => {
    const text = pattern(10000, sep);
    const e = compileError(text);
    const at = text.indexOf(`e${MAX_PATTERN_STATES}=`);
    expect(e.diagnostics).toEqual([{ message: `pattern or sequence too long, at most ${MAX_PATTERN_STATES} states`, pos: { line: 2, column: at - DEFS.length + 1, offset: at }, length: `e${MAX_PATTERN_STATES}`.length }]);
  });

  test('at the limit a pattern plans, runs and prints', () => {
    const text = pattern(MAX_PATTERN_STATES, '->');
    const events: [string, number, unknown[]][] = Array.from({ length: MAX_PATTERN_STATES }, (_, i) => ['S', i + 1, [i + 1, 0]]);
    const { out } = runApp(text, events as never, ['Out']);
    expect(out.map(o => o.data)).toEqual([[1]]);
    printsBack(text);
  });

  test('states in groups and absent states count too', () => {
    const half = (from: number) => Array.from({ length: MAX_PATTERN_STATES / 2 }, (_, i) => `e${from + i}=S`).join(' -> ');
    expect(compileError(`${DEFS}from every (${half(0)}) -> (${half(1000)}) -> not S for 1 sec select e0.a insert into Out;`).diagnostics[0]!.message).toBe(
      `pattern or sequence too long, at most ${MAX_PATTERN_STATES} states`,
    );
  });
});

describe('long flat chains are not nesting', () => {
  const terms = (n: number, term: (i: number) => string, op: string) => Array.from({ length: n }, (_, i) => term(i)).join(` ${op} `);

  test('a sum of 10,000 terms', () => {
    expect(select(terms(10000, () => 'a', '+'))).toBe(10000);
  });

  test('a sum of 10,000 terms changes type where a double joins it', () => {
    expect(select(terms(10000, i => (i === 5000 ? 'd' : 'a'), '+'))).toBe(9999.5);
  });

  test('10,000 terms of mixed precedence', () => {
    // a - 2 * a + 3 * a - ... : left to right with `*` binding tighter.
    let expected = 0;
    const parts: string[] = [];
    for (let i = 0; i < 10000; i++) {
      const term = i % 3 === 0 ? 'a' : `${i % 7} * a`;
      const value = i % 3 === 0 ? 1 : i % 7;
      const op = i % 2 === 0 ? '+' : '-';
      parts.push(i === 0 ? term : `${op} ${term}`);
      expected = i === 0 ? value : op === '+' ? expected + value : expected - value;
    }
    expect(select(parts.join(' '))).toBe(expected);
  });

  test('an and-chain of 10,000 conditions, in a filter and in a select', () => {
    const all = terms(10000, () => 'a > 0', 'and');
    expect(select(all)).toBe(true);
    expect(select(`${all} and a > 5`)).toBe(false);
    const { out } = runApp(`${DEFS}from S[${all}] select a insert into Out;`, [['S', 1000, [1, 0]], ['S', 2000, [0, 0]]], ['Out']);
    expect(out.map(o => o.data)).toEqual([[1]]);
  });

  test('an or-chain of 10,000 conditions', () => {
    expect(select(terms(10000, () => 'a < 0', 'or'))).toBe(false);
    expect(select(`${terms(10000, () => 'a < 0', 'or')} or a == 1`)).toBe(true);
  });

  test('a 10,000-term condition on a table (the store condition looks for keys in it)', () => {
    const app = `define stream S (a int); define stream Q (k int); @PrimaryKey('a') define table T (a int);
from S insert into T;
from Q join T on T.a == Q.k and ${terms(10000, () => 'Q.k > 0', 'and')} select T.a insert into Out;`;
    const { out } = runApp(app, [['S', 1, [1]], ['S', 2, [2]], ['Q', 3, [2]]], ['Out']);
    expect(out.map(o => o.data)).toEqual([[2]]);
  });

  test('long chains print and reparse', () => {
    printsBack(`${DEFS}from S[${terms(10000, () => 'a > 0', 'and')}] select ${terms(10000, () => 'a', '+')} as x insert into Out;`);
    const printed = printApp(parseApp(`${DEFS}from S select (a + a) * a - (a - a) - a as x insert into Out;`));
    expect(printed).toContain('(a + a) * a - (a - a) - a as x');
  });

  test('a chain with a type error is reported once, at its operator', () => {
    const e = compileError(`${DEFS}from S select ${terms(10000, i => (i === 9000 ? "'s'" : 'a'), '+')} as x insert into Out;`);
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]!.message).toBe('Arithmetic operation between INT and STRING cannot be executed');
  });
});
