import { AppRuntime, compileApp, memoryLogger, type Value } from '../../../core';
import { runOut, type Row, type Step } from '../../helpers/run-steps';

/**
 * Sends one chunk of events (as a batch window upstream releases them), then moves the clock to
 * each of `then`, rebuilding the runtime from a JSON copy of its snapshot after every step.
 */
function runChunk(app: string, stream: string, chunk: [number, Value[]][], then: number[] = []): [number, Value[]][] {
  return runOut(app, [chunk.map(([t, d]): Row => [stream, t, d]), ...then], true);
}

/** What has come out after each prefix of `steps` ending in a clock move: when things leave. */
function outputsBy(app: string, steps: Step[], restore: boolean): Record<number, [number, Value[]][]> {
  const by: Record<number, [number, Value[]][]> = {};
  steps.forEach((s, i) => {
    if (typeof s === 'number') by[s] = runOut(app, steps.slice(0, i + 1), restore);
  });
  return by;
}

const APP = (params: string, output = 'all') =>
  `define stream A (user string, n int); from A#window.session(${params}) select user, n insert ${output} events into Out;`;

describe.each([false, true])('session window (rebuilt from a snapshot after every step: %s)', restore => {
  test('events pass through; a session leaves as EXPIRED events with their own times once the gap has passed', () => {
    // Prepare
    const app = 'define stream A (user string, n int); from A#window.session(1 sec) select user, sum(n) as total insert all events into Out;';
    // Act
    const out = runOut(app, [['A', 1000, ['u', 1]], ['A', 1500, ['u', 2]], ['A', 2400, ['u', 3]], ['A', 4000, ['u', 4]], 6000], restore);
    // Assess: the session 1000..2400 ends at 3400; the expired chunk shows its last row.
    expect(out).toEqual([
      [1000, ['u', 1]],
      [1500, ['u', 3]],
      [2400, ['u', 6]],
      [2400, ['u', null]],
      [4000, ['u', 4]],
      [4000, ['u', null]],
    ]);
  });

  test('keyed sessions end separately; sessions ending together leave in Java hash order of their keys', () => {
    // Prepare
    const app = APP('1 sec, user', 'expired');
    // Act: b's and a's sessions both end at 2000; c's at 2500.
    const out = runOut(app, [['A', 1000, ['b', 1]], ['A', 1000, ['a', 2]], ['A', 1500, ['c', 3]], 5000], restore);
    // Assess: "a" hashes to bucket 1, "b" to bucket 2.
    expect(out).toEqual([
      [1000, ['a', 2]],
      [1000, ['b', 1]],
      [1500, ['c', 3]],
    ]);
  });

  test('an out-of-order event within the gap before the session joins it, at the iterator position Siddhi uses', () => {
    // Prepare
    const app = APP('1 sec, user', 'expired');
    // Act: 200 and then 100 arrive late for the session that started at 1000.
    const out = runOut(app, [['A', 1000, ['a', 1]], ['A', 1500, ['a', 2]], ['A', 200, ['a', 3]], ['A', 100, ['a', 4]], 3000], restore);
    // Assess: the first late event goes first, the second one place further on.
    expect(out.map(r => r[1][1])).toEqual([3, 1, 4, 2]);
  });

  test('an out-of-order event more than the gap before the session is dropped', () => {
    // Prepare
    const app = APP('1 sec, user');
    // Act
    const out = runOut(app, [['A', 5000, ['a', 1]], ['A', 3000, ['a', 2]], 7000], restore);
    // Assess: the late event is neither passed on nor held.
    expect(out).toEqual([
      [5000, ['a', 1]],
      [5000, ['a', 1]],
    ]);
  });

  test('with an allowed latency, an ended session leaves only when the latency has passed too', () => {
    // Prepare
    const app = APP('1 sec, user, 500 millisec', 'expired');
    // Act
    const by = outputsBy(app, [['A', 1000, ['a', 1]], 2100, 2499, 2500], restore);
    // Assess
    expect(by[2499]).toEqual([]);
    expect(by[2500]).toEqual([[1000, ['a', 1]]]);
  });

  test('with an allowed latency, a late event merges the ended session into the open one', () => {
    // Prepare
    const app = APP('1 sec, user, 500 millisec', 'expired');
    // Act: a's first session ends at 2000; a new one opens at 2150; 1500 arrives late.
    const by = outputsBy(app, [['A', 1000, ['a', 1]], 2100, ['A', 2150, ['a', 2]], ['A', 1500, ['a', 3]], 3200, 3700], restore);
    // Assess: one session 1000..2150, which ends at 3150 and leaves after the latency, at 3650.
    expect(by[3200]).toEqual([]);
    expect(by[3700]).toEqual([
      [1500, ['a', 3]],
      [1000, ['a', 1]],
      [2150, ['a', 2]],
    ]);
  });

  test("timers fire in the order they were asked for, as Siddhi's scheduler queue does", () => {
    // Prepare
    const app = APP('1 sec, user, 500 millisec', 'expired');
    // Act: a's session ends at 2000 and waits until 2500, but that timer queues behind b's end (2900).
    const by = outputsBy(app, [['A', 1000, ['a', 1]], ['A', 1900, ['b', 2]], 2000, 2600, 2900, 3400], restore);
    // Assess
    expect(by[2600]).toEqual([]);
    expect(by[2900]).toEqual([[1000, ['a', 1]]]);
    expect(by[3400]).toEqual([
      [1000, ['a', 1]],
      [1900, ['b', 2]],
    ]);
  });

  test('without a key all events share one session', () => {
    // Prepare
    const app = APP('1 sec', 'expired');
    // Act
    const out = runOut(app, [['A', 1000, ['a', 1]], ['A', 1800, ['b', 2]], 5000], restore);
    // Assess
    expect(out).toEqual([
      [1000, ['a', 1]],
      [1800, ['b', 2]],
    ]);
  });

  test('a latency given as the second parameter applies to the single session', () => {
    // Prepare
    const app = APP('1 sec, 500', 'expired');
    // Act
    const by = outputsBy(app, [['A', 1000, ['a', 1]], 2000, 2500], restore);
    // Assess
    expect(by[2000]).toEqual([]);
    expect(by[2500]).toEqual([[1000, ['a', 1]]]);
  });
});

test('with an allowed latency, a new session pushes out the ended one still waiting, at the end of the chunk', () => {
  // Prepare
  const app = APP('1 sec, user, 500 millisec');
  // Act: one chunk of three sessions of a (the clock is at 4000 throughout).
  const out = runChunk(app, 'A', [[1000, ['a', 1]], [2500, ['a', 2]], [4000, ['a', 3]]], [4001, 6000]);
  // Assess: the chunk passes through, followed by the session it pushed out; the rest leave later.
  expect(out).toEqual([
    [1000, ['a', 1]],
    [2500, ['a', 2]],
    [4000, ['a', 3]],
    [1000, ['a', 1]],
    [2500, ['a', 2]],
    [4000, ['a', 3]],
  ]);
});

test('a null session key is reported and its chunk dropped', () => {
  // Prepare
  const logger = memoryLogger();
  const rt = new AppRuntime(compileApp(APP('1 sec, user')), { logger });
  const out: Value[][] = [];
  rt.subscribe('Out', (_s, es) => es.forEach(e => out.push(e.data)));
  // Act
  rt.send('A', 1000, [null, 1]);
  // Assess
  expect(out).toEqual([]);
  expect(logger.lines.join('\n')).toContain("session window: the session key 'user' is null");
});

test('a named session window holds the events of open and ended sessions', () => {
  // Prepare
  const rt = new AppRuntime(compileApp('define stream A (user string, n int); define window W (user string, n int) session(1 sec, user, 500); from A insert into W;'));
  rt.send('A', 1000, ['a', 1]);
  rt.send('A', 1800, ['b', 2]);
  // Act
  rt.advanceTime(2200);
  // Assess: a's session ended at 2000 but waits for late events until 2500.
  expect(rt.query('from W select user, n').records).toEqual([
    ['a', 1],
    ['b', 2],
  ]);
});

test('an emptied session window keeps no timer', () => {
  // Prepare
  const rt = new AppRuntime(compileApp(APP('1 sec, user')));
  rt.send('A', 1000, ['a', 1]);
  // Act
  rt.advanceTime(9000);
  // Assess
  expect(rt.nextDue()).toBeNull();
  const [, held] = Object.entries(rt.snapshot()).find(([name]) => name.endsWith('/sessions'))!;
  expect(held.s).toEqual({ k: [], d: [] });
});

test('session(gap, key, latency) accepts a latency equal to the gap', () => {
  expect(() => compileApp(APP('1 sec, user, 1 sec'))).not.toThrow();
});

test.each([
  ['session()', 'session window takes 1 to 3 parameters, found 0'],
  ['session(user)', "session window's 'window.session' parameter must be a constant int, long or time value, found a string attribute"],
  ['session(1 sec, 2 sec)', "session window's allowed latency (2000 ms) must not be greater than the session gap (1000 ms)"],
  ['session(1 sec, n)', "session window's 'window.key' attribute 'n' must be of type string, found int"],
  ["session(1 sec, 'x')", "session window's 2nd parameter must be the session key (a string attribute) or the allowed latency (a constant int, long or time value), found a constant string"],
  ["session(1 sec, 'x', 2)", "session window's 'window.key' parameter must be an attribute of the input stream, found a constant string"],
  ['session(1 sec, user, user)', "session window's 'window.allowed.latency' parameter must be a constant int, long or time value, found a string attribute"],
  ['session(1 sec, user, -1)', "session window's 'window.allowed.latency' must be at least 0 ms, found -1"],
])('rejects %s', (w, message) => {
  expect(() => compileApp(`define stream A (user string, n int); from A#window.${w} select user insert into Out;`)).toThrow(message);
});
