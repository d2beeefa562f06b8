import type { Value } from '../../../core';
import { ev, outputs, type Step } from './harness';

// Scenarios of Siddhi's WithinPatternTestCase. Expected rows are Siddhi's.

const ONE = 'define stream Stream1 (symbol string, price float, volume int);';
const TWO = `${ONE} define stream Stream2 (symbol string, price float, volume int);`;
const q = (streams: string, from: string, select: string) => `${streams} @info(name='query1') from ${from} select ${select} insert into OutputStream;`;
const S = (n: number, symbol: string, price: number, volume = 100): Step => [`Stream${n}`, ev(symbol, price, volume)];

type Case = [string, string, Step[], Value[][]];

const THREE = 'every (e1=Stream1 -> e2=Stream1[symbol == e1.symbol] -> e3=Stream1[symbol == e2.symbol]) within 5 sec';
const SEL3 = 'e1.symbol as symbol1, e1.volume as volume1, e2.symbol as symbol2, e2.volume as volume2, e3.symbol as symbol3, e3.volume as volume3';

const cases: Case[] = [
  ['1: every A -> B within 1 sec', q(TWO, 'every e1=Stream1[price>20] -> e2=Stream2[price>e1.price] within 1 sec', 'e1.symbol as symbol1, e2.symbol as symbol2'), [S(1, 'WSO2', 55.6), 1500, S(1, 'GOOG', 54), 500, S(2, 'IBM', 55.7), 500], [['GOOG', 'IBM']]],
  ['2: (every A -> B) within 1 sec', q(TWO, '(every e1=Stream1[price>20]-> e2=Stream2[price>e1.price]) within 1 sec', 'e1.symbol as symbol1, e2.symbol as symbol2'), [S(1, 'WSO2', 55.6), 1500, S(1, 'GOOG', 54), 500, S(2, 'IBM', 55.7), 500], [['GOOG', 'IBM']]],
  [
    '3: (every (A -> A) -> B) within 2 sec',
    q(TWO, '(every (e1=Stream1[price>20] -> e3=Stream1[price>20]) -> e2=Stream2[price>e1.price]) within 2 sec', 'e1.price as price1, e3.price as price3, e2.price as price2'),
    [S(1, 'WSO2', 55.6), 600, S(1, 'GOOG', 54), 600, S(1, 'WSO2', 53.6), 900, S(1, 'GOOG', 53), 600, S(2, 'IBM', 57.7), 600],
    [[53.6, 53, 57.7]],
  ],
  [
    '4: every (A -> B) within 5 sec restarts the group when its partial match expires',
    q(ONE, 'every (e1=Stream1 -> e2=Stream1[symbol == e1.symbol]) within 5 sec', 'e1.symbol as symbol1, e1.volume as volume1, e2.symbol as symbol2, e2.volume as volume2'),
    [S(1, 'WSO2', 55.6, 100), 6000, S(1, 'WSO2', 55.7, 150), 500, S(1, 'WSO2', 58.7, 200), S(1, 'WSO2', 58.7, 250), 500],
    [['WSO2', 150, 'WSO2', 200]],
  ],
  ['5: every (A -> B -> C) within 5 sec', q(ONE, THREE, SEL3), [S(1, 'WSO2', 55.6, 100), S(1, 'WSO2', 56.6, 150), 6000, S(1, 'WSO2', 57.7, 200), 500, S(1, 'WSO2', 58.7, 250), S(1, 'WSO2', 57.7, 300), S(1, 'WSO2', 59.7, 350), 500], [['WSO2', 200, 'WSO2', 250, 'WSO2', 300]]],
  [
    '6: every (A -> B -> C) within 5 sec, two groups',
    q(ONE, THREE, SEL3),
    [S(1, 'WSO2', 55.6, 100), S(1, 'WSO2', 55.7, 150), S(1, 'WSO2', 58.7, 200), S(1, 'WSO2', 58.7, 210), 500, S(1, 'WSO2', 58.7, 250), S(1, 'WSO2', 58.7, 260), S(1, 'WSO2', 58.7, 270), 500],
    [['WSO2', 100, 'WSO2', 150, 'WSO2', 200], ['WSO2', 210, 'WSO2', 250, 'WSO2', 260]],
  ],
  ['7: every (A -> B -> C) within 5 sec, A expires alone', q(ONE, THREE, SEL3), [S(1, 'WSO2', 55.6, 100), 6000, S(1, 'WSO2', 56.6, 150), S(1, 'WSO2', 57.7, 200), 500, S(1, 'WSO2', 58.7, 250), S(1, 'WSO2', 57.7, 300), S(1, 'WSO2', 59.7, 350), 500], [['WSO2', 150, 'WSO2', 200, 'WSO2', 250]]],
];

describe("Siddhi's within patterns", () => {
  test.each(cases)('%s', (_name, app, steps, expected) => {
    expect(outputs(app, steps)).toEqual(expected);
  });
});
