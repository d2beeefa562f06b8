import { compileApp } from '../../../core';
import { runSteps, splitCurrentExpired, type Row } from '../../helpers/run-steps';

const run = runSteps;

const split = splitCurrentExpired;

describe.each([false, true])('sort window (restore after every event: %s)', restore => {
  test('sort(3, v) keeps the three smallest values and expires the largest', () => {
    // Prepare
    const app = 'define stream S (id string, v int); from S#window.sort(3, v) select id, v insert expired events into Dropped;';
    const events: Row[] = [
      ['S', 1000, ['a', 50]],
      ['S', 1100, ['b', 10]],
      ['S', 1200, ['c', 30]],
      ['S', 1300, ['d', 20]],
      ['S', 1400, ['e', 60]],
      ['S', 1500, ['f', 5]],
    ];
    // Act
    const out = run(app, ['Dropped'], events, restore);
    // Assess
    expect(out).toEqual([
      ['Dropped', 1300, ['a', 50]],
      ['Dropped', 1400, ['e', 60]],
      ['Dropped', 1500, ['c', 30]],
    ]);
  });

  test("two keys, 'desc' then 'asc': the arrival comes first, then what it pushed out", () => {
    // Prepare
    const app = split('define stream S (name string, score int, age int);', "from S#window.sort(2, score, 'desc', age, 'asc') select name");
    const events: Row[] = [
      ['S', 1000, ['a', 5, 30]],
      ['S', 1100, ['b', 7, 20]],
      ['S', 1200, ['c', 7, 10]],
      ['S', 1300, ['d', 1, 1]],
      ['S', 1400, ['e', 9, 50]],
    ];
    // Act
    const out = run(app, ['Cur', 'Exp'], events, restore);
    // Assess
    expect(out).toEqual([
      ['Cur', 1000, ['a']],
      ['Cur', 1100, ['b']],
      ['Cur', 1200, ['c']],
      ['Exp', 1200, ['a']],
      ['Cur', 1300, ['d']],
      ['Exp', 1300, ['d']],
      ['Cur', 1400, ['e']],
      ['Exp', 1400, ['b']],
    ]);
  });

  test('among equal keys the newest event is the one to go', () => {
    // Prepare
    const app = "define stream S (id string, v double); from S#window.sort(2, v, 'DESC') select id insert expired events into Exp;";
    const events: Row[] = [
      ['S', 1, ['a', 1.5]],
      ['S', 2, ['b', 1.5]],
      ['S', 3, ['c', 1.5]],
      ['S', 4, ['d', 2.5]],
      ['S', 5, ['e', 1.5]],
    ];
    // Act
    const out = run(app, ['Exp'], events, restore);
    // Assess
    expect(out).toEqual([
      ['Exp', 3, ['c']],
      ['Exp', 4, ['b']],
      ['Exp', 5, ['e']],
    ]);
  });

  test('strings sort by UTF-16 code units (upper case before lower case); the order defaults to asc', () => {
    // Prepare
    const app = 'define stream S (name string, n long); from S#window.sort(2, name, n) select name, n insert expired events into Exp;';
    const events: Row[] = [
      ['S', 1, ['b', 1]],
      ['S', 2, ['a', 2]],
      ['S', 3, ['B', 3]],
      ['S', 4, ['a', 1]],
    ];
    // Act
    const out = run(app, ['Exp'], events, restore);
    // Assess
    expect(out).toEqual([
      ['Exp', 3, ['b', 1]],
      ['Exp', 4, ['a', 2]],
    ]);
  });

  test('a null key sorts first (Siddhi would fail on it); bools sort false first', () => {
    // Prepare
    const app = "define stream S (id string, v int, ok bool); from S#window.sort(1, v, 'desc', ok) select id insert expired events into Exp;";
    const events: Row[] = [
      ['S', 1, ['n', null, true]],
      ['S', 2, ['x', 3, true]],
      ['S', 3, ['y', 3, false]],
    ];
    // Act
    const out = run(app, ['Exp'], events, restore);
    // Assess
    expect(out).toEqual([
      ['Exp', 2, ['n']],
      ['Exp', 3, ['x']],
    ]);
  });

  test('an aggregate over the window follows what it holds (the row of the chunk is the expiry, after the arrival)', () => {
    // Prepare
    const app = 'define stream S (v int); from S#window.sort(2, v) select sum(v) as s insert all events into Out;';
    // Act
    const out = run(app, ['Out'], [['S', 1, [5]], ['S', 2, [9]], ['S', 3, [1]], ['S', 4, [7]]], restore);
    // Assess
    expect(out.map(r => r[2][0])).toEqual([5, 14, 6, 6]);
  });
});

describe('sort window parameters', () => {
  test.each([
    ['no parameter', 'sort()', "needs a 'window.length' parameter"],
    ['a long length', 'sort(2L, v)', "'window.length' parameter must be a constant int, found a constant long"],
    ['an attribute as length', 'sort(v, v)', "'window.length' parameter must be a constant int, found an int attribute"],
    ['an order before any attribute', "sort(2, 'asc')", "order 'asc' must follow an attribute"],
    ['an order that is neither asc nor desc', "sort(2, v, 'up')", "order must be 'asc' or 'desc', found 'up'"],
    ['an expression as key', 'sort(2, v + 1)', 'parameter 2 must be an attribute to sort by, found an expression of type int'],
    ['a constant as key', 'sort(2, v, 3)', 'parameter 3 must be an attribute to sort by, found a constant int'],
  ])('%s is rejected', (_what, window, message) => {
    // Prepare
    const app = `define stream S (v int, s string); from S#window.${window} select v insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow(message);
  });

  test('a string attribute after an attribute is another key, not an order', () => {
    // Prepare
    const app = 'define stream S (v int, s string); from S#window.sort(1, v, s) select s insert expired events into Exp;';
    // Act
    const out = run(app, ['Exp'], [['S', 1, [1, 'b']], ['S', 2, [1, 'a']]], false);
    // Assess
    expect(out).toEqual([['Exp', 2, ['b']]]);
  });
});
