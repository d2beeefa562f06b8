import { compileApp } from '../../../core';
import { runSteps, type Row } from '../../helpers/run-steps';

const run = runSteps;

const S = 'define stream S (k string, v int);';
const chunk = (t: number, ...vs: number[]): Row[] => vs.map((v, i) => ['S', t + i, [`k${v}`, v]]);

describe.each([false, true])('batch window (restore after every step: %s)', restore => {
  test('events sent one at a time are batches of one', () => {
    // Prepare
    const app = `${S} from S#window.batch() select k, sum(v) as s, count() as c insert into Out;`;
    // Act
    const out = run(app, ['Out'], [['S', 1000, ['a', 1]], ['S', 1100, ['b', 2]], ['S', 1200, ['c', 3]]], restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1000, ['a', 1, 1]],
      ['Out', 1100, ['b', 2, 1]],
      ['Out', 1200, ['c', 3, 1]],
    ]);
  });

  test('a chunk is one batch; the next chunk expires it', () => {
    // Prepare
    const app = `${S} from S#window.batch() select sum(v) as s, count() as c insert into Out;`;
    // Act
    const out = run(app, ['Out'], [chunk(10, 1, 2, 3), chunk(20, 4, 5)], restore);
    // Assess
    expect(out).toEqual([
      ['Out', 12, [6, 3]],
      ['Out', 21, [9, 2]],
    ]);
  });

  test('expired events are the whole previous chunk, at the clock time, before the new batch', () => {
    // Prepare
    const app = `${S} from S#window.batch() select v insert all events into Out;`;
    // Act
    const out = run(app, ['Out'], [chunk(10, 1, 2), chunk(20, 3)], restore);
    // Assess
    expect(out).toEqual([
      ['Out', 10, [1]],
      ['Out', 11, [2]],
      ['Out', 20, [1]],
      ['Out', 20, [2]],
      ['Out', 20, [3]],
    ]);
  });

  test('batch(n) cuts a chunk into batches of n, the last one shorter', () => {
    // Prepare
    const app = `${S} from S#window.batch(2) select sum(v) as s, count() as c insert into Out;`;
    // Act
    const out = run(app, ['Out'], [chunk(10, 1, 2, 3, 4, 5), chunk(20, 6, 7)], restore);
    // Assess
    expect(out).toEqual([
      ['Out', 11, [3, 2]],
      ['Out', 13, [7, 2]],
      ['Out', 14, [5, 1]],
      ['Out', 21, [13, 2]],
    ]);
  });

  test('batch(n) with expired events: the whole previous chunk expires before its first batch', () => {
    // Prepare
    const app = `${S} from S#window.batch(2) select v insert expired events into Exp;`;
    // Act
    const out = run(app, ['Exp'], [chunk(10, 1, 2, 3), chunk(20, 4, 5, 6), ['S', 30, ['x', 7]]], restore);
    // Assess
    expect(out).toEqual([
      ['Exp', 22, [1]],
      ['Exp', 22, [2]],
      ['Exp', 22, [3]],
      ['Exp', 30, [4]],
      ['Exp', 30, [5]],
      ['Exp', 30, [6]],
    ]);
  });

  test('group by gives a row per key of each batch', () => {
    // Prepare
    const app = `${S} from S#window.batch() select k, sum(v) as s group by k insert into Out;`;
    const rows: Row[] = [
      ['S', 1, ['a', 1]],
      ['S', 2, ['b', 2]],
      ['S', 3, ['a', 3]],
    ];
    // Act
    const out = run(app, ['Out'], [rows, [['S', 4, ['b', 10]]]], restore);
    // Assess
    expect(out).toEqual([
      ['Out', 3, ['a', 4]],
      ['Out', 2, ['b', 2]],
      ['Out', 4, ['b', 10]],
    ]);
  });
});

describe('batch window parameters', () => {
  test.each([
    ['two parameters', 'batch(1, 2)', 'takes 0 to 1 parameter, found 2'],
    ['a negative length', 'batch(-1)', "'window.length' must be at least 0, found -1"],
    ['a long length', 'batch(2L)', "'window.length' parameter must be a constant int, found a constant long"],
    ['an attribute as length', 'batch(v)', "'window.length' parameter must be a constant int, found an int attribute"],
  ])('%s is rejected', (_what, window, message) => {
    // Prepare
    const app = `${S} from S#window.${window} select v insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow(message);
  });

  test('batch(0) is the same as batch()', () => {
    // Prepare
    const app = `${S} from S#window.batch(0) select count() as c insert into Out;`;
    // Act
    const out = run(app, ['Out'], [chunk(10, 1, 2, 3)], false);
    // Assess
    expect(out).toEqual([['Out', 12, [3]]]);
  });
});
