import { AppRuntime, compileApp, type Value } from '../../../core';
import { runOut } from '../../helpers/run-steps';

/** 2026-01-01 (a Thursday) at hh:mm:ss UTC, plus `ms`. */
const at = (h: number, m: number, s: number, ms = 0) => Date.UTC(2026, 0, 1, h, m, s, ms);

describe.each([false, true])('cron window (rebuilt from a snapshot after every step: %s)', restore => {
  test('releases the events collected since the previous cron time at every cron time of the event clock', () => {
    // Prepare: every 10 seconds.
    const app = "define stream S (v int); from S#window.cron('*/10 * * * * ?') select sum(v) as s, count() as n insert into Out;";
    // Act
    const out = runOut(app, [['S', at(0, 0, 1), [1]], ['S', at(0, 0, 6), [2]], ['S', at(0, 0, 10, 500), [3]], at(0, 0, 40)], restore);
    // Assess: [00:00:00, 00:00:10) holds 1 and 2; 3 falls in the next period. Rows carry the last event's time.
    expect(out).toEqual([
      [at(0, 0, 6), [3, 2]],
      [at(0, 0, 10, 500), [3, 1]],
    ]);
  });

  test('an event exactly at a cron time belongs to the next batch', () => {
    // Prepare
    const app = "define stream S (v int); from S#window.cron('*/10 * * * * ?') select sum(v) as s insert into Out;";
    // Act
    const out = runOut(app, [['S', at(0, 0, 5), [1]], ['S', at(0, 0, 10), [2]], at(0, 0, 20)], restore);
    // Assess
    expect(out).toEqual([
      [at(0, 0, 5), [1]],
      [at(0, 0, 10), [2]],
    ]);
  });

  test('the previous batch expires, stamped with the clock, only at the next cron time that has new events', () => {
    // Prepare
    const app = "define stream S (id string); from S#window.cron('*/10 * * * * ?') select id insert all events into Out;";
    // Act: a is released at :10; :20 and :30 have nothing new; b arrives at :36 and is released at :40.
    const out = runOut(app, [['S', at(0, 0, 1), ['a']], at(0, 0, 35), ['S', at(0, 0, 36), ['b']], at(0, 0, 45)], restore);
    // Assess
    expect(out).toEqual([
      [at(0, 0, 1), ['a']],
      [at(0, 0, 45), ['a']],
      [at(0, 0, 36), ['b']],
    ]);
  });

  test('aggregates start afresh with each batch, also without expired events', () => {
    // Prepare
    const app = "define stream S (k string, v int); from S#window.cron('0 * * * * ?') select k, sum(v) as s group by k insert into Out;";
    // Act
    const out = runOut(
      app,
      [['S', at(0, 0, 1), ['a', 1]], ['S', at(0, 0, 2), ['b', 2]], ['S', at(0, 0, 3), ['a', 3]], ['S', at(0, 1, 5), ['a', 10]], at(0, 2, 0)],
      restore,
    );
    // Assess
    expect(out).toEqual([
      [at(0, 0, 3), ['a', 4]],
      [at(0, 0, 2), ['b', 2]],
      [at(0, 1, 5), ['a', 10]],
    ]);
  });

  test('a clock jump over many cron times releases the batch once', () => {
    // Prepare
    const app = "define stream S (v int); from S#window.cron('* * * * * ?') select v insert all events into Out;";
    // Act
    const out = runOut(app, [['S', at(0, 0, 0, 500), [1]], at(5, 0, 0)], restore);
    // Assess
    expect(out).toEqual([[at(0, 0, 0, 500), [1]]]);
  });
});

test('a weekday cron time skips the weekend; an emptied window keeps no timer', () => {
  // Prepare: 09:00 on weekdays; Friday 2026-01-02 10:00 is after that day's 09:00.
  const rt = new AppRuntime(compileApp("define stream S (v int); from S#window.cron('0 0 9 ? * MON-FRI') select sum(v) as s insert into Out;"));
  const out: [number, Value[]][] = [];
  rt.subscribe('Out', (_s, es) => es.forEach(e => out.push([e.timestamp, e.data])));
  rt.send('S', Date.UTC(2026, 0, 2, 10), [7]);
  const due = rt.nextDue();
  // Act
  rt.advanceTime(Date.UTC(2026, 0, 5, 9));
  // Assess
  expect(due).toBe(Date.UTC(2026, 0, 5, 9));
  expect(out).toEqual([[Date.UTC(2026, 0, 2, 10), [7]]]);
  expect(rt.nextDue()).toBeNull();
});

test('a named cron window answers on-demand queries with its last released batch', () => {
  // Prepare
  const rt = new AppRuntime(compileApp("define stream S (v int); define window W (v int) cron('*/5 * * * * ?'); from S insert into W;"));
  rt.send('S', at(0, 0, 1), [1]);
  rt.send('S', at(0, 0, 2), [2]);
  const before = rt.query('from W select v').records;
  // Act
  rt.advanceTime(at(0, 0, 5));
  // Assess
  expect(before).toEqual([]);
  expect(rt.query('from W select v').records).toEqual([[1], [2]]);
});

test.each([
  ["cron('nonsense')", 'cron window: a cron expression has 6 or 7 fields'],
  ["cron('0 0 0 1 * MON')", "give '?' in day-of-month or in day-of-week"],
  ["cron('61 * * * * ?')", "'61' is not a valid seconds value"],
  ['cron(5)', "cron window's 'cron.expression' parameter must be a constant string (a Quartz cron expression), found a constant int"],
  ['cron(k)', 'found a string attribute'],
  ["cron('* * * * * ?', 1)", 'cron window takes 1 parameter, found 2'],
])('rejects %s', (w, message) => {
  expect(() => compileApp(`define stream S (k string, v int); from S#window.${w} select v insert into Out;`)).toThrow(message);
});
