import { compileApp } from '../../../core';
import { runSteps, type Step } from '../../helpers/run-steps';

const run = runSteps;

const S = 'define stream S (ts long, v int);';

describe.each([false, true])('externalTimeBatch window (restore after every step: %s)', restore => {
  test('a batch is flushed by the first event of a later period, and the result carries its last event time', () => {
    // Prepare
    const app = `${S} from S#window.externalTimeBatch(ts, 1 sec) select sum(v) as s, count() as c insert into Out;`;
    const steps: Step[] = [
      ['S', 1000, [5000, 1]],
      ['S', 1001, [5400, 2]],
      ['S', 1002, [5999, 3]],
      ['S', 1003, [6000, 4]],
      ['S', 1004, [8100, 5]],
      ['S', 1005, [8200, 6]],
    ];
    // Act
    const out = run(app, ['Out'], steps, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1002, [6, 3]],
      ['Out', 1003, [4, 1]],
    ]);
  });

  test('expired copies of the previous batch come first, stamped with the largest timestamp attribute seen', () => {
    // Prepare
    const app = `${S} from S#window.externalTimeBatch(ts, 1 sec) select ts, v insert all events into Out;`;
    const steps: Step[] = [
      ['S', 1000, [5000, 1]],
      ['S', 1001, [5400, 2]],
      ['S', 1002, [6000, 3]],
      ['S', 1003, [7100, 4]],
    ];
    // Act
    const out = run(app, ['Out'], steps, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1000, [5000, 1]],
      ['Out', 1001, [5400, 2]],
      ['Out', 7100, [5000, 1]],
      ['Out', 7100, [5400, 2]],
      ['Out', 1002, [6000, 3]],
    ]);
  });

  test('a constant start.time aligns the periods (Java remainder: a start after the first event stretches the first batch)', () => {
    // Prepare
    const aligned = `${S} from S#window.externalTimeBatch(ts, 1 sec, 500) select count() as n, sum(v) as s insert into Out;`;
    const late = `${S} from S#window.externalTimeBatch(ts, 1 sec, 10000) select count() as n, sum(v) as s insert into Out;`;
    // Act
    const a = run(aligned, ['Out'], [['S', 1, [5200, 1]], ['S', 2, [5400, 2]], ['S', 3, [5500, 3]], ['S', 4, [6499, 4]], ['S', 5, [6500, 5]]], restore);
    const b = run(late, ['Out'], [['S', 1, [5200, 1]], ['S', 2, [6500, 2]], ['S', 3, [7000, 3]]], restore);
    // Assess
    expect(a).toEqual([
      ['Out', 2, [2, 3]],
      ['Out', 4, [2, 7]],
    ]);
    expect(b).toEqual([['Out', 2, [2, 3]]]);
  });

  test('a start.time attribute is read from the first event only', () => {
    // Prepare
    const app = 'define stream S (ts long, st long, v int); from S#window.externalTimeBatch(ts, 1 sec, st) select count() as n insert into Out;';
    const steps: Step[] = [
      ['S', 1, [5200, 4900, 1]],
      ['S', 2, [5800, 0, 2]],
      ['S', 3, [5900, 0, 3]],
      ['S', 4, [6899, 0, 4]],
      ['S', 5, [6900, 0, 5]],
    ];
    // Act
    const out = run(app, ['Out'], steps, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 2, [2]],
      ['Out', 4, [2]],
    ]);
  });

  test('a timeout sends a batch no event closes, and sends it again with late events of its period', () => {
    // Prepare
    const app = `${S} from S#window.externalTimeBatch(ts, 1 sec, 0, 500) select count() as n, sum(v) as s insert into Out;`;
    const steps: Step[] = [
      ['S', 1000, [10100, 1]],
      ['S', 1200, [10300, 2]],
      1600,
      ['S', 1700, [10500, 3]],
      2200,
      ['S', 2300, [11200, 4]],
      ['S', 2900, [11300, 5]],
      3500,
    ];
    // Act
    const out = run(app, ['Out'], steps, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1200, [2, 3]],
      ['Out', 1700, [3, 6]],
      ['Out', 2300, [1, 4]],
      ['Out', 2900, [2, 9]],
    ]);
  });

  test('with a timeout and expired events, a resend expires what was sent before sending it again', () => {
    // Prepare
    const app = `${S} from S#window.externalTimeBatch(ts, 1 sec, 0, 500) select v insert all events into Out;`;
    const steps: Step[] = [['S', 1000, [10100, 1]], 1600, ['S', 1700, [10500, 2]], 2200];
    // Act
    const out = run(app, ['Out'], steps, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1000, [1]],
      ['Out', 10500, [1]],
      ['Out', 1000, [1]],
      ['Out', 1700, [2]],
    ]);
  });

  test('replace.with.batchtime puts the end of its batch in the timestamp attribute', () => {
    // Prepare
    const app = `${S} from S#window.externalTimeBatch(ts, 1 sec, 0, 0, true) select ts, v insert into Out;`;
    // Act
    const out = run(app, ['Out'], [['S', 1, [10100, 1]], ['S', 2, [10300, 2]], ['S', 3, [11000, 3]], ['S', 4, [12500, 4]]], restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1, [11000, 1]],
      ['Out', 2, [11000, 2]],
      ['Out', 3, [12000, 3]],
    ]);
  });
});

describe('externalTimeBatch window parameters', () => {
  test.each([
    ['one parameter', 'externalTimeBatch(ts)', 'takes 2 to 5 parameters, found 1'],
    ['six parameters', 'externalTimeBatch(ts, 1 sec, 0, 1 sec, true, 1)', 'takes 2 to 5 parameters, found 6'],
    ['an int timestamp', 'externalTimeBatch(v, 1 sec)', "'timestamp' attribute 'v' must be of type long, found int"],
    ['a constant timestamp', 'externalTimeBatch(5L, 1 sec)', "'timestamp' parameter must be an attribute of the input stream, found a constant long"],
    ['a zero window.time', 'externalTimeBatch(ts, 0)', "'window.time' must be positive, found 0"],
    ['an int start.time attribute', 'externalTimeBatch(ts, 1 sec, v)', "'start.time' parameter must be a constant int or long, or a long attribute, found an int attribute"],
    ['a string start.time', "externalTimeBatch(ts, 1 sec, 'x')", "'start.time' parameter must be a constant int or long, or a long attribute, found a constant string"],
    ['an attribute timeout', 'externalTimeBatch(ts, 1 sec, 0, ts)', "'timeout' parameter must be a constant int, long or time value, found a long attribute"],
    ['an int replace.with.batchtime', 'externalTimeBatch(ts, 1 sec, 0, 1 sec, 1)', "'replace.with.batchtime' parameter must be a constant bool"],
  ])('%s is rejected', (_what, window, message) => {
    // Prepare
    const app = `${S} from S#window.${window} select v insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow(message);
  });
});
