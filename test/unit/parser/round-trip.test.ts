/**
 * The AST printer (core/ast/print.ts) against the parser: printed text parses back to an equal AST
 * (positions aside) and printing is a fixed point, for every conformance app and store query,
 * every example app and a set of tricky constructs; and the exact text of the tricky ones.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { App, Expression, OnDemandQuery } from '../../../core/ast/nodes';
import { printApp, printExpression, printOnDemandQuery, printQuery } from '../../../core/ast/print';
import { keywordTokens, tokenize } from '../../../core/parser/lexer';
import { loadCases } from '../../helpers/conformance-cases';
import { parseApp, parseExpression, parseOnDemandQuery } from './helpers';

/** The fields of the AST that hold source positions. */
const POSITION_FIELDS = new Set(['pos', 'periodsPos']);

/** A deep copy without position fields; every other value (also -0) is kept as it is. */
function stripPositions(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripPositions);
  if (x === null || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (!POSITION_FIELDS.has(k) && v !== undefined) out[k] = stripPositions(v);
  return out;
}

/** Paths of values shaped like a position ({line, column, offset}) left in `x`. */
function positionsLeft(x: unknown, path = '$'): string[] {
  if (x === null || typeof x !== 'object') return [];
  if (!Array.isArray(x) && 'line' in x && 'column' in x && 'offset' in x) return [path];
  return Object.entries(x).flatMap(([k, v]) => positionsLeft(v, `${path}.${k}`));
}

/** Asserts that `text` round-trips through the printer and returns the printed text. */
function roundTripApp(text: string): string {
  const ast = parseApp(text);
  const printed = printApp(ast);
  const again = parseApp(printed);
  expect(stripPositions(again)).toEqual(stripPositions(ast));
  expect(printApp(again)).toBe(printed);
  return printed;
}

function roundTripQuery(text: string): string {
  const ast: OnDemandQuery = parseOnDemandQuery(text);
  const printed = printOnDemandQuery(ast);
  const again = parseOnDemandQuery(printed);
  expect(stripPositions(again)).toEqual(stripPositions(ast));
  expect(printOnDemandQuery(again)).toBe(printed);
  return printed;
}

/** The printed text of the only query of an app over streams A, B, C and table T. */
const DEFS = 'define stream A (a int, b int, c int); define stream B (a int); define stream C (a int); define table T (a int);\n';
function printedQuery(text: string): string {
  const printed = roundTripApp(DEFS + text);
  const app: App = parseApp(printed);
  expect(app.elements).toHaveLength(1);
  return printQuery(app.elements[0] as never);
}

function printedExpr(text: string): string {
  const ast = parseExpression(text);
  const printed = printExpression(ast);
  expect(stripPositions(parseExpression(printed))).toEqual(stripPositions(ast));
  return printed;
}

function siddhiFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(f => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? siddhiFiles(p) : p.endsWith('.siddhi') ? [p] : [];
  });
}

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

describe('stripPositions', () => {
  test('leaves no position in an AST', () => {
    const app = parseApp(
      "@app:name('X') define stream S (a int); define aggregation G from S select sum(a) as s aggregate every sec ... min; " +
        "partition with (a < 1 as 'lo' or a >= 1 as 'hi' of S) begin from S select a insert into #I; end;",
    );
    expect(positionsLeft(app).length).toBeGreaterThan(5);
    expect(positionsLeft(stripPositions(app))).toEqual([]);
  });
});

describe('conformance apps round-trip', () => {
  const cases = loadCases().filter(c => parses(() => parseApp(c.app)));
  test('there are cases', () => expect(cases.length).toBeGreaterThan(100));
  test.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    roundTripApp(c.app);
    for (const q of c.storeQueries ?? []) roundTripQuery(q.query);
  });
});

describe('example apps round-trip', () => {
  const files = siddhiFiles(join(__dirname, '../../../examples'));
  test('there are examples', () => expect(files.length).toBeGreaterThan(1));
  test.each(files)('%s', file => {
    roundTripApp(readFileSync(file, 'utf8'));
  });
});

describe('expressions print with the parentheses precedence needs', () => {
  test.each([
    ['(a + b) * c', '(a + b) * c'],
    ['a + b * c', 'a + b * c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['(a - b) - c', 'a - b - c'],
    ['not (a and b)', 'not (a and b)'],
    ['not a and b', 'not a and b'],
    ['not not a', 'not not a'],
    ['(a or b) and c', '(a or b) and c'],
    ['a or b and c', 'a or b and c'],
    ['(a is null) is null', '(a is null) is null'],
    ['(not a) is null', '(not a) is null'],
    ['not a is null', 'not a is null'],
    ['(a + b) is null', '(a + b) is null'],
    ['a == (b in T)', 'a == (b in T)'],
    ['a == b in T', 'a == b in T'],
    ['(a or b) in T', '(a or b) in T'],
    ['x and a in T', 'x and a in T'],
    ['not (a in T)', 'not (a in T)'],
    ['(a < b) == (c >= d)', 'a < b == c >= d'],
    ['a < (b == c)', 'a < (b == c)'],
    ['f(-1, +2, ns:g())', 'f(-1, 2, ns:g())'],
  ])('%s', (text, printed) => {
    expect(printedExpr(text)).toBe(printed);
  });
});

describe('literals', () => {
  test.each([
    ['a - -5', 'a - -5'],
    ['-2147483648', '-2147483648'],
    ['-0', '-0'],
    ['5L', '5L'],
    ['-9223372036854775808L', '-9223372036854775808L'],
    ['9223372036854775807L', '9223372036854775807L'],
    ['12345678901234567L', '12345678901234567L'],
    ['0.1F', '0.1F'],
    ['3.4e38f', '3.4e+38F'],
    ['1e-7F', '1e-7F'],
    ['2.5', '2.5'],
    ['5d', '5.0'],
    ['1e21', '1e+21'],
    ['-1.5e-9', '-1.5e-9'],
    ['true and false', 'true and false'],
    ["'plain'", "'plain'"],
    [`"it's"`, `"it's"`],
    [`"""say "hi" now"""`, `"""say "hi" now"""`],
    [`"""both ' and " and a\nnewline"""`, `"""both ' and " and a\nnewline"""`],
    ['1 hour 25 min', '1 hour 25 min'],
    ['90 sec', '1 min 30 sec'],
    ['2 days 500 milliseconds', '2 days 500 millisec'],
    ['1 year', '365 days'],
    ['-5 sec', '-5 sec'],
    ['0 min', '0 sec'],
  ])('%s', (text, printed) => {
    expect(printedExpr(text)).toBe(printed);
  });
});

describe('names', () => {
  test('keywords and non-identifiers are back-ticked, plain names are not', () => {
    const printed = roundTripApp('define stream `select` (`left` int, `my attr` string, price double); from `select` select `left` as `from`, price insert into `Out put`;');
    expect(printed).toContain('define stream `select` (`left` int, `my attr` string, price double);');
    expect(printed).toContain('from `select` select `left` as `from`, price insert into `Out put`;');
  });

  test('every keyword the lexer knows is printed back-ticked as a name', () => {
    const words = keywordTokens.map(t => String(t.LABEL).slice(1, -1));
    words.push('years', 'months', 'weeks', 'days', 'hours', 'minute', 'minutes', 'second', 'seconds', 'millisecond', 'milliseconds');
    expect(words.length).toBeGreaterThan(60);
    for (const w of words) {
      const printed = printExpression({ kind: 'Variable', pos: { line: 1, column: 1, offset: 0 }, attribute: w.toUpperCase() });
      const tokens = tokenize(printed).tokens;
      expect([w, tokens.map(t => t.tokenType.name)]).toEqual([w, ['BacktickId']]);
    }
  });

  test('annotation keys and values', () => {
    const printed = roundTripApp(
      "@app:name('A') @source(type='http', receiver.url=\"http://x/'y'\", `every`='1', @map(type='json', @attributes(a='$.a'))) @Index(a) define stream S (a int);",
    );
    expect(printed).toBe(
      "@app:name('A')\n@source(type='http', receiver.url=\"http://x/'y'\", `every`='1', @map(type='json', @attributes(a='$.a'))) @Index('a') define stream S (a int);\n",
    );
  });
});

describe('patterns and sequences', () => {
  test.each([
    ['from e1=A -> not B for 1 sec select e1.a insert into O;', 'from e1=A -> not B for 1 sec select e1.a insert into O'],
    ['from every (e1=A -> e2=B) select e1.a insert into O;', 'from every (e1=A -> e2=B) select e1.a insert into O'],
    ['from every e1=A -> e2=B select e1.a insert into O;', 'from every e1=A -> e2=B select e1.a insert into O'],
    ['from e1=A<2:5> -> e2=B select e1[0].a, e1[last].a insert into O;', 'from e1=A<2:5> -> e2=B select e1[0].a, e1[last].a insert into O'],
    ['from e1=A<2> -> e2=A<:3> -> e3=A<4:> select e1[last - 1].a insert into O;', 'from e1=A<2> -> e2=A<:3> -> e3=A<4:> select e1[last - 1].a insert into O'],
    ['from e1=A -> e2=B within 5 sec select * insert into O;', 'from e1=A -> e2=B within 5 sec select * insert into O'],
    ['from e1=A -> (e2=B within 5 sec) select * insert into O;', 'from e1=A -> (e2=B within 5 sec) select * insert into O'],
    ['from (e1=A within 1 sec) within 5 sec select * insert into O;', 'from (e1=A within 1 sec) within 5 sec select * insert into O'],
    ['from ((e1=A -> e2=B) within 2 sec) select * insert into O;', 'from ((e1=A -> e2=B) within 2 sec) select * insert into O'],
    ['from e0=C -> (e1=A -> e2=B) within 2 sec select * insert into O;', 'from e0=C -> (e1=A -> e2=B) within 2 sec select * insert into O'],
    ['from e0=C -> ((e1=A -> e2=B) within 2 sec) select * insert into O;', 'from e0=C -> ((e1=A -> e2=B) within 2 sec) select * insert into O'],
    ['from every e1=A within 1 sec -> e2=B select * insert into O;', 'from every e1=A within 1 sec -> e2=B select * insert into O'],
    ['from every (e1=A within 1 sec) -> e2=B select * insert into O;', 'from every (e1=A within 1 sec) -> e2=B select * insert into O'],
    ['from every (every e1=A) -> e2=B select * insert into O;', 'from every (every e1=A) -> e2=B select * insert into O'],
    ['from (A) select * insert into O;', 'from (A) select * insert into O'],
    ['from (A[a > 1]) -> B select * insert into O;', 'from A[a > 1] -> B select * insert into O'],
    ['from e1=A and not B for 2 sec -> e2=C or e3=B select * insert into O;', 'from e1=A and not B for 2 sec -> e2=C or e3=B select * insert into O'],
    ['from every not A[a > 1] for 1 min select * insert into O;', 'from every not A[a > 1] for 1 min select * insert into O'],
    ['from e1=A, e2=B+, e3=C*, e4=A? select * insert into O;', 'from e1=A, e2=B+, e3=C*, e4=A? select * insert into O'],
    ['from every e1=A, e2=B[a > e1.a] within 1 sec select * insert into O;', 'from every e1=A, e2=B[a > e1.a] within 1 sec select * insert into O'],
    ['from e1=A -> e2=B[e1[0] is null] select * insert into O;', 'from e1=A -> e2=B[e1[0] is null] select * insert into O'],
  ])('%s', (text, printed) => {
    expect(printedQuery(text)).toBe(printed);
  });
});

describe('queries', () => {
  test.each([
    [
      "@info(name='q') from A[a > 1]#window.time(1 min) as x select a, sum(b) as s group by a having s > 2 order by a desc, b limit 5 offset 1 output last every 3 events insert expired events into #Mid;",
      "@info(name='q') from A[a > 1]#window.time(1 min) as x select a, sum(b) as s group by a having s > 2 order by a desc, b limit 5 offset 1 output last every 3 events insert expired events into #Mid",
    ],
    ['from A#log(a)#window.unique:length(2) select * output snapshot every 1 hour insert into O;', 'from A#log(a)#window.unique:length(2) select * output snapshot every 1 hour insert into O'],
    ['from A output every 5 sec insert into O;', 'from A select * output every 5 sec insert into O'],
    ['from A unidirectional join B#window.length(1) as b on A.a == b.a within 1000L, 2000L per "sec" select A.a insert into O;', 'from A unidirectional join B#window.length(1) as b on A.a == b.a within 1000L, 2000L per \'sec\' select A.a insert into O'],
    ['from A right outer join B select * insert into O;', 'from A right outer join B select * insert into O'],
    ['from A outer join B select * insert into O;', 'from A full outer join B select * insert into O'],
    ['from A inner join B select * insert into O;', 'from A join B select * insert into O'],
    ['from A select a delete T for current events on T.a == a;', 'from A select a delete T for current events on T.a == a'],
    ['from A select a update T set T.a = a + 1, T.a = 2 on T.a == a;', 'from A select a update T set T.a = a + 1, T.a = 2 on T.a == a'],
    ['from A select a update or insert into T for all events on T.a == a;', 'from A select a update or insert into T for all events on T.a == a'],
    ['from (from A select a return expired events)#window.length(2) as s select a insert into O;', 'from (from A select a return expired events)#window.length(2) as s select a insert into O'],
  ])('%s', (text, printed) => {
    expect(printedQuery(text)).toBe(printed);
  });
});

describe('definitions, partitions, on-demand queries', () => {
  test('every definition kind', () => {
    const text = [
      "@app:name('Defs')",
      'define stream S (a int, b long, c float, d double, e bool, f string, g object);',
      "@PrimaryKey('a') define table T (a int);",
      'define window W (a int) time(5 sec) output expired events;',
      'define window W2 (a int) ns:custom(1);',
      'define trigger T1 at every 1 min;',
      "define trigger T2 at 'start';",
      "define trigger T3 at '0 0 12 * * ?';",
      'define function f[javascript] return int {return data[0] + {a: 1}.a;};',
      'define aggregation G from S[a > 0] select a, sum(b) as s group by a aggregate by b every sec ... year;',
      'define aggregation G2 from S select sum(b) as s aggregate every sec, min, hour;',
      '',
    ].join('\n');
    expect(roundTripApp(text)).toBe(text);
  });

  test('partitions', () => {
    const text = [
      'define stream S (a int, k string);',
      "@purge(enable='true') partition with (k of S, a < 10 as 'low' or a >= 10 as 'high' of S)",
      'begin',
      "  @info(name='p') from S select k, count() as n insert into #Mid;",
      '  from #Mid select * insert into Out;',
      'end;',
      '',
    ].join('\n');
    expect(roundTripApp(text)).toBe(text);
  });

  test.each([
    ['from T', 'from T select *'],
    ['from T as t on t.a > 1 within "2020-01-01", "2021-01-01" per "days" select a order by a', "from T as t on t.a > 1 within '2020-01-01', '2021-01-01' per 'days' select a order by a"],
    ['select 1 as a insert into T', 'select 1 as a insert into T'],
    ['delete T on T.a == 1', 'delete T on T.a == 1'],
    ['update or insert into T set T.a = 2 on T.a == 1;', 'update or insert into T set T.a = 2 on T.a == 1'],
  ])('on-demand %s', (text, printed) => {
    expect(roundTripQuery(text)).toBe(printed);
  });
});

describe('any expression round-trips (property)', () => {
  const P = { line: 1, column: 1, offset: 0 };
  const name = fc.constantFrom('a', 'price', 'e1', 'select', 'left', 'my attr', 'every');
  const c = (type: string, value: unknown, isTime?: true) => ({ kind: 'Constant', pos: P, type, value, ...(isTime && { isTime }) });
  // SiddhiQL strings have no escapes: a `"` needs triple quotes, which cannot end in `"` or hold `"""`.
  const str = fc
    .string({ unit: fc.constantFrom('a', 'Z', ' ', "'", '"', '\n', '\t', 'é', '-', '\\') })
    .filter(s => !s.includes('"""') && !(s.includes('"') && s.endsWith('"')));
  const index = fc.oneof(fc.nat({ max: 9 }), fc.nat({ max: 3 }).map(minus => ({ kind: 'LastIndex', minus })));
  const flags = fc.constantFrom({}, { isInner: true }, { isFault: true });
  const leaf = fc.oneof(
    fc.integer({ min: -2147483648, max: 2147483647 }).map(v => c('INT', v)),
    fc.maxSafeInteger().map(v => c('LONG', v)),
    fc.float({ noNaN: true, noDefaultInfinity: true }).map(v => c('FLOAT', v)),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(v => c('DOUBLE', v)),
    fc.integer({ min: -1e12, max: 1e12 }).map(v => c('LONG', v, true)),
    fc.boolean().map(v => c('BOOL', v)),
    str.map(v => c('STRING', v)),
    name.map(attribute => ({ kind: 'Variable', pos: P, attribute })),
    fc.record({ attribute: name, streamRef: name, index: fc.option(index, { nil: undefined }), flags }).map(({ attribute, streamRef, index: i, flags: f }) => ({
      kind: 'Variable',
      pos: P,
      attribute,
      streamRef,
      ...(i !== undefined && { index: i }),
      ...f,
    })),
    // Without an index or a `#`/`!`, `e1 is null` is an IsNull of a Variable (the parser's reading).
    fc.record({ streamRef: name, index: fc.option(index, { nil: undefined }), flags }).filter(r => r.index !== undefined || Object.keys(r.flags).length > 0).map(({ streamRef, index: i, flags: f }) => ({
      kind: 'IsNullStream',
      pos: P,
      streamRef,
      ...(i !== undefined && { index: i }),
      ...f,
    })),
  );
  const ops = fc.constantFrom('+', '-', '*', '/', '%', '<', '<=', '>', '>=', '==', '!=', 'and', 'or');
  const { expr: anyExpr } = fc.letrec<{ expr: unknown }>(tie => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ op: ops, left: tie('expr'), right: tie('expr') }).map(r => ({ kind: 'Binary', pos: P, ...r })),
      tie('expr').map(operand => ({ kind: 'Not', pos: P, operand })),
      tie('expr').map(operand => ({ kind: 'IsNull', pos: P, operand })),
      fc.record({ operand: tie('expr'), table: name }).map(r => ({ kind: 'In', pos: P, ...r })),
      fc.record({ namespace: fc.option(name, { nil: undefined }), name, args: fc.array(tie('expr'), { maxLength: 3 }) }).map(r => ({
        kind: 'FunctionCall',
        pos: P,
        ...(r.namespace !== undefined && { namespace: r.namespace }),
        name: r.name,
        args: r.args,
      })),
    ),
  }));

  test('print, parse: the same expression; print again: the same text', () => {
    fc.assert(
      fc.property(anyExpr, e => {
        const printed = printExpression(e as Expression);
        const again = parseExpression(printed);
        expect(stripPositions(again)).toEqual(stripPositions(e));
        expect(printExpression(again)).toBe(printed);
      }),
      { numRuns: 500 },
    );
  });
});

describe('any pattern or sequence round-trips (property)', () => {
  const P = { line: 1, column: 1, offset: 0 };
  const time = (ms: number) => ({ kind: 'Constant', pos: P, type: 'LONG', value: ms, isTime: true });
  const within = fc.option(fc.integer({ min: 0, max: 90_000_000 }).map(time), { nil: undefined, freq: 3 });
  const withWithin = <T extends object>(e: T, w: unknown): T => (w === undefined ? e : { ...e, within: w });
  const source = fc.record({ stream: fc.constantFrom('A', 'B', 'C'), filtered: fc.boolean() }).map(({ stream, filtered }) => ({
    kind: 'SingleInput',
    pos: P,
    stream: { kind: 'StreamId', pos: P, id: stream, isInner: false, isFault: false },
    handlers: filtered ? [{ kind: 'Filter', pos: P, condition: { kind: 'Binary', pos: P, op: '>', left: { kind: 'Variable', pos: P, attribute: 'a' }, right: { kind: 'Constant', pos: P, type: 'INT', value: 1 } } }] : [],
  }));
  const streamState = fc.record({ ref: fc.option(fc.constantFrom('e1', 'e2'), { nil: undefined }), input: source }).map(({ ref, input }) => ({
    kind: 'StreamState',
    pos: P,
    ...(ref !== undefined && { ref }),
    input,
  }));
  const absent = fc.record({ input: source, wait: fc.option(fc.integer({ min: 0, max: 5000 }).map(time), { nil: undefined }) }).map(({ input, wait }) => ({
    kind: 'AbsentState',
    pos: P,
    input,
    ...(wait !== undefined && { waitingTime: wait }),
  }));
  type Count = [written: string, min: number, max: number | undefined];
  const counts = (sequence: boolean): fc.Arbitrary<Count> =>
    fc.oneof(
      ...(sequence ? [fc.constantFrom<Count>(['+', 1, undefined], ['*', 0, undefined], ['?', 0, 1])] : []),
      fc.constantFrom<Count>(['<2>', 2, 2], ['<2:5>', 2, 5], ['<:3>', 0, 3], ['<1:>', 1, undefined]),
    );
  const count = (sequence: boolean) =>
    fc.record({ element: streamState, c: counts(sequence) }).map(({ element, c: [written, min, max] }) => ({
      kind: 'CountState',
      pos: P,
      element,
      min,
      ...(max !== undefined && { max }),
      written,
    }));
  const operand = fc.oneof(streamState, absent);
  const logical = fc.record({ op: fc.constantFrom('and', 'or'), left: operand, right: operand }).map(r => ({ kind: 'LogicalState', pos: P, ...r }));
  const tree = (sequence: boolean) =>
    fc.letrec<{ el: object }>(tie => ({
      el: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.tuple(fc.oneof(streamState, absent, count(sequence), logical), within).map(([e, w]) => withWithin(e, w)),
        fc.tuple(tie('el'), tie('el'), within).map(([first, next, w]) => withWithin({ kind: 'NextState', pos: P, first, next }, w)),
        fc.tuple(tie('el'), within).map(([element, w]) => withWithin({ kind: 'EveryState', pos: P, element }, w)),
      ),
    })).el;
  const hasSequenceMark = (e: unknown): boolean => JSON.stringify(e).includes('"NextState"') || /"written":"[+*?]"/.test(JSON.stringify(e));
  const stateInput = fc.boolean().chain(sequence =>
    fc
      .tuple(tree(sequence), within)
      .filter(([e]) => !sequence || hasSequenceMark(e))
      .map(([element, w]) => withWithin({ kind: 'StateInput', pos: P, type: sequence ? 'sequence' : 'pattern', element }, w)),
  );

  test('print, parse: the same input; print again: the same text', () => {
    const defs = 'define stream A (a int); define stream B (a int); define stream C (a int);\n';
    fc.assert(
      fc.property(stateInput, input => {
        const query = { kind: 'Query', pos: P, annotations: [], input, selector: { kind: 'Selector', pos: P, star: true, attributes: [], groupBy: [], orderBy: [] }, output: { kind: 'InsertOutput', pos: P, target: { kind: 'StreamId', pos: P, id: 'O', isInner: false, isFault: false } } };
        const printed = printQuery(query as never);
        const again = parseApp(defs + printed + ';').elements[0] as never;
        expect(stripPositions((again as { input: unknown }).input)).toEqual(stripPositions(input));
        expect(printQuery(again)).toBe(printed);
      }),
      { numRuns: 300 },
    );
  });
});
