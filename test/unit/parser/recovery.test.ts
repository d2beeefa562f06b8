import { compileApp, CompileError } from '../../../core';
import { diagnostics, parseApp, parseError } from './helpers';

const lines = (text: string) => diagnostics(text).map(d => [d.pos.line, d.pos.column, d.message]);

describe('a UTF-8 byte-order mark', () => {
  const BOM = '\uFEFF';

  test('at the top of an app is skipped; positions count from after it', () => {
    const app = parseApp(`${BOM}define stream S (a int);\nfrom S select a insert into T;`);
    expect(app.definitions[0]!.pos).toEqual({ line: 1, column: 1, offset: 0 });
    expect(app.elements[0]!.pos).toEqual({ line: 2, column: 1, offset: 25 });
  });

  test('errors after it point at the right column, and format() puts the caret under them', () => {
    const e = parseError(() => parseApp(`${BOM}define stream S (a int) from S select a insert into T;`));
    expect(e.diagnostics.map(d => [d.pos.line, d.pos.column, d.message])).toEqual([[1, 25, "missing ';' at 'from'"]]);
    expect(e.source.startsWith(BOM)).toBe(false);
    expect(e.format('app.siddhi').split('\n')).toEqual([
      "app.siddhi:1:25: missing ';' at 'from'",
      '  define stream S (a int) from S select a insert into T;',
      `  ${' '.repeat(24)}^^^^`,
    ]);
  });

  test('compileApp accepts it, and plan errors are positioned as without it', () => {
    expect(compileApp(`${BOM}define stream S (a int);\nfrom S select a insert into T;`).inputStreams).toEqual(['S']);
    const errorOf = (text: string) => {
      try {
        compileApp(text);
      } catch (e) {
        if (e instanceof CompileError) return e.diagnostics.map(d => d.pos);
      }
      return undefined;
    };
    const text = 'define stream S (a int);\nfrom S select b insert into T;';
    expect(errorOf(BOM + text)).toEqual(errorOf(text));
    expect(errorOf(text)).toEqual([{ line: 2, column: 15, offset: 39 }]);
  });

  test('only one is skipped: a second one is an error at 1:1, also through compileApp', () => {
    // Found by `npm run fuzz`: compileApp skipped one mark and parseApp the next.
    const text = `${BOM}${BOM}define stream S (a int);`;
    expect(lines(text)).toEqual([[1, 1, `token recognition error at: '${BOM}'`]]);
    try {
      compileApp(text);
      throw new Error('compiled');
    } catch (e) {
      expect((e as CompileError).diagnostics.map(d => d.pos)).toEqual([{ line: 1, column: 1, offset: 0 }]);
    }
  });

  test('anywhere else is still an error', () => {
    expect(lines(`define stream S (a int);${BOM}\nfrom S select a insert into T;`)).toEqual([[1, 25, `token recognition error at: '${BOM}'`]]);
  });
});

describe('error recovery', () => {
  test('two separate bad statements give two diagnostics, each at its line', () => {
    expect(lines('define stream S (a int, b);\ndefine stream X (b int);\nfrom X select b insert into U;\nfrom X select b insert U;')).toEqual([
      [1, 26, "mismatched input ')', expecting an attribute type"],
      [4, 24, "missing 'into' at 'U'"],
    ]);
  });

  test('a broken statement is reported once, at its first error', () => {
    // The parser resynchronises inside the statement and would complain again at `T`.
    expect(lines('define stream S (a int);\nfrom S select a from into T;\nfrom S select a insert into U;')).toEqual([
      [2, 17, "mismatched input 'from', expecting one of {'insert', 'delete', 'update', 'return'}"],
    ]);
    // A missing name in a definition: recovery deletes the `(` and then misses it.
    expect(lines('define stream  (k string, v int);\nfrom S select k insert into T;')).toEqual([[1, 16, "extraneous input '(', expecting a name"]]);
    // A filter that cannot be read skips to the end of the query.
    expect(lines('define stream S (a int);\nfrom S[a ==  and a > 1] select a insert into T;')).toHaveLength(1);
  });

  test('an error a few tokens before the next statement does not spill into it', () => {
    expect(lines('define stream C (a int);\nfrom C select a insert into ;\nfrom C select a insert into U;')).toEqual([[2, 29, "extraneous input ';', expecting a name"]]);
  });

  test('a missing `;` after a broken statement follows from it; one between good statements is reported', () => {
    expect(lines('define stream S (a int);\ndefine  Agg\nfrom S select a insert into T;')).toEqual([
      [2, 9, "mismatched input 'Agg', expecting one of {'stream', 'table', 'window', 'trigger', 'function', 'aggregation'}"],
    ]);
    expect(lines('define stream S (a int)\nfrom S select a insert into T;')).toEqual([[2, 1, "missing ';' at 'from'"]]);
  });

  test('an unclosed parenthesis does not hide the next statement', () => {
    expect(lines('define stream S (a int);\nfrom S#window.time(1 sec select a insert into T;\nfrom S select a insert X;')).toEqual([
      [2, 26, "missing ')' at 'select'"],
      [3, 24, "missing 'into' at 'X'"],
    ]);
  });

  test('errors inside a partition are reported per query', () => {
    expect(lines('define stream S (a int);\npartition with (a of S) begin\nfrom S select insert into T;\nfrom S select a insert U;\nend;\nfrom S select a insert W;').map(l => l.slice(0, 2))).toEqual([
      [3, 22],
      [4, 24],
      [6, 24],
    ]);
  });
});
