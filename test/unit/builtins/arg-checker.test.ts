import { PlanError, compileApp } from '../../../core';
import { checkArgs, constant, optional, param, usage, value, windowFunctions, type ArgInfo, type BuiltinDoc } from '../../../core/builtins';
import { BuiltinArgError } from '../../../core/errors/millrace-error';

const STREAM = 'define stream S (v int, ts long, k string, b bool);\n';

/** The one diagnostic of a query over S, with the text its caret underlines. */
function diagnostic(query: string): { message: string; line: number; column: number; underlined: string } {
  const app = STREAM + query;
  try {
    compileApp(app);
  } catch (e) {
    if (!(e instanceof PlanError)) throw e;
    expect(e.diagnostics).toHaveLength(1);
    const d = e.diagnostics[0];
    return { message: d.message, line: d.pos.line, column: d.pos.column, underlined: app.slice(d.pos.offset, d.pos.offset + (d.length ?? 1)) };
  }
  throw new Error(`expected a plan error for: ${query}`);
}

describe('the argument checker, through compileApp', () => {
  test.each([
    [
      'a wrong type',
      "from S#window.length('ten') select v insert into Out;",
      "length window's 'window.length' parameter must be a constant int, found a constant string",
      '#window.length',
    ],
    [
      'an attribute where a constant is required',
      'from S#window.time(v) select v insert into Out;',
      "time window's 'window.time' parameter must be a constant int, long or time value, found an int attribute",
      '#window.time',
    ],
    [
      'an expression where an attribute is required',
      'from S#window.externalTime(ts + 1, 1 sec) select v insert into Out;',
      "externalTime window's 'timestamp' parameter must be an attribute of the input stream, found an expression of type long",
      '#window.externalTime',
    ],
    [
      'an attribute of the wrong type',
      'from S#window.externalTime(v, 1 sec) select v insert into Out;',
      "externalTime window's 'timestamp' attribute 'v' must be of type long, found int",
      '#window.externalTime',
    ],
    ['too few', 'from S#window.externalTime(ts) select v insert into Out;', 'externalTime window takes 2 parameters, found 1', '#window.externalTime'],
    ['too few before a repeated parameter', 'from S#window.frequent() select v insert into Out;', "frequent window needs an 'event.count' parameter", '#window.frequent'],
    ['too many', "from S select convert(v, 'int', 1) as c insert into Out;", 'convert() takes 2 arguments, found 3', 'convert'],
    ['too many for an optional parameter', 'from S#window.lengthBatch(2, true, 3) select v insert into Out;', 'lengthBatch window takes 1 to 2 parameters, found 3', '#window.lengthBatch'],
    [
      'no overload of that place',
      "from S#window.timeBatch(1 sec, 'x') select v insert into Out;",
      "timeBatch window's 2nd parameter must be 'start.time' (a constant int or long) or 'stream.current.event' (a constant bool), found a constant string",
      '#window.timeBatch',
    ],
    [
      'no overload, with roles',
      "from S#window.session(1 sec, 'x') select v insert into Out;",
      "session window's 2nd parameter must be the session key (a string attribute) or the allowed latency (a constant int, long or time value), found a constant string",
      '#window.session',
    ],
    [
      'an overload chosen by type, then checked strictly',
      'from S#window.timeBatch(1 sec, v) select v insert into Out;',
      "timeBatch window's 'start.time' parameter must be a constant int, long or time value, found an int attribute",
      '#window.timeBatch',
    ],
    [
      'an overload chosen because an attribute was given',
      'from S#window.session(1 sec, v) select v insert into Out;',
      "session window's 'window.key' attribute 'v' must be of type string, found int",
      '#window.session',
    ],
    [
      'no overload of a stream function',
      'from S#log(v) select v insert into Out;',
      "#log()'s 1st parameter must be 'log.message' (a string) or 'is.event.logged' (a bool), found an int attribute",
      '#log',
    ],
    ['a function argument of the wrong type', 'from S select ifThenElse(v, 1, 2) as c insert into Out;', "ifThenElse()'s 'condition' argument must be a bool, found an int attribute", 'ifThenElse'],
    ['a function argument that must be a constant', 'from S select convert(v, k) as c insert into Out;', "convert()'s 'to' argument must be a constant string (naming the type: string, int, long, float, double, bool), found a string attribute", 'convert'],
    ['an aggregate argument of the wrong type', 'from S select sum(k) as t insert into Out;', 'Sum not supported for STRING; it takes a number', 'sum'],
    ['a repeated argument of the wrong type', 'from S select maximum(v, k) as m insert into Out;', "maximum()'s 'value' argument must be a number, found a string attribute", 'maximum'],
    ['a missing repeated argument', 'from S select coalesce() as c insert into Out;', "coalesce() needs a 'value' argument", 'coalesce'],
  ])('%s', (_what, query, message, underlined) => {
    // Act
    const d = diagnostic(query);
    // Assess: the message, and the planner's position at the call
    expect(d.message).toBe(message);
    expect(d.line).toBe(2);
    expect(d.column).toBe(query.indexOf(underlined) + 1);
    expect(d.underlined).toBe(underlined);
  });

  test('arguments that fit pass the checker', () => {
    const queries = [
      'from S#window.timeBatch(1 sec, 0, true) select v insert into Out;',
      'from S#window.session(1 sec, k, 500) select v insert into Out;',
      'from S#window.session(1 sec, 500) select v insert into Out;',
      "from S#log('WARN', 'x', true) select v insert into Out;",
      "from S#log('x') select v insert into Out;",
      'from S#window.frequent(2, k, v) select v insert into Out;',
      "from S select coalesce(v, 1, 2) as c, convert(v, 'string') as s, count() as n insert into Out;",
    ];
    for (const q of queries) expect(() => compileApp(STREAM + q)).not.toThrow();
  });
});

describe('checkArgs on a descriptor of its own', () => {
  const demo: BuiltinDoc = {
    kind: 'function',
    name: 'demo',
    signatures: [[param('n', constant('INT')), optional('flag', 'false', constant('BOOL')), { name: 'rest', forms: [value('STRING')], default: 'none', repeated: true }]],
    returns: 'nothing',
    description: 'A test descriptor.',
    example: 'demo(1)',
  };
  const int = (v: number): ArgInfo => ({ type: 'INT', constant: { value: v } });
  const str: ArgInfo = { type: 'STRING', attributeIndex: 0 };

  test('binds arguments to parameters by name, repeated ones in order', () => {
    // Act
    const bound = checkArgs(demo, [int(3), { type: 'BOOL', constant: { value: true } }, str, { type: 'STRING' }]);
    // Assess
    expect(bound.signature).toBe(0);
    expect(bound.constant('n')).toBe(3);
    expect(bound.constant('flag')).toBe(true);
    expect(bound.position('flag')).toBe(1);
    expect(bound.args('rest')).toHaveLength(2);
    expect(bound.attribute('rest')).toBe(0);
    expect(bound.arg('missing')).toBeUndefined();
  });

  test('left-out optional parameters are undefined', () => {
    const bound = checkArgs(demo, [int(1)]);
    expect(bound.arg('flag')).toBeUndefined();
    expect(bound.args('rest')).toEqual([]);
  });

  test('every failure is a BuiltinArgError with the code BUILTIN_ARG', () => {
    // Act
    let err: unknown;
    try {
      checkArgs(demo, [str]);
    } catch (e) {
      err = e;
    }
    // Assess
    expect(err).toBeInstanceOf(BuiltinArgError);
    expect((err as BuiltinArgError).code).toBe('BUILTIN_ARG');
    expect((err as BuiltinArgError).message).toBe("demo()'s 'n' argument must be a constant int, found a string attribute");
  });

  test('usage text comes from the signatures', () => {
    expect(usage(demo)).toBe('demo(n INT, flag BOOL = false, rest STRING = none, ...)');
    expect(usage(windowFunctions.get('externalTime')!)).toBe('window.externalTime(timestamp LONG attribute, window.time INT|LONG|TIME)');
    expect(usage(windowFunctions.get('timeBatch')!)).toBe(
      'window.timeBatch(window.time INT|LONG|TIME) | window.timeBatch(window.time INT|LONG|TIME, start.time INT|LONG|TIME) | window.timeBatch(window.time INT|LONG|TIME, stream.current.event BOOL) | window.timeBatch(window.time INT|LONG|TIME, start.time INT|LONG|TIME, stream.current.event BOOL)',
    );
  });
});
