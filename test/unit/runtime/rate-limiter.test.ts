import { runOut, type Step } from '../../helpers/run-steps';

const run = (app: string, steps: Step[], restoreEachStep = false) => runOut(app, steps, restoreEachStep);

describe.each([false, true])('time-based rate limiting (restore after every step: %s)', restore => {
  test('output every 1 sec releases what arrived in each period, at the period end, and nothing for quiet periods', () => {
    // Prepare
    const app = 'define stream S (id string); from S select id output every 1 sec insert into Out;';
    // Act
    const out = run(app, [['S', 1000, ['a']], ['S', 1500, ['b']], ['S', 2000, ['c']], 4500, ['S', 4600, ['d']], 6000], restore);
    // Assess: periods [1000,2000), [2000,3000), [4000,5000); rows keep their own times.
    expect(out).toEqual([
      [1000, ['a']],
      [1500, ['b']],
      [2000, ['c']],
      [4600, ['d']],
    ]);
  });

  test('output last every 1 sec with group by releases the last row of each group', () => {
    const app = 'define stream S (k string, v int); from S select k, sum(v) as s group by k output last every 1 sec insert into Out;';
    const out = run(app, [['S', 1000, ['a', 1]], ['S', 1100, ['b', 2]], ['S', 1200, ['a', 3]], 2000], restore);
    expect(out).toEqual([
      [1200, ['a', 4]],
      [1100, ['b', 2]],
    ]);
  });

  test('output first every 1 sec with group by passes the first row of each group per period', () => {
    const app = 'define stream S (k string, v int); from S select k, v group by k output first every 1 sec insert into Out;';
    const out = run(app, [['S', 1000, ['a', 1]], ['S', 1100, ['a', 2]], ['S', 1200, ['b', 3]], ['S', 2100, ['a', 4]], ['S', 2200, ['a', 5]]], restore);
    expect(out.map(o => o[1])).toEqual([
      ['a', 1],
      ['b', 3],
      ['a', 4],
    ]);
  });

  test('output snapshot every 1 sec without a window shows the latest row every period', () => {
    const app = 'define stream S (id string); from S select id output snapshot every 1 sec insert into Out;';
    const out = run(app, [['S', 1000, ['a']], ['S', 1500, ['b']], 2000, 3000], restore);
    expect(out).toEqual([
      [1500, ['b']],
      [1500, ['b']],
    ]);
  });

  test('output snapshot every 1 sec over a window shows the window content', () => {
    const app = 'define stream S (id string); from S#window.length(2) select id output snapshot every 1 sec insert into Out;';
    const out = run(app, [['S', 1000, ['a']], ['S', 1100, ['b']], ['S', 1200, ['c']], 2000], restore);
    expect(out.map(o => o[1])).toEqual([['b'], ['c']]);
  });

  test('output snapshot with an aggregate shows the current value, once per period', () => {
    const app = 'define stream S (v int); from S#window.length(2) select sum(v) as s output snapshot every 1 sec insert into Out;';
    const out = run(app, [['S', 1000, [1]], ['S', 1100, [2]], ['S', 1200, [3]], 2000], restore);
    expect(out.map(o => o[1])).toEqual([[5]]);
  });
});
