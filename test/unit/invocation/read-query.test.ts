/**
 * runReadQuery: the Store API's read path. It answers from the committed state, writes nothing,
 * and loads only what the query reaches (a `@store` table's items, without the global unit).
 */
import { compileApp, MemoryStateStore, runInvocation, runReadQuery, appUnitKey, CompileError, EngineUsageError } from '../../../core';

const app = `@app:name('Shop')
  define stream In (sku string, qty int);
  @store(type='dynamodb', table.name='Stock') @PrimaryKey('sku') define table Stock (sku string, qty int);
  define table Plain (sku string, qty int);
  define aggregation Totals from In select sku, sum(qty) as total group by sku aggregate every sec ... min;
  from In select sku, qty insert into Stock;
  from In select sku, qty insert into Plain;`;

async function filled() {
  const plan = compileApp(app);
  const store = new MemoryStateStore();
  const data: [string, number][] = [['a', 3], ['b', 5], ['a', 4]];
  await runInvocation({ plan, store, outputStreams: new Set(), records: data.map((d, i) => ({ stream: 'In', time: 1000 + i, data: d })) });
  return { plan, store };
}

describe('runReadQuery', () => {
  test('a @store table is read from its items alone, with details, and nothing is written', async () => {
    // Prepare
    const { plan, store } = await filled();
    const before = (await store.load([appUnitKey('Shop')])).get(appUnitKey('Shop'))!.version;
    const loads = store.stats.unitsRead;
    // Act
    const r = await runReadQuery({ plan, store, query: 'from Stock select sku, qty order by sku' });
    // Assess
    expect(r.records).toEqual([['a', 3], ['b', 5]]); // insert keeps the first row of a key
    expect(r.details).toEqual([{ name: 'sku', dataType: 'STRING' }, { name: 'qty', dataType: 'INT' }]);
    expect(r.globalUnitRead).toBe(false);
    expect(store.stats.unitsRead).toBe(loads);
    expect((await store.load([appUnitKey('Shop')])).get(appUnitKey('Shop'))!.version).toBe(before);
  });

  test('an in-memory table and an aggregation are read through the global unit and their units', async () => {
    const { plan, store } = await filled();
    const plain = await runReadQuery({ plan, store, query: 'from Plain on qty > 3 select sku, qty order by qty' });
    expect(plain.records).toEqual([['a', 4], ['b', 5]]);
    expect(plain.globalUnitRead).toBe(true);
    const agg = await runReadQuery({ plan, store, query: "from Totals within 0L, 100000L per 'seconds' select sku, total order by sku" });
    expect(agg.records).toEqual([['a', 7], ['b', 5]]);
    expect(agg.unitsRead).toBeGreaterThan(0);
  });

  test('a query that writes is refused, one that does not compile says where', async () => {
    const { plan, store } = await filled();
    await expect(runReadQuery({ plan, store, query: "select 'c' as sku, 1 as qty insert into Stock" })).rejects.toThrow(EngineUsageError);
    await expect(runReadQuery({ plan, store, query: 'from Nope select *' })).rejects.toThrow(CompileError);
  });
});
