import type { Value } from '../../../core';
import { ev, outputs, THREE_STREAMS, type Step } from './harness';

// Scenarios of Siddhi's LogicalPatternTestCase. Expected rows are Siddhi's.

const q = (from: string, select: string) => `${THREE_STREAMS} @info(name='query1') from ${from} select ${select} insert into OutputStream;`;
const S = (n: number, symbol: string, price: number): Step => [`Stream${n}`, ev(symbol, price)];
const paced = (...steps: Step[]): Step[] => steps.flatMap(s => [s, 100]);

type Case = [string, string, Step[], Value[][]];

const A_B_OR_C = "e1=Stream1[price > 20] -> e2=Stream2[price > e1.price] or e3=Stream2['IBM' == symbol]";
const A_B_AND_C = "e1=Stream1[price > 20] -> e2=Stream2[price > e1.price] and e3=Stream2['IBM' == symbol]";
const A_OR_B_C = "e1=Stream1[price > 20] or e2=Stream2[price >30] -> e3=Stream2['IBM' == symbol]";
const SEL = 'e1.symbol as symbol1, e2.price as price2, e3.price as price3';

const cases: Case[] = [
  ['1: A -> B or C, B', q(A_B_OR_C, 'e1.symbol as symbol1, e2.symbol as symbol2'), paced(S(1, 'WSO2', 55.6), S(2, 'GOOG', 59.6)), [['WSO2', 'GOOG']]],
  ['2: A -> B or C, C', q(A_B_OR_C, 'e1.symbol as symbol1, e2.symbol as symbol2'), paced(S(1, 'WSO2', 55.6), S(2, 'IBM', 10.7)), [['WSO2', null]]],
  ['3: A -> B or C, one event fits both: the left side takes it', q(A_B_OR_C, SEL), paced(S(1, 'WSO2', 55.6), S(2, 'IBM', 72.7), S(2, 'IBM', 75.7)), [['WSO2', 72.7, null]]],
  ['4: A -> B and C', q(A_B_AND_C, SEL), paced(S(1, 'WSO2', 55.6), S(2, 'GOOG', 72.7), S(2, 'IBM', 4.7)), [['WSO2', 72.7, 4.7]]],
  ['5: A -> B and C, one event fits both', q(A_B_AND_C, SEL), paced(S(1, 'WSO2', 55.6), S(2, 'IBM', 72.7), S(2, 'IBM', 75.7)), [['WSO2', 72.7, 72.7]]],
  ['6: A -> B and C on two streams', q("e1=Stream1[price > 20] -> e2=Stream2[price > e1.price] and e3=Stream1['IBM' == symbol]", SEL), paced(S(1, 'WSO2', 55.6), S(2, 'IBM', 72.7), S(1, 'IBM', 75.7)), [['WSO2', 72.7, 75.7]]],
  ['7: A and B -> C', q("e1=Stream1[price > 20] and e2=Stream2[price >30] -> e3=Stream2['IBM' == symbol]", SEL), paced(S(1, 'WSO2', 55.6), S(2, 'GOOG', 72.7), S(2, 'IBM', 4.7)), [['WSO2', 72.7, 4.7]]],
  ['8: A or B -> C, A then an unused B', q(A_OR_B_C, SEL), paced(S(1, 'WSO2', 55.6), S(2, 'GOOG', 72.7), S(2, 'IBM', 4.7)), [['WSO2', null, 4.7]]],
  ['9: A or B -> C, B', q(A_OR_B_C, SEL), paced(S(2, 'GOOG', 72.7), S(2, 'IBM', 4.7)), [[null, 72.7, 4.7]]],
  ['10: A or B -> C, A', q(A_OR_B_C, SEL), paced(S(1, 'WSO2', 55.6), S(2, 'IBM', 4.7)), [['WSO2', null, 4.7]]],
  [
    '11: every A -> B and C',
    q("every e1=Stream1[price >20] -> e2=Stream2['IBM' == symbol] and e3=Stream3['WSO2' == symbol]", 'e1.price as price1, e2.price as price2, e3.price as price3'),
    paced(S(1, 'IBM', 25.5), S(1, 'IBM', 59.65), S(2, 'IBM', 45.5), S(3, 'WSO2', 46.56)),
    [[25.5, 45.5, 46.56], [59.65, 45.5, 46.56]],
  ],
  [
    '12: every A -> B or C',
    q("every e1=Stream1[price >20] -> e2=Stream2['IBM' == symbol] or e3=Stream3['WSO2' == symbol]", 'e1.price as price1, e2.price as price2, e3.price as price3'),
    paced(S(1, 'IBM', 25.5), S(1, 'IBM', 59.65), S(2, 'IBM', 45.5)),
    [[25.5, 45.5, null], [59.65, 45.5, null]],
  ],
  ['13: A and B alone, once', q('e1=Stream1[price > 20] and e2=Stream2[price >30]', 'e1.symbol as symbol1, e2.price as price2'), paced(S(1, 'WSO2', 25), S(2, 'IBM', 35), S(1, 'GOOGLE', 45), S(2, 'ORACLE', 55)), [['WSO2', 35]]],
];

describe("Siddhi's logical patterns", () => {
  test.each(cases)('%s', (_name, app, steps, expected) => {
    expect(outputs(app, steps)).toEqual(expected);
  });
});
