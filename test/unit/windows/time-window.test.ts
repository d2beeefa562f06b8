import { AppRuntime, compileApp, type Value } from '../../../core';
import { runOut, type Row } from '../../helpers/run-steps';

/**
 * Sends one chunk of events (as a batch window upstream releases them), then moves the clock to
 * each of `then`, rebuilding the runtime from a JSON copy of its snapshot after every step.
 */
function runChunk(app: string, stream: string, chunk: [number, Value[]][], then: number[] = []): [number, Value[]][] {
  return runOut(app, [chunk.map(([t, d]): Row => [stream, t, d]), ...then], true);
}

describe.each([false, true])('time window (rebuilt from a snapshot after every step: %s)', restore => {
  test('expires each event t ms after its timestamp, by the clock alone, with the clock time', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.time(1 sec) select sum(v) as s, count() as n insert all events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, [1]], ['S', 1500, [2]], 2200, ['S', 2600, [3]], 10_000], restore);
    // Assess: 1 leaves when the clock reaches 2200 (due 2000); 2 leaves before 3 arrives at 2600.
    expect(out).toEqual([
      [1000, [1, 1]],
      [1500, [3, 2]],
      [2200, [2, 1]],
      [2600, [null, 0]],
      [2600, [3, 1]],
      [10_000, [null, 0]],
    ]);
  });

  test('an event exactly t ms older than an arrival has left before the arrival', () => {
    // Prepare
    const app = 'define stream S (id string); from S#window.time(1 sec) select id insert expired events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, ['a']], ['S', 2000, ['b']]], restore);
    // Assess
    expect(out).toEqual([[2000, ['a']]]);
  });

  test.each(['1 sec', '1000', '1000L'])('time(%s) is a period of 1000 ms', period => {
    // Prepare
    const app = `define stream S (v int); from S#window.time(${period}) select sum(v) as s insert into Out;`;
    // Act
    const out = runOut(app, [['S', 1000, [1]], ['S', 1999, [2]], ['S', 2000, [4]]], restore);
    // Assess
    expect(out.map(r => r[1])).toEqual([[1], [3], [6]]);
  });

  test('time(0): an event leaves at the next arrival or clock move', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.time(0) select v insert expired events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, [1]], ['S', 1000, [2]], 1001], restore);
    // Assess
    expect(out).toEqual([
      [1000, [1]],
      [1001, [2]],
    ]);
  });
});

test('within one chunk, each event first expires what the clock has made due (as Siddhi does)', () => {
  // Prepare: a chunk of events of different times, as a batch window upstream releases them.
  const app = 'define stream S (id string); from S#window.time(500) select id insert all events into Out;';
  // Act: the clock is at 2000, the chunk's last time.
  const out = runChunk(app, 'S', [[1000, ['a']], [1500, ['b']], [2000, ['c']]]);
  // Assess
  expect(out).toEqual([
    [1000, ['a']],
    [2000, ['a']],
    [1500, ['b']],
    [2000, ['b']],
    [2000, ['c']],
  ]);
});

test('a clock jump far ahead expires everything at once; the window keeps one timer, none when empty', () => {
  // Prepare
  const rt = new AppRuntime(compileApp('define stream S (v int); from S#window.time(1 sec) select sum(v) as s insert all events into Out;'));
  const out: [number, Value[]][] = [];
  rt.subscribe('Out', (_s, es) => es.forEach(e => out.push([e.timestamp, e.data])));
  for (let i = 0; i < 100; i++) rt.send('S', 1000 + i, [1]);
  const pending = (rt.snapshot().scheduler.s as unknown[]).length;
  out.length = 0;
  // Act
  rt.advanceTime(1e12);
  // Assess: one chunk of 100 expired events (the aggregate shows its last row), then no timer.
  expect(pending).toBe(1);
  expect(out).toEqual([[1e12, [null]]]);
  expect(rt.nextDue()).toBeNull();
});

test('a named time window answers on-demand queries with the events it holds', () => {
  // Prepare
  const rt = new AppRuntime(compileApp('define stream S (v int); define window W (v int) time(1 sec); from S insert into W;'));
  rt.send('S', 1000, [1]);
  rt.send('S', 1500, [2]);
  // Act
  rt.advanceTime(2100);
  // Assess
  expect(rt.query('from W select v').records).toEqual([[2]]);
});

test.each([
  ['time(v)', "time window's 'window.time' parameter must be a constant int, long or time value, found an int attribute"],
  ['time(v + 1)', 'found an expression of type int'],
  ["time('1 sec')", 'found a constant string'],
  ['time(-5)', "time window's 'window.time' must be at least 0 ms, found -5"],
  ['time(1 sec, 2)', 'time window takes 1 parameter, found 2'],
  ['time()', 'time window takes 1 parameter, found 0'],
])('rejects %s', (w, message) => {
  expect(() => compileApp(`define stream S (v int); from S#window.${w} select v insert into Out;`)).toThrow(message);
});
