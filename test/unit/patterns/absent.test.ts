import { AppRuntime, compileApp, type Value } from '../../../core';
import { ev, outputs, THREE_STREAMS, type Step } from './harness';

// Scenarios of Siddhi's AbsentPatternTestCase (`A -> not B for t`, `not A for t -> B`, chains),
// replayed on the event clock from time 0. Expected rows are Siddhi's.

const q = (from: string, select: string) => `${THREE_STREAMS} @info(name='query1') from ${from} select ${select} insert into OutputStream;`;
const S = (n: number, symbol: string, price: number): Step => [`Stream${n}`, ev(symbol, price)];

type Case = [string, string, string, Step[], Value[][]];

const A_NOT_B = 'e1=Stream1[price>20] -> not Stream2[price>e1.price] for 1 sec';
const NOT_A_B = 'not Stream1[price>20] for 1 sec -> e2=Stream2[price>30]';
const A_B_NOT_C = 'e1=Stream1[price>10] -> e2=Stream2[price>20] -> not Stream3[price>30] for 1 sec';
const A_NOT_B_C = 'e1=Stream1[price>10] -> not Stream2[price>20] for 1 sec -> e3=Stream3[price>30]';
const NOT_A_B_C = 'not Stream1[price>10] for 1 sec -> e2=Stream2[price>20] -> e3=Stream3[price>30]';
const A_B_C_NOT_D = 'e1=Stream1[price>10] -> e2=Stream2[price>20] -> e3=Stream3[price>30] -> not Stream4[price>40] for 1 sec';
const A_B_NOT_C_D = 'e1=Stream1[price>10] -> e2=Stream2[price>20] -> not Stream3[price>30] for 1 sec -> e4=Stream4[price>40]';
const NOT_A_B_NOT_C_D = 'not Stream1[price>10] for 1 sec -> e2=Stream2[price>20] -> not Stream3[price>30] for 1 sec -> e4=Stream4[price>40]';
const A_NOT_B_C_AND_D = 'e1=Stream1[price>10] -> not Stream2[price>20] for 1 sec -> e2=Stream3[price>30] and e3=Stream4[price>40]';
const A_NOT_B_C_OR_D = 'e1=Stream1[price>10] -> not Stream2[price>20] for 1 sec -> e2=Stream3[price>30] or e3=Stream4[price>40]';
const NOT_A_B_COUNT = 'not Stream1[price>10] for 1 sec -> e2=Stream2[price>20]<2:5>';

const cases: Case[] = [
  ['1: A -> not B, no B', A_NOT_B, 'e1.symbol as symbol1', [S(1, 'WSO2', 55.6), 1100], [['WSO2']]],
  ['2: A -> not B, B after the second', A_NOT_B, 'e1.symbol as symbol1', [S(1, 'WSO2', 55.6), 1100, S(2, 'IBM', 58.7), 100], [['WSO2']]],
  ['3: A -> not B, B within the second', A_NOT_B, 'e1.symbol as symbol1', [S(1, 'WSO2', 55.6), 100, S(2, 'IBM', 58.7), 1000], []],
  ['4: A -> not B, B failing its filter', A_NOT_B, 'e1.symbol as symbol1', [S(1, 'WSO2', 55.6), 100, S(2, 'IBM', 50.7), 1100], [['WSO2']]],
  ['5: not A -> B, no A', NOT_A_B, 'e2.symbol as symbol', [1100, S(2, 'IBM', 58.7), 100], [['IBM']]],
  ['6: not A -> B, A then B after 2 sec', NOT_A_B, 'e2.symbol as symbol', [100, S(1, 'WSO2', 59.6), 2100, S(2, 'IBM', 58.7), 100], [['IBM']]],
  ['7: not A -> B, too early (A fails its filter)', NOT_A_B, 'e2.symbol as symbol', [S(1, 'WSO2', 5.6), 100, S(2, 'IBM', 58.7), 100], []],
  ['8: not A -> B, too early', NOT_A_B, 'e2.symbol as symbol', [S(1, 'WSO2', 55.6), 100, S(2, 'IBM', 58.7), 100], []],
  ['9: A -> B -> not C, with C', A_B_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 1100], []],
  ['10: A -> B -> not C, C failing its filter', A_B_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 25.7), 1100], [['WSO2', 'IBM']]],
  ['11: A -> B -> not C, no C', A_B_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 1100], [['WSO2', 'IBM']]],
  ['12: A -> not B -> C', A_NOT_B_C, 'e1.symbol as symbol1, e3.symbol as symbol3', [S(1, 'WSO2', 15.6), 1100, S(3, 'GOOGLE', 55.7), 100], [['WSO2', 'GOOGLE']]],
  ['13: A -> not B -> C, B failing', A_NOT_B_C, 'e1.symbol as symbol1, e3.symbol as symbol3', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 8.7), 1100, S(3, 'GOOGLE', 55.7), 100], [['WSO2', 'GOOGLE']]],
  ['14: A -> not B -> C, with B', A_NOT_B_C, 'e1.symbol as symbol1, e3.symbol as symbol3', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], []],
  ['15: not A -> B -> C, with A', NOT_A_B_C, 'e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], []],
  ['16: not A -> B -> C, quiet start', NOT_A_B_C, 'e2.symbol as symbol2, e3.symbol as symbol3', [2100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], [['IBM', 'GOOGLE']]],
  ['17: not A -> B -> C, A failing', NOT_A_B_C, 'e2.symbol as symbol2, e3.symbol as symbol3', [500, S(1, 'WSO2', 5.6), 600, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], [['IBM', 'GOOGLE']]],
  ['18: not A -> B -> C, A at the start restarts the wait', NOT_A_B_C, 'e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'WSO2', 25.6), 1100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 55.7), 100], [['IBM', 'GOOGLE']]],
  ['19: A -> B -> C -> not D', A_B_C_NOT_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 35.7), 1100], [['WSO2', 'IBM', 'GOOGLE']]],
  ['20: A -> B -> C -> not D, with D', A_B_C_NOT_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 35.7), 100, S(4, 'ORACLE', 44.7), 1100], []],
  ['21: A -> B -> not C -> D', A_B_NOT_C_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e4.symbol as symbol4', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 1100, S(4, 'ORACLE', 44.7), 100], [['WSO2', 'IBM', 'ORACLE']]],
  ['22: A -> B -> not C -> D, with C', A_B_NOT_C_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e4.symbol as symbol4', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 38.7), 1100, S(4, 'ORACLE', 44.7), 100], []],
  [
    '23: not A -> B -> C -> D, with A',
    'not Stream1[price>10] for 1 sec -> e2=Stream2[price>20] -> e3=Stream3[price>30] -> e4=Stream4[price>40]',
    'e2.symbol as symbol2, e3.symbol as symbol3, e4.symbol as symbol4',
    [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 38.7), 100, S(4, 'ORACLE', 44.7), 100],
    [],
  ],
  ['24: not A -> B -> not C -> D', NOT_A_B_NOT_C_D, 'e2.symbol as symbol2, e4.symbol as symbol4', [1100, S(2, 'IBM', 28.7), 1100, S(4, 'ORACLE', 44.7), 100], [['IBM', 'ORACLE']]],
  ['25: not A -> B -> not C -> D, with everything', NOT_A_B_NOT_C_D, 'e2.symbol as symbol2, e4.symbol as symbol4', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 38.7), 100, S(4, 'ORACLE', 44.7), 100], []],
  ['26: not A -> B -> not C -> D, too early', NOT_A_B_NOT_C_D, 'e2.symbol as symbol2, e4.symbol as symbol4', [S(2, 'IBM', 28.7), 100, S(3, 'GOOGLE', 38.7), 100, S(4, 'ORACLE', 44.7), 100], []],
  ['27: not A -> B, B too early', NOT_A_B, 'e2.symbol as symbol', [S(2, 'IBM', 58.7), 100], []],
  ['28: A -> not B -> C and D', A_NOT_B_C_AND_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'IBM', 18.7), 1100, S(3, 'WSO2', 35), 100, S(4, 'GOOGLE', 56.86), 100], [['IBM', 'WSO2', 'GOOGLE']]],
  ['29: A -> not B -> C and D, too early', A_NOT_B_C_AND_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'IBM', 18.7), 100, S(3, 'WSO2', 35), 100, S(4, 'GOOGLE', 56.86), 100], []],
  ['30: A -> not B -> C or D, C', A_NOT_B_C_OR_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'IBM', 18.7), 1100, S(3, 'WSO2', 35), 100], [['IBM', 'WSO2', null]]],
  ['31: A -> not B -> C or D, D', A_NOT_B_C_OR_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'IBM', 18.7), 1100, S(4, 'GOOGLE', 56.86), 100], [['IBM', null, 'GOOGLE']]],
  ['32: A -> not B -> C or D, too early', A_NOT_B_C_OR_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'IBM', 18.7), 100, S(3, 'WSO2', 35), 100, S(4, 'GOOGLE', 56.86), 100], []],
  ['33: A -> not B -> C and D, with B', A_NOT_B_C_AND_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'IBM', 18.7), 100, S(2, 'ORACLE', 25), 100, S(3, 'WSO2', 35), 100, S(4, 'GOOGLE', 56.86), 100], []],
  ['34: A -> not B -> C or D, with B', A_NOT_B_C_OR_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'IBM', 18.7), 100, S(2, 'ORACLE', 25), 100, S(3, 'WSO2', 35), 100, S(4, 'GOOGLE', 56.86), 100], []],
  ['35: not A -> B<2:5>, with A', NOT_A_B_COUNT, 'e2[0].symbol as symbol0, e2[1].symbol as symbol1, e2[2].symbol as symbol2, e2[3].symbol as symbol3', [S(1, 'WSO2', 15), 100, S(2, 'GOOGLE', 35), 100, S(2, 'ORACLE', 45), 100], []],
  ['36: not A -> B<2:5>', NOT_A_B_COUNT, 'e2[0].symbol as symbol0, e2[1].symbol as symbol1, e2[2].symbol as symbol2, e2[3].symbol as symbol3', [1100, S(2, 'WSO2', 35), 100, S(2, 'IBM', 45), 100], [['WSO2', 'IBM', null, null]]],
  ['37: not A -> B, matches once', 'not Stream1[price>10] for 1 sec -> e2=Stream2[price>20]', 'e2.symbol as symbol', [2100, S(2, 'WSO2', 35), 100, S(2, 'IBM', 45), 100], [['WSO2']]],
  ['38: A -> not B -> C, B then C late', A_NOT_B_C, 'e1.symbol as symbol1, e3.symbol as symbol3', [S(1, 'WSO2', 15.6), 100, S(2, 'IBM', 28.7), 1100, S(3, 'GOOGLE', 55.7), 100], []],
  ['39: A -> not B -> C or D, B then D late', A_NOT_B_C_OR_D, 'e1.symbol as symbol1, e2.symbol as symbol2, e3.symbol as symbol3', [S(1, 'IBM', 18.7), 100, S(2, 'WSO2', 25.5), 1100, S(4, 'GOOGLE', 56.86), 100], []],
  ['40: not A -> B, two Bs', NOT_A_B, 'e2.symbol as symbol', [1100, S(2, 'IBM', 58.7), 100, 1100, S(2, 'WSO2', 68.7), 100], [['IBM']]],
  ['41: every not A, with A', 'every not Stream1[price>20] for 1 sec', '*', [S(1, 'WSO2', 55.6), 100], []],
  ['42: not A -> B within 2 sec: the absent start does not count', 'not Stream1[price>20] for 1 sec -> e2=Stream2[price>30] within 2 sec', 'e2.symbol as symbol', [3100, S(2, 'IBM', 58.7), 100], [['IBM']]],
];

describe("Siddhi's absent patterns on the event clock", () => {
  test.each(cases)('%s', (_name, from, select, steps, expected) => {
    // Prepare
    const app = q(from, select);
    // Act
    const rows = outputs(app, steps);
    // Assess
    expect(rows).toEqual(expected);
  });

  test('43: per partition key, A -> not A of the same key for 1 sec', () => {
    const app = `define stream CustomerStream (customerId string);
      partition with (customerId of CustomerStream) begin
        from e1=CustomerStream -> not CustomerStream[customerId == e1.customerId] for 1 sec
        select e1.customerId insert into OutputStream;
      end;`;
    const rows = outputs(app, [['CustomerStream', ['customerA']], ['CustomerStream', ['customerB']], 500, ['CustomerStream', ['customerB']], 600]);
    expect(rows).toEqual([['customerA']]);
  });

  test('a not ... for result carries its deadline, even when the clock passes it late', () => {
    const app = q('e1=Stream1[price>20] -> not Stream2[price>e1.price] for 1 sec', 'e1.symbol as symbol1');
    const times = [1000, 5000].map(tick => {
      const out: number[] = [];
      const rt = new AppRuntime(compileApp(app));
      rt.subscribe('OutputStream', (_s, es) => es.forEach(e => out.push(e.timestamp)));
      rt.send('Stream1', 200, ev('WSO2', 55));
      rt.advanceTime(200 + tick);
      return out;
    });
    expect(times).toEqual([[1200], [1200]]);
  });
});
