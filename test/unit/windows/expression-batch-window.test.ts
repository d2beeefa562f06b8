import { compileApp } from '../../../core';
import { runSteps, splitCurrentExpired, type Row } from '../../helpers/run-steps';

const run = runSteps;

const split = splitCurrentExpired;
/** `[time, first attribute]` of the rows of one stream. */
const only = (out: Row[], stream: string) => out.filter(r => r[0] === stream).map(r => [r[1], r[2][0]]);

const SX = 'define stream S (volume int, expr string, include bool);';
const A = (n: number) => `eventTimestamp(last) - eventTimestamp(first) < ${n}`;
/** Events at times 0, 1, ... with volume = time and the given expression texts. */
const timed = (texts: string[], include: (i: number) => boolean = () => true): Row[] => texts.map((t, i) => ['S', i, [i, t, include(i)]]);

describe.each([false, true])('expressionBatch window (restore after every event: %s)', restore => {
  test('flushes when the sum would reach the limit; the failing event starts the next batch', () => {
    // Prepare
    const app = "define stream S (v int); from S#window.expressionBatch('sum(v) < 10') select sum(v) as s, count() as c insert into Out;";
    const events: Row[] = [4, 5, 2, 8, 1, 9].map((v, i) => ['S', 1000 + 100 * i, [v]]);
    // Act
    const out = run(app, ['Out'], events, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1200, [9, 2]],
      ['Out', 1300, [2, 1]],
      ['Out', 1500, [9, 2]],
    ]);
  });

  test("'count() <= 2': batches of two at the flush time, the previous batch expiring first", () => {
    // Prepare
    const app = split('define stream S (volume int);', "from S#window.expressionBatch('count() <= 2') select volume");
    // Act
    const out = run(app, ['Cur', 'Exp'], [0, 1, 2, 3, 4].map(i => ['S', i, [i]]), restore);
    // Assess
    expect(only(out, 'Cur')).toEqual([
      [2, 0],
      [2, 1],
      [4, 2],
      [4, 3],
    ]);
    expect(only(out, 'Exp')).toEqual([
      [4, 0],
      [4, 1],
    ]);
  });

  test('an event that fails on its own goes out at once, expired first', () => {
    // Prepare
    const app = split(SX, 'from S#window.expressionBatch(expr) select volume');
    // Act
    const out = run(app, ['Cur', 'Exp'], timed([A(0), A(0), A(0)]), restore);
    // Assess
    expect(only(out, 'Cur')).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(only(out, 'Exp')).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  test('include.triggering.event puts the flushing event in the batch; a new text reconsiders the batch', () => {
    // Prepare (Siddhi's expressionBatchWindowTest16)
    const app = split(SX, 'from S#window.expressionBatch(expr, true) select volume');
    const texts = [A(1), A(1), A(1), A(0), A(0), A(1), A(1), A(1), A(1), A(1)];
    // Act
    const out = run(app, ['Cur', 'Exp'], timed(texts), restore);
    // Assess
    expect(only(out, 'Cur')).toEqual([
      [1, 0],
      [1, 1],
      [3, 2],
      [3, 3],
      [4, 4],
      [6, 5],
      [6, 6],
      [8, 7],
      [8, 8],
    ]);
    expect(only(out, 'Exp')).toEqual([
      [3, 0],
      [3, 1],
      [3, 2],
      [3, 3],
      [4, 4],
      [8, 5],
      [8, 6],
    ]);
  });

  test('stream.current.event passes events on as they arrive and only expires them at a flush', () => {
    // Prepare (Siddhi's expressionBatchWindowTest18: include from an attribute)
    const app = split(SX, 'from S#window.expressionBatch(expr, include, true) select volume');
    const texts = [A(1), A(1), A(1), A(0), A(0), A(2), A(2), A(2), A(2), A(2)];
    // Act
    const out = run(app, ['Cur', 'Exp'], timed(texts, i => i < 5), restore);
    // Assess
    expect(only(out, 'Cur')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(i => [i, i]));
    expect(only(out, 'Exp')).toEqual([
      [1, 0],
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [7, 5],
      [7, 6],
      [9, 7],
      [9, 8],
    ]);
  });

  test('stream.current.event with count(): one row per chunk, as Siddhi (expressionBatchWindowTest21)', () => {
    // Prepare
    const app = `${SX} from S#window.expressionBatch(expr, include, true) select volume, count() as n insert all events into Out;`;
    const texts = [A(2), A(2), A(2), A(0), A(0), A(0), A(2), A(2), A(2), A(2)];
    // Act
    const out = run(app, ['Out'], timed(texts), restore);
    // Assess
    expect(out.map(r => [r[1], r[2][1]])).toEqual([
      [0, 1],
      [1, 2],
      [2, 0],
      [3, 0],
      [4, 0],
      [5, 0],
      [6, 1],
      [7, 2],
      [8, 0],
      [9, 1],
    ]);
  });

  test('after including the triggering event its aggregate contribution stays for the next batch (as Siddhi)', () => {
    // Prepare: 3 ends the first batch but is still counted, so 3 + 7 fails
    const app = "define stream S (v int); from S#window.expressionBatch('sum(v) < 10', true) select count() as n insert into Out;";
    // Act
    const out = run(app, ['Out'], [4, 5, 3, 7, 1].map((v, i) => ['S', i, [v]]), restore);
    // Assess
    expect(out).toEqual([
      ['Out', 2, [3]],
      ['Out', 3, [0]],
    ]);
  });

  test('a bool attribute as the expression: the batch goes out on the first event where it is false', () => {
    // Prepare
    const app = 'define stream S (v int, keep bool); from S#window.expressionBatch(keep) select sum(v) as s insert into Out;';
    const events: Row[] = [
      ['S', 1, [1, true]],
      ['S', 2, [2, true]],
      ['S', 3, [3, false]],
      ['S', 4, [4, true]],
      ['S', 5, [5, false]],
    ];
    // Act
    const out = run(app, ['Out'], events, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 3, [3]],
      ['Out', 5, [7]],
    ]);
  });

  test('first and last in the expression: a batch per run of one symbol', () => {
    // Prepare
    const app = "define stream S (symbol string, v int); from S#window.expressionBatch('last.symbol == first.symbol') select symbol, sum(v) as s insert into Out;";
    const events: Row[] = [
      ['S', 1, ['a', 1]],
      ['S', 2, ['a', 2]],
      ['S', 3, ['b', 3]],
      ['S', 4, ['c', 4]],
      ['S', 5, ['c', 5]],
      ['S', 6, ['a', 6]],
    ];
    // Act
    const out = run(app, ['Out'], events, restore);
    // Assess
    expect(out).toEqual([
      ['Out', 3, ['a', 3]],
      ['Out', 4, ['b', 3]],
      ['Out', 6, ['c', 9]],
    ]);
  });
});

describe('expressionBatch window parameters', () => {
  test.each([
    ['no parameter', 'expressionBatch()', 'takes 1 to 3 parameters, found 0'],
    ['four parameters', "expressionBatch('count() < 2', true, true, true)", 'takes 1 to 3 parameters, found 4'],
    ['a constant bool', 'expressionBatch(true)', "'expression' parameter must be a constant string, a string attribute or a bool attribute, found a constant bool"],
    ['an int attribute', 'expressionBatch(v)', 'found an int attribute'],
    ['a non-bool expression', "expressionBatch('eventTimestamp(last)')", "the expression 'eventTimestamp(last)' must return bool, found long"],
    ['a string include', "expressionBatch('count() < 2', 'yes')", "'include.triggering.event' parameter must be a constant bool or a bool attribute, found a constant string"],
    ['an attribute stream.current.event', "expressionBatch('count() < 2', true, b)", "'stream.current.event' parameter must be a constant bool"],
  ])('%s is rejected', (_what, window, message) => {
    // Prepare
    const app = `define stream S (v int, b bool); from S#window.${window} select v insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow(message);
  });
});
