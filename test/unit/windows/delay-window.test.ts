import { AppRuntime, compileApp, type Value } from '../../../core';
import { runOut, type Row } from '../../helpers/run-steps';

/**
 * Sends one chunk of events (as a batch window upstream releases them), then moves the clock to
 * each of `then`, rebuilding the runtime from a JSON copy of its snapshot after every step.
 */
function runChunk(app: string, stream: string, chunk: [number, Value[]][], then: number[] = []): [number, Value[]][] {
  return runOut(app, [chunk.map(([t, d]): Row => [stream, t, d]), ...then], true);
}

describe.each([false, true])('delay window (rebuilt from a snapshot after every step: %s)', restore => {
  test('releases each event t ms after its time, as a current event carrying the clock time', () => {
    // Prepare
    const app = 'define stream S (id string); from S#window.delay(500) select id insert into Out;';
    // Act
    const out = runOut(app, [['S', 1000, ['a']], ['S', 1100, ['b']], 1550, 1600, ['S', 1700, ['c']], 5000], restore);
    // Assess
    expect(out).toEqual([
      [1550, ['a']],
      [1600, ['b']],
      [5000, ['c']],
    ]);
  });

  test('events due together come out together, in arrival order', () => {
    // Prepare
    const app = 'define stream S (id string); from S#window.delay(1 sec) select id insert into Out;';
    // Act
    const out = runOut(app, [['S', 1000, ['a']], ['S', 1000, ['b']], ['S', 1400, ['c']], 9000], restore);
    // Assess
    expect(out).toEqual([
      [9000, ['a']],
      [9000, ['b']],
      [9000, ['c']],
    ]);
  });

  test('nothing leaves as an expired event', () => {
    // Prepare
    const app = 'define stream S (id string); from S#window.delay(500) select id insert expired events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, ['a']], 3000], restore);
    // Assess
    expect(out).toEqual([]);
  });
});

test('within one chunk, each event first releases what is due by the clock', () => {
  // Prepare
  const app = 'define stream S (id string); from S#window.delay(500) select id insert into Out;';
  // Act: the clock is at 1600; a is due at 1500, b at 2000, c at 2100.
  const out = runChunk(app, 'S', [[1000, ['a']], [1500, ['b']], [1600, ['c']]], [2100]);
  // Assess
  expect(out).toEqual([
    [1600, ['a']],
    [2100, ['b']],
    [2100, ['c']],
  ]);
});

test('a named delay window holds the events not yet released', () => {
  // Prepare
  const rt = new AppRuntime(compileApp('define stream S (id string); define window W (id string) delay(1 sec); from S insert into W;'));
  rt.send('S', 1000, ['a']);
  rt.send('S', 1500, ['b']);
  // Act
  rt.advanceTime(2200);
  // Assess
  expect(rt.query('from W select id').records).toEqual([['b']]);
});

test.each([
  ['delay()', 'delay window takes 1 parameter, found 0'],
  ["delay('1 sec')", "delay window's 'window.delay' parameter must be a constant int, long or time value, found a constant string"],
  ['delay(-1)', "delay window's 'window.delay' must be at least 0 ms, found -1"],
])('rejects %s', (w, message) => {
  expect(() => compileApp(`define stream S (id string); from S#window.${w} select id insert into Out;`)).toThrow(message);
});
