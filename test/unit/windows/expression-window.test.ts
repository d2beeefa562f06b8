import { compileApp, memoryLogger, type Value } from '../../../core';
import { runSteps, splitCurrentExpired, type Row, type Step } from '../../helpers/run-steps';

/** Sends the steps in order (see runSteps), collecting what the runtime logs too. */
function run(app: string, outputs: string[], steps: Step[], restoreEachStep: boolean) {
  const logger = memoryLogger();
  return { out: runSteps(app, outputs, steps, restoreEachStep, logger), logger };
}

const split = splitCurrentExpired;
const only = (out: Row[], stream: string) => out.filter(r => r[0] === stream).map(r => [r[1], r[2]]);

const S = 'define stream S (symbol string, price float, volume int);';
const volumes = (n: number): Row[] => Array.from({ length: n }, (_, i) => ['S', i, ['WSO2', 60.5 + i, i]]);

describe.each([false, true])('expression window (restore after every step: %s)', restore => {
  test("'count() <= 2' keeps the last two events; an aggregate row follows the expiry", () => {
    // Prepare
    const app = "define stream S (v int); from S#window.expression('count() <= 2') select v, sum(v) as s insert all events into Out;";
    // Act
    const { out } = run(app, ['Out'], [['S', 1000, [1]], ['S', 1100, [2]], ['S', 1200, [3]], ['S', 1300, [4]]], restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1000, [1, 1]],
      ['Out', 1100, [2, 3]],
      ['Out', 1200, [3, 5]],
      ['Out', 1300, [4, 7]],
    ]);
  });

  test("'count() <= 2' expires one event per arrival once full, at the clock time", () => {
    // Prepare
    const app = split(S, "from S#window.expression('count() <= 2') select volume");
    // Act
    const { out } = run(app, ['Cur', 'Exp'], volumes(5), restore);
    // Assess
    expect(only(out, 'Cur')).toHaveLength(5);
    expect(only(out, 'Exp')).toEqual([
      [2, [0]],
      [3, [1]],
      [4, [2]],
    ]);
  });

  test("'last.volume - first.volume <= 2' compares the newest with the oldest event held", () => {
    // Prepare
    const app = split(S, "from S#window.expression('last.volume - first.volume <= 2') select volume");
    // Act
    const { out } = run(app, ['Cur', 'Exp'], volumes(5), restore);
    // Assess
    expect(only(out, 'Cur')).toHaveLength(5);
    expect(only(out, 'Exp')).toEqual([
      [3, [0]],
      [4, [1]],
    ]);
  });

  test('eventTimestamp(last) - eventTimestamp(first) keeps a time span', () => {
    // Prepare
    const app = split(S, "from S#window.expression('eventTimestamp(last) - eventTimestamp(first) <= 2') select volume");
    // Act
    const { out } = run(app, ['Cur', 'Exp'], volumes(5), restore);
    // Assess
    expect(only(out, 'Exp')).toEqual([
      [3, [0]],
      [4, [1]],
    ]);
  });

  test('in one chunk every event is considered in turn; expiries take the clock time', () => {
    // Prepare
    const app = split(S, "from S#window.expression('eventTimestamp(last) - eventTimestamp(first) <= 2') select volume");
    // Act
    const { out } = run(app, ['Cur', 'Exp'], [volumes(7)], restore);
    // Assess
    expect(only(out, 'Cur')).toHaveLength(7);
    expect(only(out, 'Exp')).toEqual([
      [6, [0]],
      [6, [1]],
      [6, [2]],
      [6, [3]],
    ]);
  });

  test('aggregates and timestamps together; the row of each arrival comes after its expiries', () => {
    // Prepare
    const def = 'define stream S (v int);';
    const query = "from S#window.expression('sum(v) < 10 and eventTimestamp(last) - eventTimestamp(first) < 3000') select v, sum(v) as s";
    const app = `${split(def, query)}\n${query} insert into Out;`;
    const steps: Step[] = [
      ['S', 0, [4]],
      ['S', 1000, [5]],
      ['S', 2000, [3]],
      ['S', 3500, [1]],
      ['S', 4500, [1]],
      ['S', 6000, [2]],
    ];
    // Act
    const { out } = run(app, ['Exp', 'Out'], steps, restore);
    // Assess
    expect(only(out, 'Exp').map(r => r[0])).toEqual([2000, 4500, 6000]);
    expect(only(out, 'Exp').map(r => (r[1] as Value[])[0])).toEqual([4, 5, 3]);
    expect(only(out, 'Out').map(r => (r[1] as Value[])[1])).toEqual([4, 9, 8, 9, 5, 4]);
  });

  test('a plain attribute is the event being considered: the arrival, then each event being expired', () => {
    // Prepare
    const app = "define stream S (v int); from S#window.expression('v < 10') select v insert all events into Out;";
    // Act
    const { out } = run(app, ['Out'], [['S', 1, [5]], ['S', 2, [20]], ['S', 3, [6]]], restore);
    // Assess: 20 fails, so 5 expires; then 'v' is the expired 5, which passes: 20 stays
    expect(out).toEqual([
      ['Out', 1, [5]],
      ['Out', 2, [5]],
      ['Out', 2, [20]],
      ['Out', 3, [6]],
    ]);
  });

  test('an event that fails on its own in an empty window expires at once, before its arrival', () => {
    // Prepare
    const app = "define stream S (v int); from S#window.expression('count() < 1') select v insert all events into Out;";
    // Act
    const { out } = run(app, ['Out'], [['S', 1, [5]], ['S', 2, [6]]], restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1, [5]],
      ['Out', 1, [5]],
      ['Out', 2, [6]],
      ['Out', 2, [6]],
    ]);
  });

  test('an expression from a string attribute: a new text reconsiders every held event', () => {
    // Prepare
    const app = split(`define stream S (symbol string, price float, volume int, expr string);`, 'from S#window.expression(expr) select volume');
    const a = 'eventTimestamp(last) - eventTimestamp(first) < 2';
    const b = 'eventTimestamp(last) - eventTimestamp(first) < 0';
    const texts = [a, a, a, b, b, a, a, a, a];
    const steps: Step[] = texts.map((expr, i) => ['S', i, ['WSO2', 60.5 + i, i, expr]]);
    // Act
    const { out } = run(app, ['Cur', 'Exp'], steps, restore);
    // Assess (Siddhi's expressionWindowTest7: 9 in, 7 removed, 3 of them at once)
    expect(only(out, 'Cur')).toHaveLength(9);
    expect(only(out, 'Exp')).toEqual([
      [2, [0]],
      [3, [1]],
      [3, [2]],
      [3, [3]],
      [4, [4]],
      [7, [5]],
      [8, [6]],
    ]);
  });
});

describe('expression window parameters and errors', () => {
  test.each([
    ['no parameter', 'expression()', 'takes 1 parameter, found 0'],
    ['an int', 'expression(5)', "'expression' parameter must be a constant string or a string attribute, found a constant int"],
    ['an int attribute', 'expression(volume)', 'found an int attribute'],
    ['a non-bool expression', "expression('count()')", "the expression 'count()' must return bool, found long"],
    ['a syntax error', "expression('count() <')", "cannot parse 'count() <'"],
    ['an unknown attribute', "expression('nope > 1')", "Cannot find attribute 'nope' in the window's events (symbol string, price float, volume int)"],
    ['first without an attribute', "expression('first > 1')", "'first' stands for the oldest event of the window: use first.<attribute> or eventTimestamp(first)"],
    ['a stream qualifier', "expression('S.volume > 1')", "'S.volume': in a window expression an attribute is a plain name"],
    ['first in an aggregate argument', "expression('sum(first.volume) < 3')", "the argument of 'sum' in a window expression can only use the attributes of the event being considered"],
    ['an unknown event in eventTimestamp', "expression('eventTimestamp(lst) > 1')", "Cannot find attribute 'lst'"],
  ])('%s is rejected', (_what, window, message) => {
    // Prepare
    const app = `${S} from S#window.${window} select volume insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow(message);
  });

  test('errors name eventTimestamp(first) as written', () => {
    // Prepare
    const app = `${S} from S#window.expression('eventTimestamp(first) + symbol') select volume insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow("in 'eventTimestamp(first) + symbol'");
  });

  test("eventTimestamp inside a string literal is left alone; eventTimestamp() is the event's own time", () => {
    // Prepare
    const app = `${S} from S#window.expression("symbol != 'eventTimestamp(first)' and eventTimestamp() >= 0") select volume insert expired events into Exp;`;
    // Act
    const { out } = run(app, ['Exp'], [['S', 1, ['eventTimestamp(first)', 1, 1]], ['S', 2, ['x', 1, 2]]], false);
    // Assess
    expect(out).toEqual([['Exp', 1, [1]]]);
  });

  test('a bad expression text in an event drops that event with an error; later events go on', () => {
    // Prepare
    const app = "define stream S (v int, expr string); from S#window.expression(expr) select v insert all events into Out;";
    const steps: Step[] = [
      ['S', 1, [1, 'count() <= 1']],
      ['S', 2, [2, 'count(']],
      ['S', 3, [3, 'count()']],
      ['S', 4, [4, null]],
      ['S', 5, [5, 'count() <= 1']],
    ];
    // Act
    const { out, logger } = run(app, ['Out'], steps, false);
    // Assess
    expect(out).toEqual([
      ['Out', 1, [1]],
      ['Out', 5, [1]],
      ['Out', 5, [5]],
    ]);
    const log = logger.lines.join('\n');
    expect(log).toContain("cannot parse 'count('");
    expect(log).toContain("the expression 'count()' must return bool, found long");
    expect(log).toContain("the expression attribute 'expr' is null");
  });
});
