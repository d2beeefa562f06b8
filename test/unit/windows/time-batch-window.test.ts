import { AppRuntime, compileApp } from '../../../core';
import { runOut } from '../../helpers/run-steps';

describe.each([false, true])('timeBatch window (rebuilt from a snapshot after every step: %s)', restore => {
  test('releases a batch when the clock reaches each boundary; empty periods release nothing', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.timeBatch(1 sec) select sum(v) as s, count() as n insert into Out;';
    // Act: boundaries at 2000, 3000, ... from the first event.
    const out = runOut(app, [['S', 1000, [1]], ['S', 1300, [2]], 2500, 4500, ['S', 4700, [5]], 5000], restore);
    // Assess: each row carries the time of its batch's last event.
    expect(out).toEqual([
      [1300, [3, 2]],
      [4700, [5, 1]],
    ]);
  });

  test('an event exactly at a boundary belongs to the next batch', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.timeBatch(1 sec) select sum(v) as s insert into Out;';
    // Act
    const out = runOut(app, [['S', 1000, [1]], ['S', 2000, [2]], 3000], restore);
    // Assess
    expect(out).toEqual([
      [1000, [1]],
      [2000, [2]],
    ]);
  });

  test('with start.time, boundaries fall at start.time + k*t', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.timeBatch(1 sec, 300) select sum(v) as s insert into Out;';
    // Act
    const out = runOut(app, [['S', 1000, [1]], ['S', 1250, [2]], ['S', 1300, [3]], 2300], restore);
    // Assess
    expect(out).toEqual([
      [1250, [3]],
      [1300, [3]],
    ]);
  });

  test("a first event before start.time waits one period longer (Siddhi's rounding)", () => {
    // Prepare: boundaries on multiples of 1000 from 5000; the first event at 1200.
    const app = 'define stream S (v int); from S#window.timeBatch(1000, 5000) select sum(v) as s insert into Out;';
    // Act
    const out = runOut(app, [['S', 1200, [1]], ['S', 2500, [2]], 3000], restore);
    // Assess: the first boundary is 3000, not 2000.
    expect(out).toEqual([[2500, [3]]]);
  });

  test('stream.current.event passes events through and only resets at each boundary', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.timeBatch(1 sec, true) select sum(v) as s insert into Out;';
    // Act
    const out = runOut(app, [['S', 1000, [1]], ['S', 1500, [2]], ['S', 2100, [5]]], restore);
    // Assess
    expect(out).toEqual([
      [1000, [1]],
      [1500, [3]],
      [2100, [5]],
    ]);
  });

  test('start.time and stream.current.event together: each boundary expires what passed through', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.timeBatch(1 sec, 0, true) select v insert all events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, [1]], ['S', 1500, [2]], 2000], restore);
    // Assess
    expect(out).toEqual([
      [1000, [1]],
      [1500, [2]],
      [2000, [1]],
      [2000, [2]],
    ]);
  });

  test('a long clock jump releases the batch, then expires it, both at the clock time', () => {
    // Prepare
    const app = 'define stream S (id string); from S#window.timeBatch(1 sec) select id insert all events into Out;';
    // Act
    const out = runOut(app, [['S', 1000, ['a']], ['S', 1500, ['b']], 50_000], restore);
    // Assess: the 2000 boundary releases a and b; the 3000 one (passed by the same jump) expires them.
    expect(out).toEqual([
      [1000, ['a']],
      [1500, ['b']],
      [50_000, ['a']],
      [50_000, ['b']],
    ]);
  });

  test('boundaries stay aligned across idle periods', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.timeBatch(1 sec) select sum(v) as s insert into Out;';
    // Act: boundaries at 2000, 3000, ...; after an idle gap, 7400 falls in [7000, 8000).
    const out = runOut(app, [['S', 1000, [1]], 2000, ['S', 7400, [2]], 7999, ['S', 8000, [3]], 9000], restore);
    // Assess
    expect(out).toEqual([
      [1000, [1]],
      [7400, [2]],
      [8000, [3]],
    ]);
  });

  test('a boundary passed before its timer fired releases in the arrival, with the arrival in the batch', () => {
    // Prepare: the delay window's timer (due 1700) fires before the batch's (due 2000) and feeds it at 2500.
    const app = `define stream S (v int); define stream T (v int);
      from S#window.delay(500) select v insert into T;
      from T#window.timeBatch(1 sec) select sum(v) as s insert into Out;`;
    // Act
    const out = runOut(app, [['T', 1000, [1]], ['S', 1200, [10]], 2500, 5000], restore);
    // Assess: as in Siddhi, the arrival joins the batch that its arrival releases.
    expect(out).toEqual([[2500, [11]]]);
  });

  test('group by: one row per group and batch', () => {
    // Prepare
    const app = 'define stream S (k string, v int); from S#window.timeBatch(1 sec) select k, sum(v) as s group by k insert into Out;';
    // Act
    const out = runOut(app, [['S', 1000, ['a', 1]], ['S', 1200, ['b', 2]], ['S', 1400, ['a', 3]], ['S', 2100, ['b', 4]], 3000], restore);
    // Assess
    expect(out).toEqual([
      [1400, ['a', 4]],
      [1200, ['b', 2]],
      [2100, ['b', 4]],
    ]);
  });
});

test('an idle timeBatch window keeps no timer; one that must still expire a batch keeps one', () => {
  // Prepare
  const current = new AppRuntime(compileApp('define stream S (v int); from S#window.timeBatch(1 sec) select v insert into Out;'));
  const all = new AppRuntime(compileApp('define stream S (v int); from S#window.timeBatch(1 sec) select v insert all events into Out;'));
  // Act
  for (const rt of [current, all]) {
    rt.send('S', 1000, [1]);
    rt.advanceTime(2000);
  }
  // Assess
  expect(current.nextDue()).toBeNull();
  expect(all.nextDue()).toBe(3000);
});

test('a named timeBatch window answers on-demand queries with its last released batch', () => {
  // Prepare
  const rt = new AppRuntime(compileApp('define stream S (v int); define window W (v int) timeBatch(1 sec); from S insert into W;'));
  rt.send('S', 1000, [1]);
  rt.send('S', 1500, [2]);
  const before = rt.query('from W select v').records;
  // Act
  rt.advanceTime(2000);
  // Assess
  expect(before).toEqual([]);
  expect(rt.query('from W select v').records).toEqual([[1], [2]]);
});

test.each([
  ['timeBatch(0)', "timeBatch window's 'window.time' must be at least 1 ms, found 0"],
  ['timeBatch(v)', "timeBatch window's 'window.time' parameter must be a constant int, long or time value, found an int attribute"],
  ["timeBatch(1 sec, 'x')", "timeBatch window's 2nd parameter must be 'start.time' (a constant int or long) or 'stream.current.event' (a constant bool), found a constant string"],
  ['timeBatch(1 sec, v)', "timeBatch window's 'start.time' parameter must be a constant int, long or time value, found an int attribute"],
  ['timeBatch(1 sec, 0, 1)', "timeBatch window's 3rd parameter 'stream.current.event' must be a constant bool, found a constant int"],
  ['timeBatch(1 sec, true, true)', "timeBatch window's 'start.time' parameter must be a constant int, long or time value, found a constant bool"],
  ['timeBatch(1 sec, 0, true, 1)', 'timeBatch window takes 1 to 3 parameters, found 4'],
])('rejects %s', (w, message) => {
  expect(() => compileApp(`define stream S (v int); from S#window.${w} select v insert into Out;`)).toThrow(message);
});
