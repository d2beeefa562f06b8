import type { InsertOutput, Query, SingleInput, StreamDefinition } from '../../../core/ast/nodes';
import { STR, V, diagnostics, parseApp, parseError, parseExpression, query, strip } from './helpers';

describe('keywords', () => {
  test('are case-insensitive', () => {
    const app = parseApp('DEFINE STREAM S (a INT, b String);\nFrom S[A > 1 AND b == "x"] Select a As c Insert Into T;');
    const q = app.elements[0] as Query;
    expect((app.definitions[0] as StreamDefinition).attributes.map(a => a.type)).toEqual(['INT', 'STRING']);
    expect(q.selector.attributes[0]!.alias).toBe('c');
    expect((q.output as InsertOutput).target.id).toBe('T');
  });

  test('identifiers are case-sensitive', () => {
    const q = query('from A[Price > 1 and price < 2] select Price, price insert into Out;');
    expect(q.selector.attributes.map(a => (a.expression.kind === 'Variable' ? a.expression.attribute : ''))).toEqual(['Price', 'price']);
  });

  test('may be used as stream, attribute, alias and table names', () => {
    const app = parseApp(`
      define stream from (value int, time long, count int, last string, start bool, output double, window int, select int, min int, events int, year int, string string);
      define table table (x int);
      from from[value > 1 and time < 5 or start]#window.length(2) as window
      select window.value as as, time, count, last, min, year as \`the year\`, events, string, select, output, max(value) as max, count() as count
      group by last
      insert all events into insert;
      from every e1=from -> e2=from[e1.value < value] select e1.last as first, e2.last as last insert into end;
      from table join from on table.x == from.value select * insert into order;
      from from select value as limit limit 5 insert into offset;
    `);
    expect(app.definitions.map(d => d.id)).toEqual(['from', 'table']);
    const q = app.elements[0] as Query;
    expect((q.input as SingleInput).stream.id).toBe('from');
    expect((q.input as SingleInput).alias).toBe('window');
    expect(q.selector.attributes[0]).toMatchObject({ alias: 'as', expression: { kind: 'Variable', attribute: 'value', streamRef: 'window' } });
    expect(q.selector.attributes.map(a => a.alias ?? (a.expression.kind === 'Variable' ? a.expression.attribute : '?'))).toEqual([
      'as', 'time', 'count', 'last', 'min', 'the year', 'events', 'string', 'select', 'output', 'max', 'count',
    ]);
    expect((q.output as InsertOutput).target.id).toBe('insert');
    expect(((app.elements[3] as Query).output as InsertOutput).target.id).toBe('offset');
    expect((app.elements[3] as Query).selector.limit).toMatchObject({ type: 'INT', value: 5 });
  });

  test('and/or as aggregate function names in select', () => {
    const q = query('from A#window.length(2) select and(a == 1) as allOk, or(a == 1) as anyOk insert into Out;');
    expect(q.selector.attributes.map(a => a.expression.kind === 'FunctionCall' && a.expression.name)).toEqual(['and', 'or']);
  });
});

describe('identifiers', () => {
  test('back-ticked names keep everything between the back-ticks', () => {
    const app = parseApp('define stream `my stream` (`an attr` int, `select` string);\nfrom `my stream` select `an attr` as `out put` insert into `the out`;');
    const d = app.definitions[0] as StreamDefinition;
    expect(d.id).toBe('my stream');
    expect(d.attributes.map(a => a.name)).toEqual(['an attr', 'select']);
    const q = app.elements[0] as Query;
    expect(q.selector.attributes[0]).toMatchObject({ alias: 'out put', expression: V('an attr') });
    expect((q.output as InsertOutput).target.id).toBe('the out');
  });

  test('underscores and digits', () => {
    expect(strip(parseExpression('_a1.b_2'))).toEqual(V('b_2', { streamRef: '_a1' }));
  });
});

describe('comments and whitespace', () => {
  test('line and block comments are ignored', () => {
    const app = parseApp(`-- leading comment
define stream S (a int); -- trailing
/* block
   comment */ from S /* inline */ select a -- x
insert into T; -- last line without newline`);
    expect(app.definitions).toHaveLength(1);
    expect(app.elements).toHaveLength(1);
    expect(app.elements[0]!.pos).toEqual({ line: 4, column: 15, offset: 79 });
  });

  test('an unterminated block comment is an error', () => {
    const d = diagnostics('define stream S (a int);\n/* oops');
    expect(d[0]).toMatchObject({ pos: { line: 2, column: 1 }, message: expect.stringContaining('/*') });
  });

  test('CRLF line endings count as one line break', () => {
    const app = parseApp('define stream S (a int);\r\n\r\nfrom S select a insert into T;');
    expect(app.elements[0]!.pos).toEqual({ line: 3, column: 1, offset: 28 });
  });

  test('empty and comment-only apps', () => {
    expect(parseApp('').definitions).toEqual([]);
    expect(parseApp('  -- nothing\n/* here */').elements).toEqual([]);
  });
});

describe('strings in apps', () => {
  test('the three forms in annotations and expressions', () => {
    const app = parseApp(`@sink(type='log', @map(type='json', @payload("""{"a": "{{a}}",
  "b": 'x'}""")))
define stream S (a string);
from S[a == "it's"] select 'x' as s insert into T;`);
    const sink = app.definitions[0]!.annotations[0]!;
    expect(sink.annotations[0]!.annotations[0]!.elements[0]!.value).toBe('{"a": "{{a}}",\n  "b": \'x\'}');
    const q = app.elements[0] as Query;
    expect(q.selector.attributes[0]!.expression).toMatchObject(STR('x'));
  });
});

describe('${VAR} substitution', () => {
  const env = (n: string): string | undefined => ({ PORT: '8080', NAME: 'LongStreamName', EMPTY: '' })[n];

  test('variables are replaced before lexing, anywhere in the text', () => {
    const app = parseApp("@source(type='http', receiver.url='http://0.0.0.0:${PORT}/x')\ndefine stream ${NAME} (a int);\nfrom ${NAME} select a insert into O;", { env });
    expect(app.definitions[0]!.id).toBe('LongStreamName');
    expect(app.definitions[0]!.annotations[0]!.elements[1]!.value).toBe('http://0.0.0.0:8080/x');
  });

  test('positions refer to the original text', () => {
    const app = parseApp('define stream ${NAME} (a int);\nfrom ${NAME} select a insert into O;', { env });
    const q = app.elements[0] as Query;
    expect((q.input as SingleInput).stream.pos).toEqual({ line: 2, column: 6, offset: 36 });
    expect((q.output as InsertOutput).target.pos).toEqual({ line: 2, column: 35, offset: 65 });
    const e = parseError(() => parseApp('define stream ${NAME} (a int);\nfrom ${NAME}[a > ] select a insert into O;', { env }));
    expect(e.diagnostics[0]!.pos).toEqual({ line: 2, column: 18, offset: 48 });
  });

  test('a missing variable is a diagnostic at its position; all are reported', () => {
    const e = parseError(() => parseApp('define stream S (a int);\nfrom ${MISSING} select a insert into ${ALSO};', { env }));
    expect(e.diagnostics.map(d => [d.message, d.pos.line, d.pos.column, d.length])).toEqual([
      ["No system or environmental variable found for '${MISSING}'", 2, 6, 10],
      ["No system or environmental variable found for '${ALSO}'", 2, 38, 7],
    ]);
  });

  test('without an env callback every variable is missing', () => {
    expect(() => parseApp('define stream ${S} (a int);')).toThrow(/\$\{S\}/);
  });

  test('empty values are allowed', () => {
    expect(parseApp("@app:name('x${EMPTY}') define stream S (a int);", { env }).annotations[0]!.elements[0]!.value).toBe('x');
  });
});
