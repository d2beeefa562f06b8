import { compileApp, PlanError } from '../../../core';
import { runOut, type Step } from '../../helpers/run-steps';

const run = (app: string, steps: Step[], restoreEachStep = false) => runOut(app, steps, restoreEachStep);

describe.each([false, true])('triggers on the event clock (restore after every step: %s)', restore => {
  test("'start' fires once, when the clock first moves", () => {
    const app = "define trigger Boot at 'start'; from Boot select triggered_time insert into Out;";
    expect(run(app, [5000, 9000, 12000], restore)).toEqual([[5000, [5000]]]);
  });

  test('every 1 sec fires at start + k sec, each missed time once after a jump', () => {
    const app = 'define trigger Tick at every 1 sec; from Tick select triggered_time insert into Out;';
    expect(run(app, [1000, 2500, 5200], restore)).toEqual([
      [2500, [2000]],
      [5200, [3000]],
      [5200, [4000]],
      [5200, [5000]],
    ]);
  });

  test('a cron trigger fires at its times', () => {
    const app = "define trigger Half at '0/30 * * * * ?'; from Half select triggered_time insert into Out;";
    const t0 = Date.UTC(2026, 0, 1, 0, 0, 10);
    expect(run(app, [t0, t0 + 25_000, t0 + 60_000], restore).map(o => o[1][0])).toEqual([Date.UTC(2026, 0, 1, 0, 0, 30), Date.UTC(2026, 0, 1, 0, 1, 0)]);
  });

  test('a trigger joins a stream like any other stream', () => {
    const app = `define stream S (v int); define trigger Tick at every 1 sec;
      from Tick join S#window.length(1) select triggered_time, v insert into Out;`;
    expect(run(app, [['S', 1000, [7]], 2100], restore)).toEqual([[2100, [2000, 7]]]);
  });
});

test('a bad cron expression is a positioned compile error', () => {
  expect(() => compileApp("define trigger T at '0 0 0 1 * MON'; from T select triggered_time insert into Out;")).toThrow(PlanError);
});
