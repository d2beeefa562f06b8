import { AppRuntime, compileApp, type RuntimeSnapshot, type Value } from '../../../core';

type Step = number | [string, number, Value[]];

function run(app: string, steps: Step[], restoreEachStep: boolean, out = 'Out'): [number, Value[]][] {
  const plan = compileApp(app);
  const got: [number, Value[]][] = [];
  const fresh = (snap?: RuntimeSnapshot) => {
    const rt = new AppRuntime(plan);
    if (snap) rt.restore(JSON.parse(JSON.stringify(snap)));
    rt.subscribe(out, (_s, es) => es.forEach(e => got.push([e.timestamp, e.data])));
    return rt;
  };
  let rt = fresh();
  for (const s of steps) {
    if (typeof s === 'number') rt.advanceTime(s);
    else rt.send(...s);
    if (restoreEachStep) rt = fresh(rt.snapshot());
  }
  return got;
}

describe.each([false, true])('time-driven windows (restore after every step: %s)', restore => {
  test('cron window releases a batch at every cron time, on the event clock', () => {
    // Prepare: every 10 seconds, UTC.
    const app = "define stream S (v int); from S#window.cron('*/10 * * * * ?') select sum(v) as s, count() as n insert into Out;";
    const t0 = Date.UTC(2026, 0, 1, 0, 0, 1);
    // Act
    const out = run(app, [['S', t0, [1]], ['S', t0 + 5000, [2]], ['S', t0 + 9500, [3]], t0 + 40_000], restore);
    // Assess: [00:00:01, 00:00:10) holds 1 and 2; the third event falls in the next batch.
    expect(out).toEqual([
      [t0 + 5000, [3, 2]],
      [t0 + 9500, [3, 1]],
    ]);
  });

  test('timeBatch with stream.current.event passes events through and resets every period', () => {
    const app = 'define stream S (v int); from S#window.timeBatch(1 sec, true) select sum(v) as s insert into Out;';
    const out = run(app, [['S', 1000, [1]], ['S', 1500, [2]], ['S', 2100, [5]]], restore);
    expect(out.map(o => o[1])).toEqual([[1], [3], [5]]);
  });

  test('a time window emptied by a long clock jump expires everything at once, with one pending timer', () => {
    const app = 'define stream S (v int); from S#window.time(1 sec) select sum(v) as s insert all events into Out;';
    const plan = compileApp(app);
    const rt = new AppRuntime(plan);
    for (let i = 0; i < 100; i++) rt.send('S', 1000 + i, [1]);
    const timers = (rt.snapshot().scheduler.s as unknown[]).length;
    expect(timers).toBe(1);
    const out: Value[][] = [];
    rt.subscribe('Out', (_s, es) => es.forEach(e => out.push(e.data)));
    rt.advanceTime(1_000_000);
    expect(out).toEqual([[null]]);
  });

  test('a keyed session window keeps sessions per key and releases each when its gap has passed', () => {
    const app = `define stream A (user string, n int);
      from A#window.session(1 sec, user) select user, sum(n) as total group by user insert expired events into Out;`;
    const out = run(app, [['A', 1000, ['a', 1]], ['A', 1500, ['b', 2]], ['A', 1900, ['a', 3]], 5000], restore);
    expect(out).toEqual([
      [1500, ['b', null]],
      [1900, ['a', null]],
    ]);
  });

  test('delay releases events in arrival order at the clock time', () => {
    const app = 'define stream S (id string); from S#window.delay(500) select id insert into Out;';
    expect(run(app, [['S', 1000, ['a']], ['S', 1100, ['b']], 1550, 1600], restore)).toEqual([
      [1550, ['a']],
      [1600, ['b']],
    ]);
  });
});

test.each([
  ["cron('nonsense')", "cron window: a cron expression has 6 or 7 fields"],
  ['session(1 sec, 2, 3)', 'the second parameter must be the string key attribute'],
  ['session(1 sec, 2 sec)', 'allowed.latency (2000 ms) must be less than the gap (1000 ms)'],
  ["session(1 sec, 'x')", 'the key must be a string attribute'],
  ['timeLength(1 sec)', 'takes 2 parameters'],
  ['time(0)', "'window.time' must be at least 1"],
])('rejects %s', (w, message) => {
  expect(() => compileApp(`define stream S (k string, v int); from S#window.${w} select k insert into Out;`)).toThrow(message);
});
