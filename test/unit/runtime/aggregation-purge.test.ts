/**
 * The retention purge of an incremental aggregation runs as Siddhi's does: every purge interval
 * from the app's start, on a timer (here of the event clock), dropping the buckets that start
 * before the clock less their duration's retention, whatever the aggregation's own timestamps.
 */
import { AppRuntime, compileApp, type Value } from '../../../core';

const APP = `define stream T (k string, v long, ts long);
@purge(enable='true', interval='10 sec', @retentionPeriod(sec='120 sec'))
define aggregation A from T select k, sum(v) as s group by k aggregate by ts every sec ... min;`;

/** Sends `[time, [k, v, ts]]` events or clock moves, snapshotting and restoring after each when asked. */
function run(steps: ([number, Value[]] | number)[], restore: boolean): AppRuntime {
  const plan = compileApp(APP);
  let rt = new AppRuntime(plan);
  for (const s of steps) {
    if (typeof s === 'number') rt.advanceTime(s);
    else rt.send('T', s[0], s[1]);
    if (restore) {
      const snap = JSON.parse(JSON.stringify(rt.snapshot()));
      rt = new AppRuntime(plan);
      expect(rt.restore(snap)).toEqual({ unknown: [], versionChanged: [] });
    }
  }
  return rt;
}

const seconds = (rt: AppRuntime) => rt.query("from A within 0L, 9999999999999L per 'seconds' select AGG_TIMESTAMP, s").records.map(r => r[0]);

describe.each([false, true])('aggregation purge (restore after every step: %s)', restore => {
  test('external timestamps far ahead of the clock are kept, however far apart they are', () => {
    const ts = 1_496_289_950_000;
    const rt = run([[1000, ['a', 1, ts]], [2000, ['a', 2, ts + 600_000]], 500_000, [600_000, ['a', 3, ts + 1_200_000]], 700_000], restore);
    expect(seconds(rt)).toEqual([ts, ts + 600_000, ts + 1_200_000]);
  });

  test('no purge before one interval from the start; then buckets older than the clock less the retention go', () => {
    const t0 = 1_700_000_000_000;
    const steps: ([number, Value[]] | number)[] = [[t0, ['a', 1, 5_000]], [t0 + 1000, ['a', 2, t0 - 200_000]], [t0 + 2000, ['a', 3, t0]]];
    expect(seconds(run([...steps, t0 + 9_999], restore))).toEqual([5_000, t0 - 200_000, t0]);
    expect(seconds(run([...steps, t0 + 10_000], restore))).toEqual([t0]);
  });
});
