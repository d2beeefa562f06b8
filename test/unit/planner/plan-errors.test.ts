import { CompileError, PlanError, compileApp } from '../../../core';

function planErrors(text: string): PlanError {
  try {
    compileApp(text);
  } catch (e) {
    if (e instanceof PlanError) return e;
    throw e;
  }
  throw new Error('expected a plan error');
}

describe('planner errors', () => {
  test('an undefined stream is reported at its position with the near text', () => {
    // Prepare
    const app = 'define stream Orders (id string, amt double);\nfrom Ordrs select id insert into Out;';
    // Act
    const e = planErrors(app);
    // Assess
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0].pos).toMatchObject({ line: 2, column: 6 });
    expect(e.diagnostics[0].message).toContain("'Ordrs' has not been defined");
    expect(e.format('app.siddhi')).toBe(
      "app.siddhi:2:6: Stream/table/window/aggregation definition with ID 'Ordrs' has not been defined\n" +
        '  from Ordrs select id insert into Out;\n' +
        '       ^^^^^',
    );
  });

  test('every problem of an app is reported, in source order', () => {
    const app = [
      'define stream A (x int, s string);',
      'from A select y insert into B;',
      "from A[s > 'a'] select x insert into C;",
      'from A select x + s as z insert into D;',
      'from A select nope(x) as n insert into E;',
    ].join('\n');
    const e = planErrors(app);
    expect(e.diagnostics.map(d => d.pos.line)).toEqual([2, 3, 4, 5]);
    expect(e.diagnostics[0].message).toContain("'y' does not exist in 'A'");
    expect(e.diagnostics[1].message).toContain('string cannot be used in greater than comparisons');
    expect(e.diagnostics[2].message).toContain('Arithmetic operation between INT and STRING cannot be executed');
    expect(e.diagnostics[3].message).toContain("'nope' is neither a function extension nor an aggregated attribute extension");
  });

  test.each([
    ['a non-bool filter', 'define stream A (x int); from A[x] select x insert into B;', 'must be of type BOOL'],
    ['a duplicate definition', 'define stream A (x int); define stream A (x long); from A select x insert into B;', "same Stream Id 'A' already exist"],
    ['a duplicate attribute', 'define stream A (x int, x long); from A select x insert into B;', "'x' is defined twice"],
    ['inserting into a stream of another schema', 'define stream A (x int); define stream B (x long); from A select x insert into B;', 'Different definition same as output'],
    ['a computed attribute without a name', 'define stream A (x int); from A select x + 1 insert into B;', "needs a name: add 'as <name>'"],
    ['string compared with int', "define stream A (x int); from A[x == 'a'] select x insert into B;", 'int cannot be compared with string'],
    ['bool compared with int', 'define stream A (b bool, x int); from A[b == x] select x insert into B;', 'bool cannot be compared with int'],
    ['coalesce of mixed types', 'define stream A (x int, y long); from A select coalesce(x, y) as z insert into B;', 'Coalesce cannot have parameters with different type'],
    ['ifThenElse branches of different types', "define stream A (x int); from A select ifThenElse(x > 1, 1, 'a') as z insert into B;", 'ifThenElse'],
    ['a store type Millrace does not have', "define stream A (x int); @store(type='rdbms') @PrimaryKey('x') define table T (x int); from A select x insert into T;", "@store(type='rdbms') is not available"],
    ['an unknown window', 'define stream A (x int); from A#window.foo(1) select x insert into B;', "No extension exist for window 'foo'"],
    ['a window parameter of the wrong type', "define stream A (x int); from A#window.length('ten') select x insert into B;", 'must be a constant int'],
    ['an aggregate in a filter', 'define stream A (x int); from A[sum(x) > 1] select x insert into B;', 'cannot be used here'],
    ['a qualifier that is not the input', 'define stream A (x int); from A select C.x insert into B;', "Id 'C' not defined within the current scope"],
    ['@app:async', "@app:async define stream A (x int); from A select x insert into B;", '@Async not supported'],
    ['an undefined fault stream', 'define stream A (x int); from !A select x insert into B;', "@OnError(action='STREAM')"],
    ['convert to an unknown type', "define stream A (x int); from A select convert(x, 'date') as d insert into B;", "cannot produce type 'date'"],
    ['snapshot rate limiting with current events', 'define stream A (x int); from A select x output snapshot every 1 sec insert current events into B;', "output snapshot needs 'all events'"],
    ['a zero event count', 'define stream A (x int); from A select x output every 0 events insert into B;', 'needs a positive number of events'],
    ['sum of a string', 'define stream A (s string); from A#window.length(2) select sum(s) as t insert into B;', 'Sum not supported for STRING'],
  ])('rejects %s', (_what, app, message) => {
    const e = planErrors(app);
    expect(e.diagnostics.map(d => d.message).join('\n')).toContain(message);
    expect(e).toBeInstanceOf(CompileError);
  });

  test.each([
    ["@OnError(action='STORE')", "@OnError(action='STORE') define stream A (x int); from A select x insert into C;", "@OnError(action='STORE')", '@OnError'],
  ])('says %s is not supported yet, at its position', (_what, app, what, at) => {
    const e = planErrors(app);
    const d = e.diagnostics.find(x => x.message.endsWith('is not supported yet'));
    expect(d?.message).toContain(what);
    expect(app.slice(d!.pos.offset)).toMatch(new RegExp(`^${at.replace(/[.*+?()[\]\\|]/g, '\\$&')}`));
    expect(d!.pos.column).toBe(d!.pos.offset + 1);
  });

  test('an inferred stream takes the select schema, and a later query must match it', () => {
    const plan = compileApp('define stream A (x int, s string); from A select s, x * 2L as y insert into B; from B[y > 2L] select s insert into C;');
    expect(plan.streams.get('B')!.attributes).toEqual([
      { name: 's', type: 'STRING' },
      { name: 'y', type: 'LONG' },
    ]);
    expect(plan.inputStreams).toEqual(['A']);
  });

  test('@OnError(action=STREAM) defines the fault stream with an _error attribute', () => {
    const plan = compileApp("@OnError(action='STREAM') define stream A (x int); from !A select x, _error insert into Errors;");
    expect(plan.streams.get('!A')!.attributes.map(a => `${a.name}:${a.type}`)).toEqual(['x:INT', '_error:OBJECT']);
  });
});
