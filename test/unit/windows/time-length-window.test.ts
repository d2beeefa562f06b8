import { AppRuntime, compileApp, type Value } from '../../../core';
import { runOut, type Row } from '../../helpers/run-steps';

/**
 * Sends one chunk of events (as a batch window upstream releases them), then moves the clock to
 * each of `then`, rebuilding the runtime from a JSON copy of its snapshot after every step.
 */
function runChunk(app: string, stream: string, chunk: [number, Value[]][], then: number[] = []): [number, Value[]][] {
  return runOut(app, [chunk.map(([t, d]): Row => [stream, t, d]), ...then], true);
}

describe.each([false, true])('timeLength window (rebuilt from a snapshot after every step: %s)', restore => {
  test('expires by count on arrival and by time on the clock, whichever comes first', () => {
    // Prepare
    const app = 'define stream S (id string, v int); from S#window.timeLength(2 sec, 3) select id, sum(v) as s insert all events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, ['a', 1]], ['S', 1100, ['b', 2]], ['S', 1200, ['c', 3]], ['S', 1300, ['d', 4]], 3200, 10_000], restore);
    // Assess: d pushes a out in its own chunk (only d's row shows); at 3200 b and c are over 2 s old.
    expect(out).toEqual([
      [1000, ['a', 1]],
      [1100, ['b', 3]],
      [1200, ['c', 6]],
      [1300, ['d', 9]],
      [3200, ['c', 4]],
      [10_000, ['d', null]],
    ]);
  });

  test('the expired event comes before the arrival that pushed it out, stamped with the clock', () => {
    // Prepare
    const app = 'define stream S (id string); from S#window.timeLength(10 sec, 1) select id insert all events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, ['a']], ['S', 1500, ['b']]], restore);
    // Assess
    expect(out).toEqual([
      [1000, ['a']],
      [1500, ['a']],
      [1500, ['b']],
    ]);
  });

  test('timeLength(t, 0) lets events through without holding them', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.timeLength(1 sec, 0) select v insert all events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, [1]], 5000], restore);
    // Assess
    expect(out).toEqual([[1000, [1]]]);
  });
});

test('within one chunk, each event first expires what is due by the clock', () => {
  // Prepare
  const app = 'define stream S (id string); from S#window.timeLength(500, 10) select id insert expired events into Out;';
  // Act
  const out = runChunk(app, 'S', [[1000, ['a']], [1600, ['b']]]);
  // Assess
  expect(out).toEqual([[1600, ['a']]]);
});

test('an emptied timeLength window keeps no timer', () => {
  // Prepare
  const rt = new AppRuntime(compileApp('define stream S (v int); from S#window.timeLength(1 sec, 5) select v insert into Out;'));
  rt.send('S', 1000, [1]);
  // Act
  rt.advanceTime(2000);
  // Assess
  expect(rt.nextDue()).toBeNull();
});

test.each([
  ['timeLength(1 sec)', 'timeLength window takes 2 parameters, found 1'],
  ['timeLength(1 sec, 3L)', "timeLength window's 'window.length' parameter must be a constant int, found a constant long"],
  ['timeLength(1 sec, v)', 'found an int attribute'],
  ['timeLength(v, 3)', "timeLength window's 'window.time' parameter must be a constant int, long or time value, found an int attribute"],
  ['timeLength(1 sec, -1)', "timeLength window's 'window.length' must be at least 0, found -1"],
])('rejects %s', (w, message) => {
  expect(() => compileApp(`define stream S (v int); from S#window.${w} select v insert into Out;`)).toThrow(message);
});
