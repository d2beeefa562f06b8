import type { Value } from '../../../core';
import { ev, outputs, type Step } from './harness';

// Scenarios of Siddhi's EveryPatternTestCase. Expected rows are Siddhi's.

const TWO = 'define stream Stream1 (symbol string, price float, volume int); define stream Stream2 (symbol string, price float, volume int);';
const TWO_PRICE1 = 'define stream Stream1 (symbol string, price float, volume int); define stream Stream2 (symbol string, price1 float, volume int);';
const q = (streams: string, from: string, select: string) => `${streams} @info(name='query1') from ${from} select ${select} insert into OutputStream;`;
const S = (n: number, symbol: string, price: number): Step => [`Stream${n}`, ev(symbol, price)];
const paced = (...steps: Step[]): Step[] => steps.flatMap(s => [s, 100]);

type Case = [string, string, Step[], Value[][]];

const GROUP = 'every ( e1=Stream1[price>20] -> e3=Stream1[price>20]) -> e2=Stream2[price>e1.price]';

const cases: Case[] = [
  ['1: A -> B', q(TWO, 'e1=Stream1[price>20] -> e2=Stream2[price>e1.price]', 'e1.symbol as symbol1, e2.symbol as symbol2'), paced(S(1, 'WSO2', 55.6), S(2, 'IBM', 55.7)), [['WSO2', 'IBM']]],
  ['2: A -> B, the first A only', q(TWO_PRICE1, 'e1=Stream1[price>20] -> e2=Stream2[price1>e1.price]', 'e1.symbol as symbol1, e2.symbol as symbol2'), paced(S(1, 'WSO2', 55.6), S(1, 'GOOG', 55.6), S(2, 'IBM', 55.7)), [['WSO2', 'IBM']]],
  ['3: every A -> B', q(TWO_PRICE1, 'every e1=Stream1[price>20] -> e2=Stream2[price1>e1.price]', 'e1.symbol as symbol1, e2.symbol as symbol2'), paced(S(1, 'WSO2', 55.6), S(1, 'GOOG', 55.6), S(2, 'IBM', 55.7)), [['WSO2', 'IBM'], ['GOOG', 'IBM']]],
  ['4: every (A -> A) -> B', q(TWO, GROUP, 'e1.price as price1, e3.price as price3, e2.price as price2'), paced(S(1, 'WSO2', 55.6), S(1, 'GOOG', 54), S(2, 'IBM', 57.7)), [[55.6, 54, 57.7]]],
  ['5: every (A -> A) -> B, two groups', q(TWO, GROUP, 'e1.price as price1, e3.price as price3, e2.price as price2'), paced(S(1, 'WSO2', 55.6), S(1, 'GOOG', 54), S(1, 'WSO2', 53.6), S(1, 'GOOG', 53), S(2, 'IBM', 57.7)), [[55.6, 54, 57.7], [53.6, 53, 57.7]]],
  [
    '6: X -> every (A -> A) -> B',
    q(TWO, "e4=Stream1[symbol=='MSFT'] -> every ( e1=Stream1[price>20] -> e3=Stream1[price>20]) -> e2=Stream2[price>e1.price]", 'e1.price as price1, e3.price as price3, e2.price as price2'),
    paced(S(1, 'MSFT', 55.6), S(1, 'WSO2', 55.7), S(1, 'GOOG', 54), S(1, 'WSO2', 53.6), S(1, 'GOOG', 53), S(2, 'IBM', 57.7)),
    [[55.7, 54, 57.7], [53.6, 53, 57.7]],
  ],
  ['7: every (A -> A) alone', q('define stream Stream1 (symbol string, price float, volume int);', 'every ( e1=Stream1[price>20] -> e3=Stream1[price>20])', 'e1.price as price1, e3.price as price3'), paced(S(1, 'MSFT', 55.6), S(1, 'WSO2', 57.6), S(1, 'GOOG', 54), S(1, 'WSO2', 53.6)), [[55.6, 57.6], [54, 53.6]]],
  ['8: every A alone', q('define stream Stream1 (symbol string, price float, volume int);', 'every e1=Stream1[price>20]', 'e1.price as price1'), paced(S(1, 'MSFT', 55.6), S(1, 'WSO2', 57.6)), [[55.6], [57.6]]],
  [
    '9: a reference used twice names the first element',
    q('define stream Stream1 (symbol string, price float, volume int);', "every e1=Stream1[symbol == 'MSFT'] -> e1=Stream1[symbol == 'WSO2']", 'e1.price as price1'),
    paced(S(1, 'MSFT', 55.6), S(1, 'MSFT', 77.6), S(1, 'WSO2', 57.6)),
    [[55.6], [77.6]],
  ],
];

describe("Siddhi's every patterns", () => {
  test.each(cases)('%s', (_name, app, steps, expected) => {
    expect(outputs(app, steps)).toEqual(expected);
  });

  test('10: per user, every (first failure -> failures<3:> -> success)', () => {
    const app = `define stream LoginFailure (id string, user string, type string);
      define stream LoginSuccess (id string, user string, type string);
      partition with (user of LoginFailure, user of LoginSuccess) begin
        from every (e0=LoginFailure-> e1=LoginFailure<3:> -> e2=LoginSuccess) select e0.id as id, e2.user as user insert into BreakIn;
      end;`;
    const f = (i: number, user: string): Step[] => [1, ['LoginFailure', [`id_${i}`, user, 'failure']]];
    const s = (i: number, user: string): Step[] => [1, ['LoginSuccess', [`id_${i}`, user, 'success']]];
    const steps: Step[] = [
      ...[1, 2, 3, 4, 5, 6].flatMap(i => f(i, 'hans')),
      ...s(7, 'hans'),
      ...[8, 9, 10, 11, 12, 13, 14, 15].flatMap(i => f(i, 'werner')),
      ...s(16, 'werner'),
      3000,
      ...[17, 18, 19, 20, 21, 22].flatMap(i => f(i, 'hans')),
      ...s(23, 'hans'),
    ];
    expect(outputs(app, steps, 'BreakIn')).toEqual([
      ['id_1', 'hans'],
      ['id_8', 'werner'],
      ['id_17', 'hans'],
    ]);
  });
});
