import type { Value } from '../../../core';
import { ev, outputs, type Step } from './harness';

// Scenarios of Siddhi's SequenceTestCase. Expected rows are Siddhi's.

const TWO = 'define stream Stream1 (symbol string, price float, volume int); define stream Stream2 (symbol string, price float, volume int);';
const STOCK_TWITTER = 'define stream StockStream (symbol string, price float, volume int); define stream TwitterStream (symbol string, count int);';
const STOCK12 = 'define stream StockStream1 (symbol string, price float, volume int); define stream StockStream2 (symbol string, price float, volume int);';
const q = (streams: string, from: string, select: string) => `${streams} @info(name='query1') from ${from} select ${select} insert into OutputStream;`;
const S = (n: number | string, symbol: string, price: number, volume = 100): Step => [typeof n === 'number' ? `Stream${n}` : n, ev(symbol, price, volume)];

type Case = [string, string, Step[], Value[][]];

const STOCK_STEPS: Step[] = [
  S('StockStream1', 'IBM', 75.6, 105),
  100,
  S('StockStream2', 'GOOG', 21, 81),
  S('StockStream2', 'WSO2', 176.6, 65),
  S('StockStream1', 'BIRT', 21, 81),
  S('StockStream1', 'AMBA', 126.6, 165),
  S('StockStream2', 'DDD', 23, 181),
  S('StockStream2', 'BIRT', 21, 86),
  S('StockStream2', 'BIRT', 21, 82),
  S('StockStream2', 'WSO2', 176.6, 60),
  S('StockStream1', 'AMBA', 126.6, 165),
  S('StockStream2', 'DOX', 16.2, 25),
  100,
];

const RISING =
  'every e1=Stream1[price>20], e2=Stream1[(e2[last].price is null and price>=e1.price) or ((not (e2[last].price is null)) and price>=e2[last].price)]+, e3=Stream1[price<e2[last].price]';

const cases: Case[] = [
  ['1: A, B', q(TWO, 'e1=Stream1[price>20],e2=Stream2[price>e1.price]', 'e1.symbol as symbol1, e2.symbol as symbol2'), [S(1, 'WSO2', 55.6), 100, S(2, 'IBM', 55.7), 100], [['WSO2', 'IBM']]],
  ['2: every A, B: only the latest A', q(TWO, 'every e1=Stream1[price>20], e2=Stream2[price>e1.price]', 'e1.symbol as symbol1, e2.symbol as symbol2'), [S(1, 'WSO2', 55.6), 100, S(1, 'GOOG', 57.6), 100, S(2, 'IBM', 65.7), 100], [['GOOG', 'IBM']]],
  [
    '3: every A, B* at the end completes at once',
    q(TWO, 'every e1=Stream1[price>20], e2=Stream2[price>e1.price]*', 'e1.symbol as symbol1, e2[0].symbol as symbol2, e2[1].symbol as symbol3'),
    [S(1, 'WSO2', 55.6), 100, S(1, 'IBM', 55.7), 100],
    [['WSO2', null, null], ['IBM', null, null]],
  ],
  [
    '4: every A*, B',
    q(TWO, 'every e1=Stream2[price>20]*, e2=Stream1[price>e1[0].price]', 'e1[0].price as price1, e1[1].price as price2, e2.price as price3'),
    [S(1, 'WSO2', 59.6), 100, S(2, 'WSO2', 55.6), 100, S(2, 'IBM', 55.7), 100, S(1, 'WSO2', 57.6), 100],
    [[55.6, 55.7, 57.6]],
  ],
  [
    '5: every A*, B, a lower second A',
    q(TWO, 'every e1=Stream2[price>20]*, e2=Stream1[price>e1[0].price]', 'e1[0].price as price1, e1[1].price as price2, e2.price as price3'),
    [S(1, 'WSO2', 59.6), 100, S(2, 'WSO2', 55.6), 100, S(2, 'IBM', 55.0), 100, S(1, 'WSO2', 57.6), 100],
    [[55.6, 55.0, 57.6]],
  ],
  [
    '6: every A?, B',
    q(TWO, 'every e1=Stream2[price>20]?, e2=Stream1[price>e1[0].price]', 'e1[0].price as price1, e2.price as price3'),
    [S(1, 'WSO2', 59.6), 100, S(2, 'WSO2', 55.6), 100, S(2, 'IBM', 55.7), 100, S(1, 'WSO2', 57.6), 100],
    [[55.7, 57.6]],
  ],
  [
    '7: every A, B or C on one stream',
    q(TWO, "every e1=Stream2[price>20], e2=Stream2[price>e1.price] or e3=Stream2[symbol=='IBM']", 'e1.price as price1, e2.price as price2, e3.price as price3'),
    [S(2, 'WSO2', 59.6), 100, S(2, 'WSO2', 55.6), 100, S(2, 'IBM', 55.7), 100, S(2, 'WSO2', 57.6), 100],
    [[55.6, 55.7, null], [55.7, 57.6, null]],
  ],
  [
    '8: every A, B or C on one stream, the or side',
    q(TWO, "every e1=Stream2[price>20], e2=Stream2[price>e1.price] or e3=Stream2[symbol=='IBM']", 'e1.price as price1, e2.price as price2, e3.price as price3'),
    [S(2, 'WSO2', 59.6), 100, S(2, 'WSO2', 55.6), 100, S(2, 'IBM', 55.0), 100, S(2, 'WSO2', 57.6), 100],
    [[55.6, null, 55.0], [55.0, 57.6, null]],
  ],
  [
    '9: every A, B or C on one stream, both orders',
    q(TWO, "every e1=Stream2[price>20], e2=Stream2[price>e1.price] or e3=Stream2[symbol=='IBM']", 'e1.price as price1, e2.price as price2, e3.price as price3'),
    [S(2, 'WSO2', 59.6), 100, S(2, 'WSO2', 55.6), 100, S(2, 'WSO2', 57.6), 100, S(2, 'IBM', 55.7), 100],
    [[55.6, 57.6, null], [57.6, null, 55.7]],
  ],
  [
    '10: every A+, B',
    q(TWO, 'every e1=Stream2[price>20]+, e2=Stream1[price>e1[0].price]', 'e1[0].price as price1, e1[1].price as price2, e2.price as price3'),
    [S(1, 'WSO2', 59.6), 100, S(2, 'WSO2', 55.6), 100, S(1, 'WSO2', 57.6), 100],
    [[55.6, null, 57.6]],
  ],
  ['11: a rising run: e2[last] in its own filter is the event before', q(TWO, RISING, 'e1.price as price1, e2[0].price as price2, e2[1].price as price3, e3.price as price4'), [S(1, 'WSO2', 29.6), 100, S(1, 'WSO2', 35.6), 100, S(1, 'WSO2', 57.6), 100, S(1, 'IBM', 47.6), 100], [[29.6, 35.6, 57.6, 47.6]]],
  [
    '12: every A, B across two streams',
    q(STOCK_TWITTER, 'every e1=StockStream[ price >= 50 and volume > 100 ], e2=TwitterStream[count > 10]', 'e1.price as price, e1.symbol as symbol, e2.count as count'),
    [S('StockStream', 'IBM', 75.6, 105), S('StockStream', 'GOOG', 51, 101), S('StockStream', 'IBM', 76.6, 111), 100, ['TwitterStream', ['IBM', 20]], S('StockStream', 'WSO2', 45.6, 100), 100, ['TwitterStream', ['GOOG', 20]], 100],
    [[76.6, 'IBM', 20]],
  ],
  [
    '13: every A, B*, C on one stream',
    q(STOCK_TWITTER, 'every e1=StockStream[ price >= 50 and volume > 100 ], e2=StockStream[price <= 40]*, e3=StockStream[volume <= 70]', 'e1.symbol as symbol1, e2[0].symbol as symbol2, e3.symbol as symbol3'),
    [S('StockStream', 'IBM', 75.6, 105), 100, S('StockStream', 'GOOG', 21, 81), S('StockStream', 'WSO2', 176.6, 65), 100],
    [['IBM', 'GOOG', 'WSO2']],
  ],
  [
    '14: every A, B*, C across two streams',
    q(STOCK12, 'every e1=StockStream1[ price >= 50 and volume > 100 ], e2=StockStream2[price <= 40]*, e3=StockStream2[volume <= 70]', 'e3.symbol as symbol1, e2[0].symbol as symbol2, e3.volume as volume'),
    STOCK_STEPS,
    [['WSO2', 'GOOG', 65], ['WSO2', 'DDD', 60], ['DOX', null, 25]],
  ],
  [
    '15: B* filtered on A',
    q(STOCK12, "every e1=StockStream1[ price >= 50 and volume > 100 ], e2=StockStream2[e1.symbol != 'AMBA']*, e3=StockStream2[volume <= 70]", 'e3.symbol as symbol1, e2[0].symbol as symbol2, e3.volume as volume'),
    STOCK_STEPS,
    [['WSO2', 'GOOG', 65], ['DOX', null, 25]],
  ],
  [
    '16: every A (no filter), B* filtered on A',
    q(STOCK12, "every e1=StockStream1, e2=StockStream2[e1.symbol != 'AMBA']*, e3=StockStream2[volume <= 70]", 'e3.symbol as symbol1, e2[0].symbol as symbol2, e3.volume as volume'),
    STOCK_STEPS,
    [['WSO2', 'GOOG', 65], ['DOX', null, 25]],
  ],
];

describe("Siddhi's sequences", () => {
  test.each(cases)('%s', (_name, app, steps, expected) => {
    // Act (straight, and with a snapshot and restore before every step)
    const rows = outputs(app, steps);
    // Assess
    expect(rows).toEqual(expected);
  });
});
