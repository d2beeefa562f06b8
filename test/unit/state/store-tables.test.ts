/**
 * `@store(type='dynamodb'|'firestore')` tables (DESIGN.md section 4): one store item per row,
 * keyed by the primary key, written in the invocation's commit, loaded only as far as a batch
 * needs. The judge is the same app without `@store`: whatever the batching, a stored table must
 * answer exactly like a table held in the app's state.
 */
import fc from 'fast-check';
import { batches } from '../../helpers/batches';
import { judge, loadCases, runCase } from '../../helpers/conformance-cases';
import { CompileError, compileApp, jsonText, MemoryStateStore, runInvocation, type InputRecord, type Logger } from '../../../core';

const UNIT = 'app/Stock/global';

const body = `
  define stream Put (k string, v int);
  define stream Ins (k string, v int);
  define stream Del (k string);
  define stream Bump (k string, d int);
  define stream Get (k string);
  define stream Has (k string);
  define stream Above (min int);
  from Put select k, v update or insert into T on T.k == k;
  from Ins select k, v insert into T;
  from Del delete T on T.k == k;
  from Bump update T set T.v = T.v + d on T.k == k;
  from Get join T on Get.k == T.k select Get.k, T.v insert into Got;
  from Get left outer join T on Get.k == T.k select Get.k, T.v as v insert into GotOrNull;
  from Has[(T.k == k) in T] select k insert into Present;
  from Above join T on T.v > Above.min select T.k, T.v insert into Over;
`;
const plainApp = `@app:name('Stock') @PrimaryKey('k') define table T (k string, v int);${body}`;
const storedApp = `@app:name('Stock') @store(type='dynamodb', table.name='StockRows') @PrimaryKey('k') define table T (k string, v int);${body}`;
const OUTPUTS = new Set(['Got', 'GotOrNull', 'Present', 'Over']);

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };
}

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const op: fc.Arbitrary<{ stream: string; data: unknown[] }> = fc.oneof(
  fc.tuple(key, fc.integer({ min: -5, max: 20 })).map(([k, v]) => ({ stream: 'Put', data: [k, v] })),
  fc.tuple(key, fc.integer({ min: -5, max: 20 })).map(([k, v]) => ({ stream: 'Ins', data: [k, v] })),
  key.map(k => ({ stream: 'Del', data: [k] })),
  fc.tuple(key, fc.integer({ min: 1, max: 3 })).map(([k, d]) => ({ stream: 'Bump', data: [k, d] })),
  key.map(k => ({ stream: 'Get', data: [k] })),
  key.map(k => ({ stream: 'Has', data: [k] })),
  fc.integer({ min: 0, max: 15 }).map(min => ({ stream: 'Above', data: [min] })),
);

describe('@store tables', () => {
  test('answer exactly like a table in the app state, whatever the batching', async () => {
    const plain = compileApp(plainApp);
    const stored = compileApp(storedApp);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), async (ops, cuts) => {
        const records: InputRecord[] = ops.map((o, i) => ({ stream: o.stream, time: 1000 + i, data: o.data as InputRecord['data'] }));
        // The reference: one invocation, the table in the global unit.
        const refStore = new MemoryStateStore();
        const refLog = recordingLogger();
        const ref = await runInvocation({ plan: plain, store: refStore, unitKey: UNIT, records, outputStreams: OUTPUTS, logger: refLog, queries: ['from T select k, v order by k'] });
        // Under test: the rows as store items, the input in batches, each a separate invocation.
        const store = new MemoryStateStore();
        const log = recordingLogger();
        const outputs: unknown[] = [];
        for (const batch of batches(records, cuts)) {
          const r = await runInvocation({ plan: stored, store, unitKey: UNIT, records: batch, outputStreams: OUTPUTS, logger: log });
          outputs.push(...r.outputs.map(o => [o.stream, o.event.timestamp, o.event.data]));
        }
        const after = await runInvocation({ plan: stored, store, unitKey: UNIT, records: [], outputStreams: OUTPUTS, queries: ['from T select k, v order by k'] });
        // A scan meets a stored table's rows in the store's order (as with Siddhi's store
        // extensions): the outputs of one record are compared as a set.
        const canonical = (xs: unknown[]) =>
          (xs as [string, number, unknown][]).map(x => [x[1], JSON.stringify(x)] as const).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
        expect(canonical(outputs)).toEqual(canonical(ref.outputs.map(o => [o.stream, o.event.timestamp, o.event.data])));
        expect(after.queryResults[0].records).toEqual(ref.queryResults[0].records);
        // The rows are items of their own, not in the global unit; the same errors were logged once.
        const items = await store.loadRows('StockRows', null);
        expect([...items.values()].map(r => [r.k, r.v]).sort()).toEqual(ref.queryResults[0].records);
        expect(JSON.stringify((await store.load([UNIT])).get(UNIT)?.value)).not.toMatch(/"k":/);
        expect(log.lines).toEqual(refLog.lines);
      }),
      { numRuns: 150 },
    );
  });

  test('a batch reads only the rows its look-ups need, and writes only the rows it changed', async () => {
    // Prepare: 100 rows.
    const plan = compileApp(storedApp);
    const store = new MemoryStateStore();
    const put: InputRecord[] = Array.from({ length: 100 }, (_, i) => ({ stream: 'Put', time: 1 + i, data: [`k${i}`, i] }));
    await runInvocation({ plan, store, unitKey: UNIT, records: put, outputStreams: OUTPUTS });
    expect((await store.loadRows('StockRows', null)).size).toBe(100);
    const before = { ...store.stats };
    // Act: three look-ups and one update by primary key.
    const r = await runInvocation({
      plan,
      store,
      unitKey: UNIT,
      outputStreams: OUTPUTS,
      records: [
        { stream: 'Get', time: 200, data: ['k5'] },
        { stream: 'Get', time: 201, data: ['k7'] },
        { stream: 'Get', time: 202, data: ['nope'] },
        { stream: 'Bump', time: 203, data: ['k5', 1] },
        { stream: 'Get', time: 204, data: ['k5'] },
      ],
    });
    // Assess: three keys read (k5, k7 and the missing one), one row written.
    expect(r.outputs.filter(o => o.stream === 'Got').map(o => o.event.data)).toEqual([['k5', 5], ['k7', 7], ['k5', 6]]);
    expect(store.stats.rowsRead! - before.rowsRead!).toBe(2);
    expect(store.stats.rowsWritten! - before.rowsWritten!).toBe(1);
    expect((await store.loadRows('StockRows', ['["k5"]'])).get('["k5"]')).toEqual({ k: 'k5', v: 6 });
  });

  test('a condition that is not a primary-key look-up reads every row, once', async () => {
    const plan = compileApp(storedApp);
    const store = new MemoryStateStore();
    await runInvocation({ plan, store, unitKey: UNIT, outputStreams: OUTPUTS, records: [1, 2, 3].map(i => ({ stream: 'Put', time: i, data: [`k${i}`, i * 10] })) });
    const before = store.stats.rowsRead!;
    const r = await runInvocation({ plan, store, unitKey: UNIT, outputStreams: OUTPUTS, records: [{ stream: 'Above', time: 10, data: [15] }, { stream: 'Above', time: 11, data: [25] }] });
    expect(r.outputs.map(o => o.event.data)).toEqual([['k2', 20], ['k3', 30], ['k3', 30]]);
    expect(store.stats.rowsRead! - before).toBe(3);
  });

  test('a row deleted by the app is deleted in the store', async () => {
    const plan = compileApp(storedApp);
    const store = new MemoryStateStore();
    await runInvocation({ plan, store, unitKey: UNIT, outputStreams: OUTPUTS, records: [{ stream: 'Put', time: 1, data: ['a', 1] }, { stream: 'Put', time: 2, data: ['b', 2] }] });
    await runInvocation({ plan, store, unitKey: UNIT, outputStreams: OUTPUTS, records: [{ stream: 'Del', time: 3, data: ['a'] }] });
    expect([...(await store.loadRows('StockRows', null)).keys()]).toEqual(['["b"]']);
  });

  test('composite primary keys key the items by every key attribute', async () => {
    const plan = compileApp(`@store(type='firestore') @PrimaryKey('a', 'b') define table Pairs (a string, b long, n int);
      define stream S (a string, b long, n int);
      from S select a, b, n update or insert into Pairs on Pairs.a == a and Pairs.b == b;`);
    const store = new MemoryStateStore();
    await runInvocation({ plan, store, unitKey: UNIT, outputStreams: new Set(), records: [{ stream: 'S', time: 1, data: ['x', 1, 1] }, { stream: 'S', time: 2, data: ['x', 2, 2] }, { stream: 'S', time: 3, data: ['x', 1, 3] }] });
    expect(new Map([...(await store.loadRows('Pairs', null))].sort())).toEqual(
      new Map([
        ['["x",1]', { a: 'x', b: 1, n: 3 }],
        ['["x",2]', { a: 'x', b: 2, n: 2 }],
      ]),
    );
  });

  describe('the planner', () => {
    const errorOf = (app: string) => {
      try {
        compileApp(app);
      } catch (e) {
        if (e instanceof CompileError) return e.format('app.siddhi');
        throw e;
      }
      throw new Error('expected a compile error');
    };

    test('needs a @PrimaryKey', () => {
      expect(errorOf(`@store(type='dynamodb') define table Stock (k string);`)).toMatch(/app\.siddhi:1:\d+: table 'Stock' has @store\(type='dynamodb'\) and needs a @PrimaryKey/);
    });

    test('takes dynamodb and firestore only, and names the others', () => {
      expect(errorOf(`@store(type='rdbms', jdbc.url='x') @PrimaryKey('k') define table T (k string);`)).toMatch(
        /app.siddhi:1:1: @store\(type='rdbms'\) is not available: Millrace keeps table rows in 'dynamodb' or 'firestore'[\s\S]*app.siddhi:1:22: @store option 'jdbc.url' is not known/,
      );
      expect(errorOf(`@store(table.name='X') @PrimaryKey('k') define table T (k string);`)).toMatch(/needs a type: 'dynamodb' or 'firestore'/);
    });

    test('checks the table name against both backends', () => {
      expect(errorOf(`@store(type='dynamodb', table.name='a/b') @PrimaryKey('k') define table T (k string);`)).toMatch(/table.name 'a\/b' cannot name both[^\n]*_ \. -\n/);
      expect(errorOf(`@store(type='dynamodb') @PrimaryKey('k') define table T (k string);`)).toMatch(/table.name 'T' \(the table's name, by default\) cannot name both.*or give @store a table.name='...'/);
    });

    test('takes @store on an aggregation the same way', () => {
      const agg = (store: string) => `define stream S (k string, v long); ${store} define aggregation Agg from S select k, sum(v) as t group by k aggregate every sec ... min;`;
      expect(compileApp(agg(`@store(type='firestore', table.name='AggItems')`)).aggregations[0].store).toEqual({ type: 'firestore', table: 'AggItems' });
      expect(errorOf(agg(`@store(type='redis')`))).toMatch(/@store\(type='redis'\) is not available: Millrace keeps aggregation rows in 'dynamodb' or 'firestore'/);
    });

    test('records the store in the plan; table.name defaults to the table', () => {
      expect(compileApp(`@store(type='DynamoDB') @PrimaryKey('k') define table Stock (k string);`).tables[0].store).toEqual({ type: 'dynamodb', table: 'Stock' });
    });
  });
});

describe('@store aggregations: one item per (duration, bucket, group)', () => {
  const withStore = (app: string) => app.replace(/define\s+aggregation/i, "@store(type='dynamodb', table.name='AggRows') define aggregation");
  const aggregationCases = loadCases().filter(c => c.category === 'aggregation' && !c.error);

  test.each(aggregationCases.map(c => [c.name, c] as const))('%s passes with its buckets as store items, in any batching', async (_, c) => {
    expect(withStore(c.app)).toContain('@store');
    for (const batchSize of [1, 3]) {
      const store = new MemoryStateStore();
      const run = await runCase({ ...c, app: withStore(c.app) }, 'invocation per line', store, batchSize);
      expect(judge(c, run)).toBeNull();
      // The buckets are items of their own, and the global unit holds none of them.
      const items = await store.loadRows('AggRows', null);
      if (c.input.some(r => r.stream)) expect(items.size).toBeGreaterThan(0);
      for (const [key, row] of items) {
        expect(JSON.parse(key).slice(0, 2)).toEqual([row.duration, row.start]);
      }
    }
  });

  test('answers like buckets in the app state, purges included, whatever the batching', async () => {
    const body = `define stream Trade (sym string, price double, vol long, ts long);
      define stream Ask (sym string, per string);
      AGG define aggregation TradeAgg from Trade
        select sym, sum(vol) as total, avg(price) as avgPrice, count() as n, max(price) as hi, distinctCount(price) as dp
        group by sym aggregate by ts every sec ... hour;
      from Ask join TradeAgg on Ask.sym == TradeAgg.sym within 0L, 9999999999999L per Ask.per
        select Ask.per, TradeAgg.AGG_TIMESTAMP as at, TradeAgg.sym, TradeAgg.total, TradeAgg.avgPrice, TradeAgg.n, TradeAgg.hi, TradeAgg.dp insert into Seen;`;
    const purge = "@purge(enable='true', interval='5 sec', @retentionPeriod(sec='120 sec', min='2 hours', hour='25 hours'))";
    const plain = compileApp(body.replace('AGG', purge));
    const stored = compileApp(body.replace('AGG', `${purge} @store(type='firestore', table.name='TradeAggRows')`));
    const T0 = 1_700_000_000_000;
    const ev = fc.oneof(
      fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 400 })).map(([sym, p, vol, dt]) => ({ stream: 'Trade', data: [sym, p, vol, dt * 1000] })),
      fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom('seconds', 'minutes', 'hours')).map(([sym, per]) => ({ stream: 'Ask', data: [sym, per] })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(ev, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), async (evs, cuts) => {
        // Event times move forward (purges follow them); trade times wander within minutes.
        const records: InputRecord[] = evs.map((e, i) => ({
          stream: e.stream,
          time: T0 + i * 10_000,
          data: (e.stream === 'Trade' ? [e.data[0], e.data[1], e.data[2], T0 + i * 10_000 - (e.data[3] as number)] : e.data) as InputRecord['data'],
        }));
        const outputs = new Set(['Seen']);
        const ref = await runInvocation({ plan: plain, store: new MemoryStateStore(), unitKey: UNIT, records, outputStreams: outputs });
        const store = new MemoryStateStore();
        const got: string[] = [];
        for (const b of batches(records, cuts))
          for (const o of (await runInvocation({ plan: stored, store, unitKey: UNIT, records: b, outputStreams: outputs })).outputs) got.push(jsonText([o.event.timestamp, o.event.data]));
        expect(got).toEqual(ref.outputs.map(o => jsonText([o.event.timestamp, o.event.data])));
      }),
      { numRuns: 120 },
    );
  });
});
