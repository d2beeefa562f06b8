import { AppRuntime, compileApp, type RuntimeSnapshot } from '../../../core';
import { runApp } from '../../helpers/run-app';

describe('stateless queries', () => {
  test('INT arithmetic wraps like Java and INT division truncates', () => {
    const { out } = runApp(
      'define stream A (a int, b int); from A select a + b as s, a * b as p, a / b as q, a % b as m insert into B;',
      [
        ['A', 1, [2147483647, 1]],
        ['A', 2, [-7, 2]],
        ['A', 3, [5, 0]],
      ],
      ['B'],
    );
    expect(out.map(o => o.data)).toEqual([
      [-2147483648, 2147483647, 2147483647, 0],
      [-5, -14, -3, -1],
      [5, 0, null, null],
    ]);
  });

  test('FLOAT arithmetic is 32-bit; comparisons with null are false, even !=', () => {
    const { out } = runApp(
      'define stream A (f float, x int); from A select f * 3 as t insert into B; from A[x != 5] select x insert into C;',
      [
        ['A', 1, [Math.fround(0.1), null]],
        ['A', 2, [null, 4]],
      ],
      ['B', 'C'],
    );
    expect(out).toEqual([
      { stream: 'B', time: 1, data: [Math.fround(Math.fround(0.1) * 3)] },
      { stream: 'B', time: 2, data: [null] },
      { stream: 'C', time: 2, data: [4] },
    ]);
  });

  test('stream functions run before and after filters; pol2Cart adds attributes', () => {
    const { out } = runApp(
      'define stream P (theta double, rho double); from P[rho > 0.0]#pol2Cart(theta, rho)[x > 0.5] select x, y insert into C;',
      [
        ['P', 1, [0, 2]],
        ['P', 2, [90, 2]],
        ['P', 3, [0, -1]],
      ],
      ['C'],
    );
    expect(out).toHaveLength(1);
    expect(out[0].data[0]).toBeCloseTo(2);
    expect(out[0].data[1]).toBeCloseTo(0);
  });

  test('#log logs each event and passes it on', () => {
    const { out, logger } = runApp("define stream A (x int); from A#log('WARN', 'seen') select x insert into B;", [['A', 5, [1]]], ['B']);
    expect(out).toHaveLength(1);
    expect(logger.lines.join('\n')).toContain('[WARN] seen, Event{timestamp=5, data=[1]');
  });

  test('a failing function sends the event to the fault stream with @OnError STREAM', () => {
    const app = `
      define function boom[javascript] return int { if (data[0] > 1) throw new Error('too big: ' + data[0]); return data[0]; };
      @OnError(action='STREAM') define stream A (x int);
      from A select boom(x) as y insert into B;
      from !A select x, convert(_error, 'string') as err insert into Errors;`;
    const { out } = runApp(app, [
      ['A', 1, [1]],
      ['A', 2, [7]],
    ], ['B', 'Errors']);
    expect(out).toEqual([
      { stream: 'B', time: 1, data: [1] },
      { stream: 'Errors', time: 2, data: [7, 'message : too big: 7, cause : null'] },
    ]);
  });

  test('a failing function is logged and the event dropped with the default @OnError LOG', () => {
    const app = `define function boom[javascript] return int { throw new Error('nope'); };
      define stream A (x int); from A select boom(x) as y insert into B; from A select x insert into C;`;
    const { out, logger } = runApp(app, [['A', 1, [1]]], ['B', 'C']);
    expect(out).toEqual([{ stream: 'C', time: 1, data: [1] }]);
    expect(logger.lines.join('\n')).toContain("after consuming events from Stream 'A', nope. Hence, dropping event '[1]'");
  });

  test('currentTimeMillis follows the event clock, which never goes back', () => {
    const { out } = runApp('define stream A (x int); from A select currentTimeMillis() as now, eventTimestamp() as ts insert into B;', [
      ['A', 100, [1]],
      ['A', 50, [2]],
    ], ['B']);
    expect(out.map(o => o.data)).toEqual([
      [100, 100],
      [100, 50],
    ]);
  });
});

describe('windows and aggregates', () => {
  test('a sliding length window emits one row per event; min and max follow expiry', () => {
    const { out } = runApp('define stream A (v int); from A#window.length(2) select min(v) as lo, max(v) as hi, sum(v) as s, avg(v) as a insert into B;', [
      ['A', 1, [5]],
      ['A', 2, [1]],
      ['A', 3, [3]],
      ['A', 4, [4]],
    ], ['B']);
    expect(out.map(o => o.data)).toEqual([
      [5, 5, 5, 5],
      [1, 5, 6, 3],
      [1, 3, 4, 2],
      [3, 4, 7, 3.5],
    ]);
  });

  test('insert expired events from a length window emits what leaves, at the time it leaves', () => {
    const { out } = runApp('define stream A (v int); from A#window.length(1) select v insert expired events into B;', [
      ['A', 1, [5]],
      ['A', 7, [6]],
    ], ['B']);
    expect(out).toEqual([{ stream: 'B', time: 7, data: [5] }]);
  });

  test('lengthBatch with group by emits one row per group per batch, ordered and limited', () => {
    const { out } = runApp(
      'define stream A (k string, v int); from A#window.lengthBatch(4) select k, sum(v) as s group by k order by s desc limit 2 insert into B;',
      [
        ['A', 1, ['a', 1]],
        ['A', 2, ['b', 5]],
        ['A', 3, ['c', 3]],
        ['A', 4, ['a', 1]],
      ],
      ['B'],
    );
    expect(out.map(o => o.data)).toEqual([
      ['b', 5],
      ['c', 3],
    ]);
    expect(out.map(o => o.time)).toEqual([2, 3]);
  });

  test('a collapsed chunk shows the row as it stood at its last output event, before later expiries', () => {
    // sort emits [CURRENT, EXPIRED]; Siddhi outputs the sum including the arrival, before the expiry.
    const app = 'define stream A (v int); from A#window.sort(2, v) select sum(v) as s insert into B;';
    const { out } = runApp(app, [['A', 1, [5]], ['A', 2, [9]], ['A', 3, [1]], ['A', 4, [7]]], ['B']);
    expect(out.map(o => o.data[0])).toEqual([5, 14, 15, 13]);
  });

  test('the same holds per group', () => {
    const app = 'define stream A (k string, v int); from A#window.sort(2, v) select k, sum(v) as s group by k insert into B;';
    const { out } = runApp(app, [['A', 1, ['x', 5]], ['A', 2, ['x', 9]], ['A', 3, ['x', 1]]], ['B']);
    expect(out.map(o => o.data)).toEqual([
      ['x', 5],
      ['x', 14],
      ['x', 15],
    ]);
  });

  test('stdDev, distinctCount and the forever extremes', () => {
    const { out } = runApp(
      'define stream A (v double); from A#window.length(2) select stdDev(v) as sd, distinctCount(v) as d, maxForever(v) as mf insert into B;',
      [
        ['A', 1, [2]],
        ['A', 2, [4]],
        ['A', 3, [4]],
      ],
      ['B'],
    );
    expect(out.map(o => o.data)).toEqual([
      [0, 1, 2],
      [1, 2, 4],
      [0, 1, 4],
    ]);
  });
});

describe('state', () => {
  const app = 'define stream A (k string, v int); from A#window.lengthBatch(3) select k, sum(v) as s, count() as n insert into B;';

  test('a restored runtime continues exactly where the snapshot was taken', () => {
    const plan = compileApp(app);
    const first = new AppRuntime(plan);
    first.send('A', 1, ['a', 1]);
    first.send('A', 2, ['b', 2]);
    const snap = JSON.parse(JSON.stringify(first.snapshot())) as RuntimeSnapshot;
    const second = new AppRuntime(plan);
    second.restore(snap);
    const out: unknown[] = [];
    second.subscribe('B', (_s, es) => es.forEach(e => out.push([e.timestamp, e.data])));
    second.send('A', 3, ['c', 3]);
    expect(out).toEqual([[3, ['c', 6, 3]]]);
    expect(second.now).toBe(3);
  });

  test("a changed query drops only its own state and says so", () => {
    const plan = compileApp(app);
    const rt = new AppRuntime(plan);
    rt.send('A', 1, ['a', 1]);
    const changed = compileApp(app.replace('lengthBatch(3)', 'lengthBatch(2)'));
    const report = new AppRuntime(changed).restore(rt.snapshot());
    expect(report.unknown.length).toBeGreaterThan(0);
    expect(report.unknown.every(n => n.startsWith('q:query_1:'))).toBe(true);
  });
});

describe('patterns', () => {
  test("aggregates in a pattern select run over the matches, as Siddhi's own count-pattern tests expect", () => {
    const app = `define stream A (v int);
      from every e1=A -> e2=A[e2.v > e1.v] select e1.v as a, e2.v as b, count() as n, sum(e2.v) as s insert into Out;`;
    const { out } = runApp(app, [['A', 1, [1]], ['A', 2, [5]], ['A', 3, [9]]], ['Out']);
    expect(out.map(o => o.data)).toEqual([
      [1, 5, 1, 5],
      [5, 9, 2, 14],
    ]);
  });

  test('select * over a pattern with clashing names is rejected', () => {
    expect(() => compileApp('define stream A (v int); from every e1=A -> e2=A select * insert into Out;')).toThrow();
  });
});
