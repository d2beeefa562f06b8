import type { Value } from '../../../core';
import { ev, outputs, THREE_STREAMS, type Step } from './harness';

// Scenarios of Siddhi's EveryAbsentPatternTestCase (`every` on absent elements), replayed on the
// event clock from time 0. Expected rows are Siddhi's.

const q = (from: string, select: string) => `${THREE_STREAMS} @info(name='query1') from ${from} select ${select} insert into OutputStream;`;
const S = (n: number, symbol: string, price: number): Step => [`Stream${n}`, ev(symbol, price)];

type Case = [string, string, string, Step[], Value[][]];

const A_EVERY_NOT_B = 'e1=Stream1[price>20] -> every not Stream2[price>e1.price] for 1 sec';
const EVERY_NOT_A_B = 'every not Stream1[price>20] for 1 sec -> e2=Stream2[price>30]';
const A_B_EVERY_NOT_C = 'e1=Stream1[price>10] -> e2=Stream2[price>20] -> every not Stream3[price>30] for 1 sec';
const A_EVERY_NOT_B_C = 'e1=Stream1[price>10] -> every not Stream2[price>20] for 1 sec -> e3=Stream3[price>30]';
const EVERY_NOT_A_B_C = 'every not Stream1[price>10] for 1 sec -> e2=Stream2[price>20] -> e3=Stream3[price>30]';
const ABC_EVERY_NOT_D = 'e1=Stream1[price>10] -> e2=Stream2[price>20] -> e3=Stream3[price>30] -> every not Stream4[price>40] for 1 sec';
const AB_EVERY_NOT_C_D = 'e1=Stream1[price>10] -> e2=Stream2[price>20] -> every not Stream3[price>30] for 1 sec -> e4=Stream4[price>40]';
const W = 'WSO2';

const cases: Case[] = [
  ['1: A -> every not B, quiet for 3 sec', A_EVERY_NOT_B, 'e1.symbol as symbol1', [S(1, W, 55.6), 3200], [[W], [W], [W]]],
  ['2: (A -> every not B for 900 ms) within 2 sec', `(${A_EVERY_NOT_B.replace('1 sec', '900 milliseconds')}) within 2 sec`, 'e1.symbol as symbol1', [S(1, W, 55.6), 3200], [[W], [W]]],
  ['4: A -> every not B, B after 2 sec', A_EVERY_NOT_B, 'e1.symbol as symbol1', [S(1, W, 55.6), 2100, S(2, 'IBM', 58.7), 1100], [[W], [W]]],
  ['5: every not A -> B, B after 2 sec', EVERY_NOT_A_B, 'e2.symbol as symbol1', [2100, S(2, 'IBM', 58.7), 1100], [['IBM'], ['IBM']]],
  ['6: A -> every not B, B within the second', A_EVERY_NOT_B, 'e1.symbol as symbol1', [S(1, W, 55.6), 100, S(2, 'IBM', 58.7), 1100], []],
  ['7: A -> every not B, B failing its filter', A_EVERY_NOT_B, 'e1.symbol as symbol1', [S(1, W, 55.6), 100, S(2, 'IBM', 50.7), 2100], [[W], [W]]],
  ['8: every not A -> B, B after 2.2 sec', EVERY_NOT_A_B, 'e2.symbol as symbol', [2200, S(2, 'IBM', 58.7), 1100], [['IBM'], ['IBM']]],
  ['9: every not A -> B, A at the start', EVERY_NOT_A_B, 'e2.symbol as symbol', [S(1, W, 59.6), 2100, S(2, 'IBM', 58.7), 100], [['IBM'], ['IBM']]],
  ['10: every not A -> B, A every half second', EVERY_NOT_A_B, 'e2.symbol as symbol', [S(1, W, 25.6), 500, S(1, W, 25.6), 500, S(1, W, 25.6), 500, S(2, 'IBM', 58.7), 100], []],
  ['11: every not A -> B, too early', EVERY_NOT_A_B, 'e2.symbol as symbol', [S(1, W, 55.6), 100, S(2, 'IBM', 58.7), 100], []],
  ['12: A -> B -> every not C, with C', A_B_EVERY_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, W, 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 1100], []],
  ['13: A -> B -> every not C, C failing', A_B_EVERY_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, W, 15.6), 100, S(2, 'IBM', 28.7), 600, S(3, 'GOOGLE', 25.7), 500], [[W, 'IBM']]],
  ['14: A -> B -> every not C, quiet 2 sec', A_B_EVERY_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, W, 15.6), 100, S(2, 'IBM', 28.7), 2100], [[W, 'IBM'], [W, 'IBM']]],
  ['15: A -> every not B -> C', A_EVERY_NOT_B_C, 'e1.symbol as symbol1, e3.symbol as symbol3', [S(1, W, 15.6), 2100, S(3, 'GOOGLE', 55.7), 1100], [[W, 'GOOGLE'], [W, 'GOOGLE']]],
  ['16: A -> every not B -> C, B failing', A_EVERY_NOT_B_C, 'e1.symbol as symbol1, e3.symbol as symbol3', [S(1, W, 15.6), 1000, S(2, 'IBM', 8.7), 1100, S(3, 'GOOGLE', 55.7), 100], [[W, 'GOOGLE'], [W, 'GOOGLE']]],
  ['18: every not A -> B -> C, with A', EVERY_NOT_A_B_C, 'e2.symbol as symbol2, e3.symbol as symbol3', [S(1, W, 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], []],
  ['19: every not A -> B -> C, quiet 2 sec', EVERY_NOT_A_B_C, 'e2.symbol as symbol2, e3.symbol as symbol3', [2100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], [['IBM', 'GOOGLE'], ['IBM', 'GOOGLE']]],
  ['20: every not A -> B -> C, A failing', EVERY_NOT_A_B_C, 'e2.symbol as symbol2, e3.symbol as symbol3', [500, S(1, W, 5.6), 600, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], [['IBM', 'GOOGLE']]],
  ['21: every not A -> B -> C, A at the start', EVERY_NOT_A_B_C, 'e2.symbol as symbol2, e3.symbol as symbol3', [S(1, W, 25.6), 2100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], [['IBM', 'GOOGLE'], ['IBM', 'GOOGLE']]],
  ['22: A -> B -> C -> every not D', ABC_EVERY_NOT_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, W, 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 35.7), 2100], [[W, 'IBM', 'GOOGLE'], [W, 'IBM', 'GOOGLE']]],
  [
    '23: (A -> B -> C -> every not D) within 2 sec',
    `(${ABC_EVERY_NOT_D}) within 2 sec`,
    'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3',
    [S(1, W, 15.6), 100, S(2, 'IBM', 28.7), 1100, S(3, 'GOOGLE', 35.7), 100, S(4, 'ORACLE', 44.7), 1100],
    [],
  ],
  ['24: A -> B -> every not C -> D', AB_EVERY_NOT_C_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e4.symbol as symbol4', [S(1, W, 15.6), 100, S(2, 'IBM', 28.7), 2100, S(4, 'ORACLE', 44.7), 100], [[W, 'IBM', 'ORACLE'], [W, 'IBM', 'ORACLE']]],
];

describe("Siddhi's every-absent patterns on the event clock", () => {
  test.each(cases)('%s', (_name, from, select, steps, expected) => {
    // Prepare
    const app = q(from, select);
    // Act
    const rows = outputs(app, steps);
    // Assess
    expect(rows).toEqual(expected);
  });

  test('3: playback: the clock moved by another stream fires every wait, within stops them', () => {
    const app = `${THREE_STREAMS} define stream TimerStream (symbol string);
      from (${A_EVERY_NOT_B.replace('1 sec', '900 milliseconds')}) within 2 sec select e1.symbol as symbol1 insert into OutputStream;`;
    const steps: Step[] = [S(1, W, 55.6), 1000, ['TimerStream', ['UPDATE-TIME']], 1000, ['TimerStream', ['UPDATE-TIME']], 1000, ['TimerStream', ['UPDATE-TIME']]];
    expect(outputs(app, steps)).toEqual([[W], [W]]);
  });
});
