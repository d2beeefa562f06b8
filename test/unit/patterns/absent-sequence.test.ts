import type { Value } from '../../../core';
import { ev, outputs, THREE_STREAMS, type Step } from './harness';

// Scenarios of Siddhi's AbsentSequenceTestCase (`not ... for t` inside `,` sequences), replayed on
// the event clock from time 0. Expected rows are Siddhi's.

const q = (from: string, select: string) => `${THREE_STREAMS} @info(name='query1') from ${from} select ${select} insert into OutputStream;`;
const S = (n: number, symbol: string, price: number): Step => [`Stream${n}`, ev(symbol, price)];

type Case = [string, string, string, Step[], Value[][]];

const A_NOT_B = 'e1=Stream1[price>20], not Stream2[price>e1.price] for 1 sec';
const NOT_A_B = 'not Stream1[price>20] for 1 sec, e2=Stream2[price>30]';
const A_B_NOT_C = 'e1=Stream1[price>10], e2=Stream2[price>20], not Stream3[price>30] for 1 sec';
const A_NOT_B_C = 'e1=Stream1[price>10], not Stream2[price>20] for 1 sec, e3=Stream3[price>30]';
const NOT_A_B_C = 'not Stream1[price>10] for 1 sec, e2=Stream2[price>20], e3=Stream3[price>30]';
const A_B_C_NOT_D = 'e1=Stream1[price>10], e2=Stream2[price>20], e3=Stream3[price>30], not Stream4[price>40] for 1 sec';
const A_B_NOT_C_D = 'e1=Stream1[price>10], e2=Stream2[price>20], not Stream3[price>30] for 1 sec, e4=Stream4[price>40]';
const NOT_A_B_C_D = 'not Stream1[price>10] for 1 sec, e2=Stream2[price>20], e3=Stream3[price>30], e4=Stream4[price>40]';
const NOT_A_B_NOT_C_D = 'not Stream1[price>10] for 1 sec, e2=Stream2[price>20], not Stream3[price>30] for 1 sec, e4=Stream4[price>40]';
const A_NOT_B_C_AND_D = 'e1=Stream1[price>10], not Stream2[price>20] for 1 sec, e2=Stream3[price>30] and e3=Stream4[price>40]';
const A_NOT_B_C_OR_D = 'e1=Stream1[price>10], not Stream2[price>20] for 1 sec, e2=Stream3[price>30] or e3=Stream4[price>40]';

const SEL13 = 'e1.symbol as symbol1, e3.symbol as symbol3';
const SEL23 = 'e2.symbol as symbol2, e3.symbol as symbol3';
const SEL123 = 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3';

const cases: Case[] = [
  ['1: A, not B, no B', A_NOT_B, 'e1.symbol as symbol1', [S(1, 'WSO2', 55.6), 1100], [['WSO2']]],
  ['2: A, not B, B after the second', A_NOT_B, 'e1.symbol as symbol1', [S(1, 'WSO2', 55.6), 1100, S(2, 'IBM', 58.7), 100], [['WSO2']]],
  ['3: A, not B, B within the second', A_NOT_B, 'e1.symbol as symbol1', [S(1, 'WSO2', 55.6), 100, S(2, 'IBM', 58.7), 1100], []],
  ['4: A, not B, B failing its filter', A_NOT_B, 'e1.symbol as symbol1', [S(1, 'WSO2', 55.6), 100, S(2, 'IBM', 50.7), 1100], [['WSO2']]],
  ['5: not A, B, no A', NOT_A_B, 'e2.symbol as symbol', [1100, S(2, 'IBM', 58.7), 100], [['IBM']]],
  ['6: not A, B, A kills the sequence for good', NOT_A_B, 'e2.symbol as symbol', [100, S(1, 'WSO2', 59.6), 2100, S(2, 'IBM', 58.7), 100], []],
  ['7: not A, B, too early (A failing its filter)', NOT_A_B, 'e2.symbol as symbol', [S(1, 'WSO2', 5.6), 100, S(2, 'IBM', 58.7), 100], []],
  ['8: not A, B, too early', NOT_A_B, 'e2.symbol as symbol', [S(1, 'WSO2', 55.6), 100, S(2, 'IBM', 58.7), 100], []],
  ['9: A, B, not C, with C', A_B_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 1100], []],
  ['10: A, B, not C, C failing its filter', A_B_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 25.7), 1100], [['WSO2', 'IBM']]],
  ['11: A, B, not C, no C', A_B_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 1100], [['WSO2', 'IBM']]],
  ['12: A, not B, C', A_NOT_B_C, SEL13, [S(1, 'WSO2', 15.6), 1100, S(3, 'GOOGLE', 55.7), 100], [['WSO2', 'GOOGLE']]],
  ['13: A, not B, C, B failing', A_NOT_B_C, SEL13, [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 8.7), 1100, S(3, 'GOOGLE', 55.7), 100], [['WSO2', 'GOOGLE']]],
  ['14: A, not B, C, with B', A_NOT_B_C, SEL13, [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], []],
  ['15: not A, B, C, with A', NOT_A_B_C, SEL23, [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], []],
  ['16: not A, B, C, quiet start', NOT_A_B_C, SEL23, [2100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], [['IBM', 'GOOGLE']]],
  ['17: not A, B, C, A failing', NOT_A_B_C, SEL23, [500, S(1, 'WSO2', 5.6), 600, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], [['IBM', 'GOOGLE']]],
  ['18: not A, B, C, A at the start is not forgiven', NOT_A_B_C, SEL23, [S(1, 'WSO2', 25.6), 1100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], []],
  ['19: A, B, C, not D', A_B_C_NOT_D, SEL123, [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 35.7), 1100], [['WSO2', 'IBM', 'GOOGLE']]],
  ['20: A, B, C, not D, with D', A_B_C_NOT_D, SEL123, [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 35.7), 100, S(4, 'ORACLE', 44.7), 1100], []],
  ['21: A, B, not C, D', A_B_NOT_C_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e4.symbol as symbol4', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 1100, S(4, 'ORACLE', 44.7), 100], [['WSO2', 'IBM', 'ORACLE']]],
  ['22: A, B, not C, D, with C', A_B_NOT_C_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e4.symbol as symbol4', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 38.7), 1100, S(4, 'ORACLE', 44.7), 100], []],
  ['23: not A, B, C, D, with A', NOT_A_B_C_D, 'e2.symbol as symbol2, e3.symbol as symbol3, e4.symbol as symbol4', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 38.7), 100, S(4, 'ORACLE', 44.7), 100], []],
  ['24: not A, B, not C, D', NOT_A_B_NOT_C_D, 'e2.symbol as symbol2, e4.symbol as symbol4', [1100, S(2, 'IBM', 28.7), 1100, S(4, 'ORACLE', 44.7), 100], [['IBM', 'ORACLE']]],
  ['25: not A, B, not C, D, with everything', NOT_A_B_NOT_C_D, 'e2.symbol as symbol2, e4.symbol as symbol4', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 38.7), 100, S(4, 'ORACLE', 44.7), 100], []],
  ['26: not A, B, not C, D, too early', NOT_A_B_NOT_C_D, 'e2.symbol as symbol2, e4.symbol as symbol4', [S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 38.7), 100, S(4, 'ORACLE', 44.7), 100], []],
  ['27: not A, B, B too early', NOT_A_B, 'e2.symbol as symbol', [S(2, 'IBM', 58.7), 100], []],
  ['28: A, not B, C and D', A_NOT_B_C_AND_D, SEL123, [S(1, 'IBM', 18.7), 1100, S(3, 'WSO2', 35), 100, S(4, 'GOOGLE', 56.86), 100], [['IBM', 'WSO2', 'GOOGLE']]],
  ['29: A, not B, C and D, too early', A_NOT_B_C_AND_D, SEL123, [S(1, 'IBM', 18.7), 100, S(3, 'WSO2', 35), 100, S(4, 'GOOGLE', 56.86), 100], []],
  ['30: A, not B, C or D, C', A_NOT_B_C_OR_D, SEL123, [S(1, 'IBM', 18.7), 1100, S(3, 'WSO2', 35), 100], [['IBM', 'WSO2', null]]],
  ['31: A, not B, C or D, D', A_NOT_B_C_OR_D, SEL123, [S(1, 'IBM', 18.7), 1100, S(4, 'GOOGLE', 56.86), 100], [['IBM', null, 'GOOGLE']]],
  ['32: A, not B, C or D, too early', A_NOT_B_C_OR_D, SEL123, [S(1, 'IBM', 18.7), 100, S(3, 'WSO2', 35), 100, S(4, 'GOOGLE', 56.86), 100], []],
];

describe("Siddhi's absent sequences on the event clock", () => {
  test.each(cases)('%s', (_name, from, select, steps, expected) => {
    // Prepare
    const app = q(from, select);
    // Act
    const rows = outputs(app, steps);
    // Assess
    expect(rows).toEqual(expected);
  });
});
