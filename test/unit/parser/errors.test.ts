import * as fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompileError, ParseError, diagnostics, parseApp, parseError, parseExpression, parseOnDemandQuery } from './helpers';
import { SiddhiParser } from '../../../core/parser/grammar';

describe('syntax errors', () => {
  test('a missing `into` names the near text', () => {
    const d = diagnostics('define stream Orders (id string, amt double);\nfrom Orders select id insert Out;');
    expect(d).toEqual([{ message: "missing 'into' at 'Out'", pos: { line: 2, column: 30, offset: 75 }, length: 3 }]);
  });

  test('an unclosed parenthesis', () => {
    const d = diagnostics('define stream Orders (id string, amt double);\nfrom Orders[(amt > 1.0] select id insert into Out;');
    expect(d[0]).toEqual({ message: "missing ')' at ']'", pos: { line: 2, column: 23, offset: 68 }, length: 1 });
  });

  test('a bad token in an expression', () => {
    const d = diagnostics('define stream S (a int);\nfrom S[a > ] select a insert into T;');
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toMatch(/^mismatched input '\]', expecting one of \{'not', '\(', /);
    expect(d[0]!.pos).toEqual({ line: 2, column: 12, offset: 36 });
  });

  test('several broken queries are all reported, each on its line', () => {
    const d = diagnostics(`define stream S (a int, b string);
from S[a > 1 select a insert into T;
from S select a insert into U;
from S select a, b insert Out;
from S select a + * 2 as x insert into V;
from S#window.length(2 select a insert into W;`);
    expect(d.map(x => [x.pos.line, x.pos.column, x.message])).toEqual([
      [2, 14, "missing ']' at 'select'"],
      [4, 27, "missing 'into' at 'Out'"],
      [5, 19, expect.stringMatching(/^mismatched input '\*', expecting one of/)],
      [6, 24, "missing ')' at 'select'"],
    ]);
  });

  test('a missing `;` between elements', () => {
    const d = diagnostics('define stream S (a int)\ndefine stream X (b int);\nfrom S select a insert into T\nfrom S select a insert into U');
    expect(d.map(x => [x.pos.line, x.pos.column, x.message])).toEqual([
      [2, 1, "missing ';' at 'define'"],
      [4, 1, "missing ';' at 'from'"],
    ]);
  });

  test('a token that cannot start an element', () => {
    const d = diagnostics('defne stream S (a int);\nfrom S select a insert into T;\ndefine stream X (a int) foo;');
    expect(d.map(x => [x.pos.line, x.pos.column, x.message])).toEqual([
      [1, 1, "mismatched input 'defne', expecting one of {'define', 'from', 'partition', '@', ';'}"],
      [3, 25, "mismatched input 'foo', expecting one of {'define', 'from', 'partition', '@', ';'}"],
    ]);
  });

  test('errors at the end of the input point just after the last token', () => {
    const d = diagnostics('define stream S (a int);\nfrom S select a insert into\n\n');
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toBe("mismatched input '<EOF>', expecting a name");
    expect(d[0]!.pos).toEqual({ line: 2, column: 28, offset: 52 });
  });

  test('extraneous input', () => {
    const d = diagnostics('define stream S (a int);\nfrom S select a insert into T T2;');
    expect(d[0]).toMatchObject({ pos: { line: 2, column: 31 }, message: expect.stringContaining("'T2'") });
  });

  test('lexical and syntax errors are reported together, in text order', () => {
    const d = diagnostics("define stream S (a int);\nfrom S[a == 'x] select a insert into T;\nfrom S select a ^ 2 insert into U;\nfrom S select insert into V;");
    expect(d.map(x => [x.pos.line, x.pos.column])).toEqual([
      [2, 13],
      [3, 17],
      [3, 19],
      [4, 22],
    ]);
    expect(d[0]!.message).toContain('unterminated string');
    expect(d[1]!.message).toBe("token recognition error at: '^'");
  });

  test('errors are ParseErrors (CompileError, code PARSE) carrying the source', () => {
    const e = parseError(() => parseApp('from'));
    expect(e).toBeInstanceOf(CompileError);
    expect(e.code).toBe('PARSE');
    expect(e.source).toBe('from');
    expect(e.message).toMatch(/^1:5: /);
  });

  test('on-demand queries and expressions report errors too', () => {
    expect(parseError(() => parseOnDemandQuery('from T select a insert T')).diagnostics[0]!.message).toBe("missing 'into' at 'T'");
    expect(parseError(() => parseExpression('a +')).diagnostics).toHaveLength(1);
    expect(parseError(() => parseExpression('a b')).diagnostics[0]!.message).toBe("extraneous input 'b', expecting end of input");
  });
});

describe('format()', () => {
  test('prints file:line:col, the line and a caret', () => {
    const e = parseError(() => parseApp('define stream Orders (id string, amt double);\nfrom Orders select id insert Out;'));
    expect(e.format('app.siddhi')).toBe(
      ["app.siddhi:2:30: missing 'into' at 'Out'", '  from Orders select id insert Out;', `  ${' '.repeat(29)}^^^`].join('\n'),
    );
  });

  test('one block per diagnostic', () => {
    const e = parseError(() => parseApp('define stream S (a int);\nfrom S[a > ] select a insert into T;\n  from S select a insert U;'));
    const out = e.format('x.siddhi').split('\n');
    expect(out).toHaveLength(6);
    expect(out[0]).toMatch(/^x\.siddhi:2:12: mismatched input '\]'/);
    expect(out[2]).toBe(`  ${' '.repeat(11)}^`);
    expect(out[3]).toBe("x.siddhi:3:26: missing 'into' at 'U'");
    expect(out[4]).toBe('    from S select a insert U;');
    expect(out[5]).toBe(`  ${' '.repeat(25)}^`);
  });
});

describe('robustness', () => {
  const casesDir = path.join(__dirname, '../../conformance/cases');
  const apps: string[] = [];
  for (const dir of fs.readdirSync(casesDir)) {
    const full = path.join(casesDir, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full)) if (f.endsWith('.json')) apps.push((JSON.parse(fs.readFileSync(path.join(full, f), 'utf8')) as { app: string }).app);
  }
  const junk = ['(', ')', '[', ']', ';', ',', '->', 'from', 'select', 'every', 'not', '#', '!', '@', "'", '"', '{', '`', '1', '.', 'as', 'insert', 'join', '<', '>', 'and'];

  test('mutated apps either parse or throw ParseError with in-range positions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: apps.length - 1 }),
        fc.nat(),
        fc.nat({ max: 12 }),
        fc.constantFrom(...junk),
        fc.boolean(),
        (i, at, del, insert, doInsert) => {
          const app = apps[i]!;
          const p = at % (app.length + 1);
          const text = app.slice(0, p) + (doInsert ? ` ${insert} ` : '') + app.slice(p + del);
          try {
            parseApp(text);
          } catch (e) {
            if (!(e instanceof ParseError)) throw e;
            expect(e.diagnostics.length).toBeGreaterThan(0);
            const lines = text.split(/\r\n|\r|\n/).length;
            for (const d of e.diagnostics) {
              expect(d.pos.line).toBeGreaterThanOrEqual(1);
              expect(d.pos.line).toBeLessThanOrEqual(lines);
              expect(d.pos.column).toBeGreaterThanOrEqual(1);
              expect(d.pos.offset).toBeLessThanOrEqual(text.length);
              expect(Number.isFinite(d.pos.offset)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 600, seed: 42 },
    );
  });
});

describe('grammar', () => {
  test('passes chevrotain validations (no ambiguities, no left recursion)', () => {
    expect(() => new SiddhiParser(true)).not.toThrow();
  });

  test('parsing a 20-line app takes well under a millisecond after warm-up', () => {
    const app = `@app:name('Bench')
define stream Trade (sym string, price double, vol long, ts long);
define stream Px (sym string, p double);
define table Quotes (sym string, price double);
@info(name='q1')
from Trade[price > 10.0 and vol < 1000]#window.length(5)
select sym, sum(vol) as total, avg(price) as ap
group by sym
having total > 10
insert into Out;
from every e1=Px -> e2=Px[sym == e1.sym and p > e1.p * 1.1] within 1 min
select e1.sym, e1.p as p1, e2.p as p2
insert into Jump;
from Trade#window.time(1 sec) join Quotes on Trade.sym == Quotes.sym
select Trade.sym, Quotes.price
insert into J;
partition with (sym of Trade)
begin
  from Trade select sym, count() as c insert into #C;
end;`;
    for (let i = 0; i < 300; i++) parseApp(app);
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) parseApp(app);
    const per = (performance.now() - t0) / n;
    // Typically ~0.3 ms; the bound is loose for slow CI machines and coverage instrumentation.
    expect(per).toBeLessThan(5);
  });
});
