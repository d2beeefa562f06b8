import type { Value } from '../../../core';
import { ev, outputs, THREE_STREAMS, type Step } from './harness';

// Scenarios of Siddhi's LogicalAbsentPatternTestCase, replayed on the event clock: the app starts
// at 0, a number is a pause (timers due in it fire at their time). Expected rows are Siddhi's.

const q = (from: string, select: string) => `${THREE_STREAMS} @info(name='query1') from ${from} select ${select} insert into OutputStream;`;

const S1 = (s = 'WSO2', p = 15): Step => ['Stream1', ev(s, p)];
const S2 = (s = 'IBM', p = 25): Step => ['Stream2', ev(s, p)];
const S3 = (s = 'GOOGLE', p = 35): Step => ['Stream3', ev(s, p)];

type Case = [string, string, string, Step[], Value[][]];

const A_NOT_B_AND_C = 'e1=Stream1[price>10] -> not Stream2[price>20] and e3=Stream3[price>30]';
const NOT_A_AND_B_C = 'not Stream1[price>10] and e2=Stream2[price>20] -> e3=Stream3[price>30]';
const A_NOT_B_FOR_AND_C = 'e1=Stream1[price>10] -> not Stream2[price>20] for 1 sec and e3=Stream3[price>30]';
const NOT_A_FOR_AND_B_C = 'not Stream1[price>10] for 1 sec and e2=Stream2[price>20] -> e3=Stream3[price>30]';
const A_NOT_B_FOR_OR_C = 'e1=Stream1[price>10] -> not Stream2[price>20] for 1 sec or e3=Stream3[price>30]';
const NOT_A_FOR_OR_B_C = 'not Stream1[price>10] for 1 sec or e2=Stream2[price>20] -> e3=Stream3[price>30]';
const A_GROUP_NOT_B_AND_C = 'e1=Stream1[price>10] -> (not Stream2[price>20] and e3=Stream3[price>30]) within 1 sec';
const A_GROUP_NOT_B_FOR_AND_C = 'e1=Stream1[price>10] -> (not Stream2[price>20] for 1 sec and e3=Stream3[price>30]) within 2 sec';
const A_NOT_B_AND_NOT_C = 'e1=Stream1[price>10] -> (not Stream2[price>20] for 1 sec and not Stream3[price>30] for 1 sec) within 2 sec';
const A_NOT_B_OR_NOT_C = 'e1=Stream1[price>10] -> (not Stream2[price>20] for 1 sec or not Stream3[price>30] for 1 sec) within 2 sec';
const NOT_A_OR_NOT_B_C = '(not Stream1[price>10] for 1 sec or not Stream2[price>20] for 1 sec) -> e3=Stream3[price>30]';
const NOT_A_AND_NOT_B_C = '(not Stream1[price>10] for 1 sec and not Stream2[price>20] for 1 sec) -> e3=Stream3[price>30]';
const A_B_OR_NOT_C = 'e1=Stream1[price>10] -> e2=Stream2[price>20] or not Stream3[price>30] for 1 sec';
const A_OR_NOT_B_C = 'e1=Stream1[price>10] or not Stream2[price>20] for 1 sec -> e3=Stream3[price>30]';
const EVERY_NOT_A_OR_NOT_B_C = 'every (not Stream1[price>10] for 1 sec or not Stream2[price>20] for 1 sec) -> e3=Stream3[price>30]';
const EVERY_NOT_A_AND_NOT_B_C = 'every (not Stream1[price>10] for 1 sec and not Stream2[price>20] for 1 sec) -> e3=Stream3[price>30]';
const EVERY_NOT_A_OR_B_C = 'every (not Stream1[price>10] for 1 sec or e2=Stream2[price>20]) -> e3=Stream3[price>30]';
const EVERY_NOT_A_AND_B_C = 'every (not Stream1[price>10] for 1 sec and e2=Stream2[price>20]) -> e3=Stream3[price>30]';
const EVERY_B_OR_NOT_A_C = 'every (e2=Stream2[price>20] or not Stream1[price>10] for 1 sec) -> e3=Stream3[price>30]';
const EVERY_B_AND_NOT_A_C = 'every (e2=Stream2[price>20] and not Stream1[price>10] for 1 sec) -> e3=Stream3[price>30]';

const e1e3 = 'e1.symbol as symbol1, e3.symbol as symbol3';
const e2e3 = 'e2.symbol as symbol2, e3.symbol as symbol3';

const cases: Case[] = [
  ['1: A -> not B and C, with A and C', A_NOT_B_AND_C, e1e3, [S1(), 100, S3(), 100], [['WSO2', 'GOOGLE']]],
  ['2: A -> not B and C, with A, B and C', A_NOT_B_AND_C, e1e3, [S1(), 100, S2(), 100, S3(), 100], []],
  ['3: not A and B -> C, with B and C', NOT_A_AND_B_C, e2e3, [S2(), 100, S3(), 100], [['IBM', 'GOOGLE']]],
  ['4: not A and B -> C, with A, B and C', NOT_A_AND_B_C, e2e3, [S1(), 100, S2(), 100, S3(), 100], []],
  ['5: A -> not B for 1 sec and C, C after the second', A_NOT_B_FOR_AND_C, e1e3, [S1(), 1100, S3(), 100], [['WSO2', 'GOOGLE']]],
  ['5_1: A -> not B for 1 sec and C, C within the second', A_NOT_B_FOR_AND_C, e1e3, [S1(), 500, S3(), 600], [['WSO2', 'GOOGLE']]],
  ['5_2: A -> not B for 1 sec and C, the second not over', A_NOT_B_FOR_AND_C, e1e3, [1100, S1(), 100, S3(), 100], []],
  ['6: A -> not B for 1 sec and C, too early', A_NOT_B_FOR_AND_C, e1e3, [S1(), 100, S3(), 100], []],
  ['7: A -> not B for 1 sec and C, with B', A_NOT_B_FOR_AND_C, e1e3, [S1(), 100, S2(), 100, S3(), 100], []],
  ['8: not A for 1 sec and B -> C, B after the second', NOT_A_FOR_AND_B_C, e2e3, [1100, S2(), 100, S3(), 100], [['IBM', 'GOOGLE']]],
  ['8_1: not A for 1 sec and B -> C, B early, C late', NOT_A_FOR_AND_B_C, e2e3, [S2(), 1100, S3(), 100], [['IBM', 'GOOGLE']]],
  ['8_2: not A for 1 sec and B -> C, A within the second', NOT_A_FOR_AND_B_C, e2e3, [500, S1(), 600, S2(), 100, S3(), 100], []],
  ['9: not A for 1 sec and B -> C, all too early', NOT_A_FOR_AND_B_C, e2e3, [S2(), 100, S3(), 1100], []],
  ['10: not A for 1 sec and B -> C, A at the start', NOT_A_FOR_AND_B_C, e2e3, [S1(), 1100, S2(), 100, S3(), 100], [['IBM', 'GOOGLE']]],
  ['11: A -> not B for 1 sec or C, C first', A_NOT_B_FOR_OR_C, e1e3, [S1(), 100, S3(), 100], [['WSO2', 'GOOGLE']]],
  ['12: A -> not B for 1 sec or C, no duplicate later', A_NOT_B_FOR_OR_C, e1e3, [S1(), 100, S3(), 1100], [['WSO2', 'GOOGLE']]],
  ['13: A -> not B for 1 sec or C, the wait passes', A_NOT_B_FOR_OR_C, e1e3, [S1(), 1100], [['WSO2', null]]],
  ['14: A -> not B for 1 sec or C, not yet', A_NOT_B_FOR_OR_C, e1e3, [S1(), 100], []],
  ['15: A -> not B for 1 sec or C, B then C', A_NOT_B_FOR_OR_C, e1e3, [S1(), 100, S2(), 100, S3(), 100], [['WSO2', 'GOOGLE']]],
  ['16: A -> not B for 1 sec or C, B only', A_NOT_B_FOR_OR_C, e1e3, [S1(), 100, S2(), 1100], []],
  ['17: not A for 1 sec or B -> C, B then C', NOT_A_FOR_OR_B_C, e2e3, [S2('WSO2'), 100, S3(), 100], [['WSO2', 'GOOGLE']]],
  ['18: not A for 1 sec or B -> C, the wait passes', NOT_A_FOR_OR_B_C, e2e3, [1100, S3(), 100], [[null, 'GOOGLE']]],
  ['19: not A for 1 sec or B -> C, C too early', NOT_A_FOR_OR_B_C, e2e3, [S3(), 100], []],
  ['20: A -> (not B and C) within 1 sec', A_GROUP_NOT_B_AND_C, e1e3, [S1(), 100, S3(), 100], [['WSO2', 'GOOGLE']]],
  ['21: A -> (not B and C) within 1 sec, C too late', A_GROUP_NOT_B_AND_C, e1e3, [S1(), 1100, S3(), 100], []],
  ['22: A -> (not B and C) within 1 sec, B then C late', A_GROUP_NOT_B_AND_C, e1e3, [S1(), 1100, S2(), 1100, S3(), 100], []],
  ['23: A -> (not B for 1 sec and C) within 2 sec', A_GROUP_NOT_B_FOR_AND_C, e1e3, [S1(), 1100, S3(), 100], [['WSO2', 'GOOGLE']]],
  ['24: A -> (not B for 1 sec and C) within 2 sec, C too late', A_GROUP_NOT_B_FOR_AND_C, e1e3, [S1(), 2100, S3(), 100], []],
  ['25: A -> (not B for 1 sec and not C for 1 sec), quiet', A_NOT_B_AND_NOT_C, 'e1.symbol as symbol1', [S1(), 1100], [['WSO2']]],
  ['26: A -> (not B for 1 sec and not C for 1 sec), B', A_NOT_B_AND_NOT_C, 'e1.symbol as symbol1', [S1(), 100, S2(), 1100], []],
  ['27: A -> (not B for 1 sec and not C for 1 sec), C', A_NOT_B_AND_NOT_C, 'e1.symbol as symbol1', [S1(), 100, S3('IBM'), 1100], []],
  ['28: A -> (not B for 1 sec and not C for 1 sec), B and C', A_NOT_B_AND_NOT_C, 'e1.symbol as symbol1', [S1(), 100, S2(), 100, S3('ORACLE'), 1100], []],
  ['29: A -> (not B for 1 sec or not C for 1 sec), quiet', A_NOT_B_OR_NOT_C, 'e1.symbol as symbol1', [S1(), 1200], [['WSO2']]],
  ['30: A -> (not B for 1 sec or not C for 1 sec), B', A_NOT_B_OR_NOT_C, 'e1.symbol as symbol1', [S1(), 100, S2(), 1100], [['WSO2']]],
  ['31: A -> (not B for 1 sec or not C for 1 sec), C', A_NOT_B_OR_NOT_C, 'e1.symbol as symbol1', [S1(), 100, S3('IBM'), 1100], [['WSO2']]],
  ['32: A -> (not B for 1 sec or not C for 1 sec), B and C', A_NOT_B_OR_NOT_C, 'e1.symbol as symbol1', [S1(), 100, S2(), 100, S3('ORACLE'), 1100], []],
  ['33: (not A for 1 sec or not B for 1 sec) -> C, only once', NOT_A_OR_NOT_B_C, 'e3.symbol as symbol', [1100, S3('WSO2'), 1100, S3('WSO2'), 100], [['WSO2']]],
  ['34: (not A for 1 sec or not B for 1 sec) -> C, with A', NOT_A_OR_NOT_B_C, 'e3.symbol as symbol', [500, S1('IBM'), 600, S3('WSO2'), 100], [['WSO2']]],
  ['35: (not A for 1 sec or not B for 1 sec) -> C, with B', NOT_A_OR_NOT_B_C, 'e3.symbol as symbol', [500, S2(), 600, S3('WSO2'), 100], [['WSO2']]],
  ['36: (not A for 1 sec or not B for 1 sec) -> C, with A and B', NOT_A_OR_NOT_B_C, 'e3.symbol as symbol', [S1('ORACLE'), 100, S2(), 100, S3('WSO2'), 100], []],
  ['37: (not A for 1 sec and not B for 1 sec) -> C, quiet', NOT_A_AND_NOT_B_C, 'e3.symbol as symbol', [1100, S3('WSO2'), 100], [['WSO2']]],
  ['38: (not A for 1 sec and not B for 1 sec) -> C, with A', NOT_A_AND_NOT_B_C, 'e3.symbol as symbol', [500, S1('IBM'), 600, S3('WSO2'), 100], []],
  ['39: (not A for 1 sec and not B for 1 sec) -> C, with B', NOT_A_AND_NOT_B_C, 'e3.symbol as symbol', [500, S2(), 600, S3('WSO2'), 100], []],
  ['40: (not A for 1 sec and not B for 1 sec) -> C, with A and B', NOT_A_AND_NOT_B_C, 'e3.symbol as symbol', [S1('ORACLE'), 100, S2(), 100, S3('WSO2'), 100], []],
  ['41: A -> B or not C for 1 sec, B', A_B_OR_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S1(), 100, S2('GOOGLE'), 100], [['WSO2', 'GOOGLE']]],
  ['42: A -> B or not C for 1 sec, the wait passes', A_B_OR_NOT_C, 'e1.symbol as symbol1, e2.symbol as symbol2', [S1(), 1100], [['WSO2', null]]],
  ['43: A or not B for 1 sec -> C, A then C', A_OR_NOT_B_C, e1e3, [S1('WSO2', 25), 100, S3(), 100], [['WSO2', 'GOOGLE']]],
  ['44: A or not B for 1 sec -> C, the wait passes', A_OR_NOT_B_C, e1e3, [1100, S3(), 100], [[null, 'GOOGLE']]],
  ['45: A or not B for 1 sec -> C, C too early', A_OR_NOT_B_C, e1e3, [100, S3(), 100], []],
  [
    '46: every (not A for 1 sec or not B for 1 sec) -> C',
    EVERY_NOT_A_OR_NOT_B_C,
    'e3.symbol as symbol',
    [500, S1('ORACLE'), 600, S3('WSO2'), 300, S2('MICROSOFT', 45), 800, S3('IBM', 55), 100],
    [['WSO2']],
  ],
  // Both sides fire each second: the left side's timer goes first, so the right one finds the
  // restarted partial match with the left side's placeholder (time -1) and fires it too.
  ['47: every (not A for 1 sec or not B for 1 sec) -> C, two Cs', EVERY_NOT_A_OR_NOT_B_C, 'e3.symbol as symbol', [1200, S3('WSO2'), 1200, S3('IBM', 55), 100], [['WSO2'], ['WSO2'], ['IBM'], ['IBM']]],
  ['48: every (not A for 1 sec or not B for 1 sec) -> C, one C after 2 sec', EVERY_NOT_A_OR_NOT_B_C, 'e3.symbol as symbol', [2100, S3('WSO2'), 100], [['WSO2'], ['WSO2'], ['WSO2'], ['WSO2']]],
  ['49: every (not A for 1 sec and not B for 1 sec) -> C, two Cs', EVERY_NOT_A_AND_NOT_B_C, 'e3.symbol as symbol', [1100, S3('WSO2'), 1100, S3('IBM', 55), 100], [['WSO2'], ['IBM']]],
  ['50: every (not A for 1 sec and not B for 1 sec) -> C, one C after 2 sec', EVERY_NOT_A_AND_NOT_B_C, 'e3.symbol as symbol', [2100, S3('WSO2'), 100], [['WSO2'], ['WSO2']]],
  [
    '51: every (A and not B for 1 sec) -> C',
    'every (e1=Stream1[price>10] and not Stream2[price>20] for 1 sec) -> e3=Stream3[price>30]',
    e1e3,
    [1100, S1('IBM', 25), 100, S3(), 1100, S1('ORACLE', 45), 100, S3('MICROSOFT', 55), 100],
    [['IBM', 'GOOGLE'], ['ORACLE', 'MICROSOFT']],
  ],
  ['52: every (not A for 1 sec or B) -> C, A then B', EVERY_NOT_A_OR_B_C, e2e3, [500, S1('ORACLE'), 600, S3('WSO2'), 300, S2('MICROSOFT', 45), 800, S3('IBM', 55), 100], [['MICROSOFT', 'IBM']]],
  [
    '53: every (not A for 1 sec or B) -> C, C C B C',
    EVERY_NOT_A_OR_B_C,
    e2e3,
    [1200, S3('WSO2'), 1200, S3('IBM', 55), 100, S2('ORACLE', 65), 100, S3('GOOGLE', 75), 100],
    [[null, 'WSO2'], [null, 'IBM'], ['ORACLE', 'GOOGLE']],
  ],
  ['54: every (not A for 1 sec or B) -> C, one C after 2 sec', EVERY_NOT_A_OR_B_C, e2e3, [2100, S3('WSO2'), 100], [[null, 'WSO2'], [null, 'WSO2']]],
  [
    '55: every (not A for 1 sec and B) -> C',
    EVERY_NOT_A_AND_B_C,
    e2e3,
    [S1('ORACLE'), 100, S2('MICROSOFT', 45), 100, S3('IBM', 55), 2000, S2('WSO2', 45), 100, S3('GOOGLE', 55), 100],
    [['MICROSOFT', 'GOOGLE'], ['WSO2', 'GOOGLE']],
  ],
  ['56: every (not A for 1 sec and B) -> C, C C B C', EVERY_NOT_A_AND_B_C, e2e3, [1200, S3('WSO2'), 1200, S3('IBM', 55), 100, S2('ORACLE', 65), 100, S3('GOOGLE', 75), 100], [['ORACLE', 'GOOGLE']]],
  ['57: every (not A for 1 sec and B) -> C, C only', EVERY_NOT_A_AND_B_C, e2e3, [1100, S3('WSO2'), 100], []],
  ['58: every (B or not A for 1 sec) -> C, A then B', EVERY_B_OR_NOT_A_C, e2e3, [500, S1('ORACLE'), 600, S3('WSO2'), 300, S2('MICROSOFT', 45), 800, S3('IBM', 55), 100], [['MICROSOFT', 'IBM']]],
  [
    '59: every (B or not A for 1 sec) -> C, C C B C',
    EVERY_B_OR_NOT_A_C,
    e2e3,
    [1200, S3('WSO2'), 1200, S3('IBM', 55), 100, S2('ORACLE', 65), 100, S3('GOOGLE', 75), 100],
    [[null, 'WSO2'], [null, 'IBM'], ['ORACLE', 'GOOGLE']],
  ],
  ['60: every (B or not A for 1 sec) -> C, one C after 2 sec', EVERY_B_OR_NOT_A_C, e2e3, [2100, S3('WSO2'), 100], [[null, 'WSO2'], [null, 'WSO2']]],
  [
    '61: every (B and not A for 1 sec) -> C',
    EVERY_B_AND_NOT_A_C,
    e2e3,
    [S1('ORACLE'), 100, S2('MICROSOFT', 45), 100, S3('IBM', 55), 2000, S2('WSO2', 45), 100, S3('GOOGLE', 55), 100],
    [['MICROSOFT', 'GOOGLE'], ['WSO2', 'GOOGLE']],
  ],
  ['62: every (B and not A for 1 sec) -> C, C C B C', EVERY_B_AND_NOT_A_C, e2e3, [1200, S3('WSO2'), 1200, S3('IBM', 55), 100, S2('ORACLE', 65), 100, S3('GOOGLE', 75), 100], [['ORACLE', 'GOOGLE']]],
  ['63: every (B and not A for 1 sec) -> C, C only', EVERY_B_AND_NOT_A_C, e2e3, [1100, S3('WSO2'), 100], []],
  [
    '64: not A for 1 sec -> not B and C -> D',
    'not Stream1[price>10] for 1 sec -> not Stream2[price>20] and e3=Stream3[price>30] -> e4=Stream4[price>40]',
    'e3.symbol as symbol3, e4.symbol as symbol4',
    [1100, S3(), 100, ['Stream4', ev('ORACLE', 45)], 100],
    [['GOOGLE', 'ORACLE']],
  ],
  ['65: A and not B -> C', 'e1=Stream1[price>10] and not Stream2[price>20] -> e3=Stream3[price>30]', e1e3, [S1('IBM'), 100, S3(), 100], [['IBM', 'GOOGLE']]],
  ['66: not A and B, B only', 'not Stream1[price>50] and e2=Stream2[price>20]', 'e2.symbol as symbol2', [S2(), 100], [['IBM']]],
  ['67: not A and B on one stream, A first', 'not Stream1[price==50.0f] and e2=Stream1[price==20.0f]', 'e2.symbol as symbol2', [S1('WSO2', 50), 100, S1('IBM', 20), 100], []],
];

describe("Siddhi's logical absent patterns on the event clock", () => {
  test.each(cases)('%s', (_name, from, select, steps, expected) => {
    // Prepare
    const app = q(from, select);
    // Act (straight, and with a snapshot and restore before every step)
    const rows = outputs(app, steps);
    // Assess
    expect(rows).toEqual(expected);
  });
});

test('68: per partition key, A -> not B for 1 sec and not B for 1 sec', () => {
  // Prepare
  const app = `define stream Stream1 (symbol string, price float, volume int);
    partition with (symbol of Stream1) begin
      from e1=Stream1[price==10.0f] -> not Stream1[symbol == e1.symbol and price==20.0f] for 1 sec
        and not Stream1[symbol == e1.symbol and price==20.0f] for 1 sec
      select e1.symbol as symbol insert into OutputStream;
    end;`;
  // Act
  const rows = outputs(app, [['Stream1', ev('WSO2', 10, 20)], ['Stream1', ev('IBM', 10, 21)], 500, ['Stream1', ev('IBM', 20, 15)], 600]);
  // Assess
  expect(rows).toEqual([['WSO2']]);
});
