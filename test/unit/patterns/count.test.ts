import { compileApp, type Value } from '../../../core';
import { ev, outputs, play, type Step } from './harness';

// Scenarios of Siddhi's CountPatternTestCase (counted elements `<n:m>`, indexes, lists, restarts).
// Expected rows are Siddhi's.

const TWO = 'define stream Stream1 (symbol string, price float, volume int); define stream Stream2 (symbol string, price float, volume int);';
const EVENTS = 'define stream EventStream (symbol string, price float, volume int);';
const q = (streams: string, from: string, select: string, out = 'OutputStream') => `${streams} @info(name='query1') from ${from} select ${select} insert into ${out};`;
const S = (n: number | string, symbol: string, price: number, volume = 100): Step => [typeof n === 'number' ? `Stream${n}` : n, ev(symbol, price, volume)];
const E = (symbol: string, price: number, volume: number): Step => ['EventStream', ev(symbol, price, volume)];

type Case = [string, string, Step[], Value[][], string?];

const A25_B = 'e1=Stream1[price>20] <2:5> -> e2=Stream2[price>20]';
const SEL4 = 'e1[0].price as price1_0, e1[1].price as price1_1, e1[2].price as price1_2, e1[3].price as price1_3, e2.price as price2';
const E1_E2_E3 = (count: string) => `e1 = EventStream [price >= 50 and volume > 100] -> e2 = EventStream [price <= 40] ${count} -> e3 = EventStream [volume <= 70]`;

const cases: Case[] = [
  ['1: A<2:5> -> B', q(TWO, A25_B, SEL4), [S(1, 'WSO2', 25.6), 100, S(1, 'GOOG', 47.6), 100, S(1, 'GOOG', 13.7), 100, S(1, 'GOOG', 47.8), 100, S(2, 'IBM', 45.7), 100, S(2, 'IBM', 55.7), 100], [[25.6, 47.6, 47.8, null, 45.7]]],
  ['2: A<2:5> -> B, B between As', q(TWO, A25_B, SEL4), [S(1, 'WSO2', 25.6), 100, S(1, 'GOOG', 47.6), 100, S(1, 'GOOG', 13.7), 100, S(2, 'IBM', 45.7), 100, S(1, 'GOOG', 47.8), 100, S(2, 'IBM', 55.7), 100], [[25.6, 47.6, null, null, 45.7]]],
  ['3: A<2:5> -> B, B too early', q(TWO, A25_B, SEL4), [S(1, 'WSO2', 25.6), 100, S(2, 'IBM', 45.7), 100, S(1, 'GOOG', 47.8), 100, S(2, 'IBM', 55.7), 100], [[25.6, 47.8, null, null, 55.7]]],
  ['4: A<2:5> -> B, one A', q(TWO, A25_B, SEL4), [S(1, 'WSO2', 25.6), 100, S(2, 'IBM', 45.7), 100], []],
  [
    '5: A<2:5> -> B, at most five',
    q(TWO, A25_B, SEL4),
    [S(1, 'WSO2', 25.6), 100, S(1, 'GOOG', 47.6), 100, S(1, 'GOOG', 23.7), 100, S(1, 'GOOG', 24.7), 100, S(1, 'GOOG', 25.7), 100, S(1, 'WSO2', 27.6), 100, S(2, 'IBM', 45.7), 100, S(1, 'GOOG', 47.8), 100, S(2, 'IBM', 55.7), 100],
    [[25.6, 47.6, 23.7, 24.7, 45.7]],
  ],
  ['6: B filtered on e1[1]', q(TWO, 'e1=Stream1[price>20] <2:5> -> e2=Stream2[price>e1[1].price]', 'e1[0].price as price1_0, e1[1].price as price1_1, e2.price as price2'), [S(1, 'WSO2', 25.6), 100, S(1, 'GOOG', 47.6), 100, S(2, 'IBM', 45.7), 100, S(2, 'IBM', 55.7), 100], [[25.6, 47.6, 55.7]]],
  ['7: A<0:5> -> B, no A', q(TWO, 'e1=Stream1[price>20] <0:5> -> e2=Stream2[price>20]', 'e1[0].price as price1_0, e1[1].price as price1_1, e2.price as price2'), [S(2, 'IBM', 45.7), 100], [[null, null, 45.7]]],
  ['8: A<0:5> -> B on e1[0]', q(TWO, 'e1=Stream1[price>20] <0:5> -> e2=Stream2[price>e1[0].price]', 'e1[0].price as price1_0, e1[1].price as price1_1, e2.price as price2'), [S(1, 'WSO2', 25.6), 100, S(1, 'GOOG', 7.6), 100, S(2, 'IBM', 45.7), 100], [[25.6, null, 45.7]]],
  ['9: A -> B<0:5> -> C on one stream', q(EVENTS, E1_E2_E3('<0:5>'), 'e1.symbol as symbol1, e2[0].symbol as symbol2, e3.symbol as symbol3', 'StockQuote'), [E('IBM', 75.6, 105), 100, E('GOOG', 21, 81), E('WSO2', 176.6, 65), 100], [['IBM', 'GOOG', 'WSO2']], 'StockQuote'],
  ['10: A -> B<:5> -> C, C right away', q(EVENTS, E1_E2_E3('<:5>'), 'e1.symbol as symbol1, e2[0].symbol as symbol2, e3.symbol as symbol3', 'StockQuote'), [E('IBM', 75.6, 105), 100, E('GOOG', 21, 61), E('WSO2', 21, 61), 100], [['IBM', null, 'GOOG']], 'StockQuote'],
  ['11: A -> B<:5> -> C, e2[last] of none', q(EVENTS, E1_E2_E3('<:5>'), 'e1.symbol as symbol1, e2[last].symbol as symbol2, e3.symbol as symbol3', 'StockQuote'), [E('IBM', 75.6, 105), 100, E('GOOG', 21, 61), E('WSO2', 21, 61), 100], [['IBM', null, 'GOOG']], 'StockQuote'],
  ['12: A -> B<:5> -> C, e2[last]', q(EVENTS, E1_E2_E3('<:5>'), 'e1.symbol as symbol1, e2[last].symbol as symbol2, e3.symbol as symbol3', 'StockQuote'), [E('IBM', 75.6, 105), 100, E('GOOG', 21, 91), E('FB', 21, 81), E('WSO2', 21, 61), 100], [['IBM', 'FB', 'WSO2']], 'StockQuote'],
  [
    '13: every A -> B<4:6> of the same symbol',
    q(EVENTS, 'every e1 = EventStream -> e2 = EventStream [e1.symbol==e2.symbol]<4:6>', 'e1.volume as volume1, e2[0].volume as volume2, e2[1].volume as volume3, e2[2].volume as volume4, e2[3].volume as volume5, e2[4].volume as volume6, e2[5].volume as volume7', 'StockQuote'),
    [
      E('IBM', 75.6, 100),
      E('IBM', 75.6, 200),
      E('IBM', 75.6, 300),
      E('GOOG', 21, 91),
      E('IBM', 75.6, 400),
      E('IBM', 75.6, 500),
      E('GOOG', 21, 91),
      E('IBM', 75.6, 600),
      E('IBM', 75.6, 700),
      E('IBM', 75.6, 800),
      E('GOOG', 21, 91),
      E('IBM', 75.6, 900),
      100,
    ],
    [
      [100, 200, 300, 400, 500, null, null],
      [200, 300, 400, 500, 600, null, null],
      [300, 400, 500, 600, 700, null, null],
      [400, 500, 600, 700, 800, null, null],
      [500, 600, 700, 800, 900, null, null],
    ],
    'StockQuote',
  ],
  [
    '14: having on indexes and output names',
    q(TWO, 'e1=Stream1[price>20] <0:5> -> e2=Stream2[price>e1[0].price]', 'e1[0].price as price1_0, e1[1].price as price1_1, e1[2].price as price1_2, e2.price as price2 having instanceOfFloat(e1[1].price) and not instanceOfFloat(e1[2].price) and instanceOfFloat(price1_1) and not instanceOfFloat(price1_2)'),
    [S(1, 'WSO2', 25.6), 100, S(1, 'WSO2', 23.6), 100, S(1, 'GOOG', 7.6), 100, S(2, 'IBM', 45.7), 100],
    [[25.6, 23.6, null, 45.7]],
  ],
  [
    '15: every A -> B<2> -> not A and C',
    q(TWO, 'every e1=Stream1[price>20] -> e2=Stream1[price>20]<2> -> not Stream1[price>20] and e3=Stream2', 'e1.price as price1_0, e2[0].price as price2_0, e2[1].price as price2_1, e2[2].price as price2_2, e3.price as price3_0'),
    [S(1, 'WSO2', 25.6), 100, S(1, 'WSO2', 23.6), 100, S(1, 'WSO2', 23.6), 100, S(1, 'GOOG', 27.6), 100, S(1, 'GOOG', 28.6), 100, S(2, 'IBM', 45.7), 100],
    [[23.6, 27.6, 28.6, null, 45.7]],
  ],
  ['21: an unindexed counted reference is the list of its values', q(TWO.replace(/float/g, 'double'), A25_B, 'e1.price as prices, e1[0].price as price0'), [S(1, 'WSO2', 25.6), 100, S(1, 'GOOG', 47.6), 100, S(1, 'GOOG', 13.7), 100, S(1, 'GOOG', 47.8), 100, S(2, 'IBM', 45.7), 100, S(2, 'IBM', 55.7), 100], [[[25.6, 47.6, 47.8], 25.6]]],
];

const names = (n: string[]): Step[] => n.map(x => ['InputStream', [x]] as Step);
const RULE = (from: string) => `define stream InputStream (name string); @info(name='query1') from ${from} within 3 seconds select 'rule1' as ruleId, count() as numOfEvents insert into OutputStream;`;

describe("Siddhi's counting patterns", () => {
  // (a rest parameter: jest would take a fifth declared parameter for its `done` callback)
  test.each(cases)('%s', (...args) => {
    const [, app, steps, expected, out] = args as Case;
    // Act (straight, and with a snapshot and restore before every step)
    const rows = outputs(app, steps, out ?? 'OutputStream');
    // Assess
    expect(rows).toEqual(expected);
  });

  test('21: the list has type OBJECT, an indexed one the attribute type', () => {
    const plan = compileApp(q(TWO.replace(/float/g, 'double'), A25_B, 'e1.price as prices, e1[0].price as price0'));
    expect(plan.streams.get('OutputStream')!.attributes).toEqual([
      { name: 'prices', type: 'OBJECT' },
      { name: 'price0', type: 'DOUBLE' },
    ]);
  });

  test('16: every A -> A<2:> -> B within 10 ms, 400 rounds (a list in select, and speed)', () => {
    const app = `define stream Stream1 (id string, symbol string, price float, volume int);
      from every e1=Stream1[symbol=='WSO2'] -> e2=Stream1[symbol=='WSO2']<2:> -> e3=Stream1[symbol=='GOOG'] within 10 milliseconds
      select e1.price as price1, e2.price as price2, e3.price as price3 insert into OutputStream;`;
    const steps: Step[] = [];
    for (let i = 0; i < 400; i++) {
      for (const [s, p] of [['WSO2', 25.6], ['WSO2', 23.6], ['WSO2', 23.6], ['WSO2', 23.6], ['WSO2', 23.6], ['GOOG', 27.6], ['GOOG', 28.6], ['GOOG', 28.6]] as const) steps.push(2, ['Stream1', ['x', s, p, 100]]);
      steps.push(100);
    }
    const started = Date.now();
    expect(play(app, steps)).toHaveLength(400 * 3);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test.each([
    ['17: every A<2> -> B', 'every e1=InputStream[(e1.name == \'A\')]<2> -> e2=InputStream[(e2.name == \'B\')]', ['A', 'A', 'B', 'B', 'A', 'A', 'B', 'B', 'A'], ['A', 'B', 'B', 'A', 'A', 'B', 'B'], 3],
    ['18: every A<2> -> B<2>', 'every e1=InputStream[(e1.name == \'A\')]<2> -> e2=InputStream[(e2.name == \'B\')]<2>', ['A', 'A', 'B', 'B', 'B', 'A', 'A', 'B', 'B', 'A'], ['A', 'B', 'B', 'A', 'A', 'B', 'B'], 3],
    ['19: every A<2> -> B<2:>', 'every e1=InputStream[(e1.name == \'A\')]<2> -> e2=InputStream[(e2.name == \'B\')]<2:>', ['A', 'A', 'B', 'B', 'B', 'B', 'A', 'A', 'B', 'B', 'A'], ['A', 'B', 'B', 'A', 'A', 'B', 'A', 'A', 'B', 'B'], 4],
    ['20: A<2> -> every B<2>, AA not consumed after within', 'e1=InputStream[(e1.name == \'A\')]<2> -> every e2=InputStream[(e2.name == \'B\')]<2>', ['A', 'A', 'B', 'B', 'B', 'B', 'A', 'B'], ['B', 'A', 'A', 'B', 'B'], 2],
  ])('%s', (_name, from, before, after, count) => {
    // Prepare: a quiet 4 seconds between the two bursts
    const steps: Step[] = [...names(before), 4000, ...names(after)];
    // Act
    const rows = outputs(RULE(from), steps);
    // Assess
    expect(rows).toHaveLength(count);
    expect(rows.map(r => r[1])).toEqual(rows.map((_, i) => i + 1));
  });

  describe('login break-ins (every (failure<3:> -> success), per user)', () => {
    const partitioned = (from: string, select = 'e1[0].id as id, e2.user as user', having = '') => `
      define stream LoginFailure (id string, user string, type string);
      define stream LoginSuccess (id string, user string, type string);
      partition with (user of LoginFailure, user of LoginSuccess) begin
        from ${from} select ${select} ${having} insert into BreakIn;
      end;`;
    const f = (id: string, user: string): Step[] => [1, ['LoginFailure', [id, user, 'failure']]];
    const s = (id: string, user: string): Step[] => [1, ['LoginSuccess', [id, user, 'success']]];
    const fs = (user: string, ids: number[]) => ids.flatMap(i => f(`id_${i}`, user));

    test('22', () => {
      const steps: Step[] = [...fs('hans', [1, 2, 3, 4, 5, 6]), ...s('id_7', 'hans'), ...fs('werner', [8, 9, 10, 11, 12, 13, 14, 15]), ...s('id_16', 'werner'), 3000, ...fs('hans', [17, 18, 19, 20, 21, 22]), ...s('id_23', 'hans')];
      expect(outputs(partitioned('every (e1=LoginFailure<3:> -> e2=LoginSuccess)'), steps, 'BreakIn')).toEqual([
        ['id_1', 'hans'],
        ['id_8', 'werner'],
        ['id_17', 'hans'],
      ]);
    });

    test('23: users interleaved', () => {
      const steps: Step[] = [
        ...fs('hans', [1, 2]),
        ...fs('werner', [11, 12, 13]),
        ...fs('hans', [3, 4, 5, 6]),
        ...s('id_7', 'hans'),
        ...fs('werner', [8, 9, 10]),
        ...fs('hans', [19, 20, 21]),
        ...fs('werner', [14, 15]),
        ...s('id_16', 'werner'),
        3000,
        ...fs('hans', [17, 18, 22]),
        ...s('id_23', 'hans'),
      ];
      expect(outputs(partitioned('every (e1=LoginFailure<3:> -> e2=LoginSuccess)'), steps, 'BreakIn')).toEqual([
        ['id_1', 'hans'],
        ['id_11', 'werner'],
        ['id_19', 'hans'],
      ]);
    });

    test('24: not partitioned', () => {
      const app = `define stream LoginFailure (id string, user string, type string);
        define stream LoginSuccess (id string, user string, type string);
        from every (e1=LoginFailure<3:> -> e2=LoginSuccess) select e1[0].id as id, e2.user as user insert into BreakIn;`;
      const steps: Step[] = [
        ...fs('hans', [1, 2, 3, 4, 5, 6]),
        ...s('id_7', 'hans'),
        ...s('id_7_1', 'hans'),
        ...fs('werner', [8, 9, 10, 11, 12, 13, 14, 15]),
        ...s('id_16', 'werner'),
        3000,
        ...fs('hans', [17, 18]),
        ...s('id_18_1', 'hans'),
        ...fs('hans', [19, 20, 21, 22]),
        ...s('id_23', 'hans'),
      ];
      expect(outputs(app, steps, 'BreakIn')).toEqual([
        ['id_1', 'hans'],
        ['id_8', 'werner'],
        ['id_17', 'hans'],
      ]);
    });

    test('25: within 2 sec', () => {
      const steps: Step[] = [...fs('hans', [1, 2, 3, 4, 5, 6]), ...fs('werner', [8, 9, 10, 11, 12, 13, 14, 15]), ...s('id_16', 'werner'), 3000, ...fs('hans', [17, 18, 19, 20, 21, 22]), ...s('id_23', 'hans')];
      expect(outputs(partitioned('every (e1=LoginFailure<3:> -> e2=LoginSuccess) within 2 sec'), steps, 'BreakIn')).toEqual([
        ['id_8', 'werner'],
        ['id_17', 'hans'],
      ]);
    });

    test('26: one stream, @purge, having on a fourth failure', () => {
      const app = `define stream AuthenticationStream (id string, user string, type string);
        @purge(enable='true', interval='1 sec', idle.period='2 sec')
        partition with (user of AuthenticationStream) begin
          from every (e1=AuthenticationStream[type == 'failure' ]<1:> -> e2=AuthenticationStream[type == 'success' ]) within 1 sec
          select e1[0].id as id, e1[0].user as user, e1[3].id as id4 having not(id4 is null) insert into BreakIn;
        end;`;
      const a = (id: string, user: string, type: string): Step[] => [1, ['AuthenticationStream', [id, user, type]]];
      const steps: Step[] = [
        ...[1, 2, 3, 4, 5, 6].flatMap(i => a(`id_${i}`, 'hans', 'failure')),
        ...[8, 9, 10, 11, 12, 13, 14, 15].flatMap(i => a(`id_${i}`, 'werner', 'failure')),
        ...a('id_16', 'werner', 'success'),
        3000,
        ...a('id_7', 'hans', 'success'),
        ...[17, 18, 19, 20, 21, 22].flatMap(i => a(`id_${i}`, 'hans', 'failure')),
        ...a('id_23', 'hans', 'success'),
        ...a('id_21', 'ben', 'failure'),
        ...a('id_22', 'ben', 'failure'),
        ...a('id_23', 'ben', 'success'),
      ];
      expect(outputs(app, steps, 'BreakIn').map(r => r.slice(0, 2))).toEqual([
        ['id_8', 'werner'],
        ['id_17', 'hans'],
      ]);
    });
  });
});
