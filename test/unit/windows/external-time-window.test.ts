import { compileApp, memoryLogger } from '../../../core';
import { runSteps, splitCurrentExpired, type Step } from '../../helpers/run-steps';

/** Sends the steps in order (see runSteps), collecting what the runtime logs too. */
function run(app: string, outputs: string[], steps: Step[], restoreEachStep: boolean) {
  const logger = memoryLogger();
  return { out: runSteps(app, outputs, steps, restoreEachStep, logger), logger };
}

const split = splitCurrentExpired;

describe.each([false, true])('externalTime window (restore after every step: %s)', restore => {
  test('the window slides on the timestamp attribute, not on event time', () => {
    // Prepare
    const app = 'define stream S (id string, ts long, v int); from S#window.externalTime(ts, 1 sec) select id, sum(v) as s insert into Out;';
    const steps: Step[] = [
      ['S', 1000, ['a', 10000, 1]],
      ['S', 1001, ['b', 10500, 2]],
      ['S', 1002, ['c', 11000, 3]],
      ['S', 1003, ['d', 11001, 4]],
      ['S', 1004, ['e', 13000, 5]],
    ];
    // Act
    const { out } = run(app, ['Out'], steps, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1000, ['a', 1]],
      ['Out', 1001, ['b', 3]],
      ['Out', 1002, ['c', 5]],
      ['Out', 1003, ['d', 9]],
      ['Out', 1004, ['e', 5]],
    ]);
  });

  test('expired events carry the timestamp attribute of the arrival that expired them, and come before it', () => {
    // Prepare
    const app = split('define stream S (id string, ts long);', 'from S#window.externalTime(ts, 100) select id, ts');
    const steps: Step[] = [
      ['S', 1000, ['a', 0]],
      ['S', 1001, ['b', 50]],
      ['S', 1002, ['c', 100]],
      ['S', 1003, ['d', 151]],
      ['S', 1004, ['e', 400]],
    ];
    // Act
    const { out } = run(app, ['Cur', 'Exp'], steps, restore);
    // Assess
    expect(out.filter(r => r[0] === 'Exp')).toEqual([
      ['Exp', 100, ['a', 0]],
      ['Exp', 151, ['b', 50]],
      ['Exp', 400, ['c', 100]],
      ['Exp', 400, ['d', 151]],
    ]);
    expect(out.filter(r => r[0] === 'Cur').map(r => r[1])).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  test('within one chunk each arrival expires what it outdates, in order', () => {
    // Prepare
    const app = 'define stream S (ts long, v int); from S#window.externalTime(ts, 10) select ts, v insert all events into Out;';
    const steps: Step[] = [
      [
        ['S', 1, [0, 1]],
        ['S', 2, [5, 2]],
        ['S', 3, [12, 3]],
        ['S', 4, [30, 4]],
      ],
    ];
    // Act
    const { out } = run(app, ['Out'], steps, restore);
    // Assess: [a, b, EXP a, c, EXP b, EXP c, d] with expiries stamped 12 and 30
    expect(out).toEqual([
      ['Out', 1, [0, 1]],
      ['Out', 2, [5, 2]],
      ['Out', 12, [0, 1]],
      ['Out', 3, [12, 3]],
      ['Out', 30, [5, 2]],
      ['Out', 30, [12, 3]],
      ['Out', 4, [30, 4]],
    ]);
  });

  test('nothing expires without an arrival, however far the clock moves', () => {
    // Prepare
    const app = 'define stream S (ts long); define stream T (x int); from S#window.externalTime(ts, 10) select ts insert expired events into Exp;';
    const steps: Step[] = [
      ['S', 1, [0]],
      ['T', 100000, [1]],
      ['S', 100001, [5]],
      ['S', 100002, [20]],
    ];
    // Act
    const { out } = run(app, ['Exp'], steps, restore);
    // Assess
    expect(out).toEqual([
      ['Exp', 20, [0]],
      ['Exp', 20, [5]],
    ]);
  });
});

describe('externalTime window parameters and errors', () => {
  test.each([
    ['one parameter', 'externalTime(ts)', 'takes 2 parameters, found 1'],
    ['an int timestamp', 'externalTime(n, 1 sec)', "'timestamp' attribute 'n' must be of type long, found int"],
    ['a computed timestamp', 'externalTime(ts + 1, 1 sec)', "'timestamp' parameter must be an attribute of the input stream, found an expression of type long"],
    ['an attribute as window.time', 'externalTime(ts, ts)', "'window.time' parameter must be a constant int, long or time value, found a long attribute"],
    ['a double window.time', 'externalTime(ts, 1.5)', "'window.time' parameter must be a constant int, long or time value, found a constant double"],
  ])('%s is rejected', (_what, window, message) => {
    // Prepare
    const app = `define stream S (ts long, n int); from S#window.${window} select ts insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow(message);
  });

  test('an int window.time works like a long one', () => {
    // Prepare
    const app = 'define stream S (ts long); from S#window.externalTime(ts, 5) select ts insert expired events into Exp;';
    // Act
    const { out } = run(app, ['Exp'], [['S', 1, [1]], ['S', 2, [6]]], false);
    // Assess
    expect(out).toEqual([['Exp', 6, [1]]]);
  });

  test('a null timestamp drops the event with an error, leaving the window as it was', () => {
    // Prepare
    const app = 'define stream S (ts long, v int); from S#window.externalTime(ts, 10) select v, count() as n insert into Out;';
    // Act
    const { out, logger } = run(app, ['Out'], [['S', 1, [0, 1]], ['S', 2, [null, 2]], ['S', 3, [5, 3]]], false);
    // Assess
    expect(out).toEqual([
      ['Out', 1, [1, 1]],
      ['Out', 3, [3, 2]],
    ]);
    expect(logger.lines.join('\n')).toContain("the timestamp attribute 'ts' is null");
  });
});
