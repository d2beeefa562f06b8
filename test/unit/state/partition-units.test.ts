import { compileApp, MemoryStateStore, runInvocation, type InputRecord } from '../../../core';

const app = `define stream Sale (shop string, amt int);
  partition with (shop of Sale) begin
    from Sale#window.length(3) select shop, sum(amt) as total insert into Totals;
  end;`;

async function invoke(store: MemoryStateStore, records: InputRecord[], plan = compileApp(app)) {
  const r = await runInvocation({ plan, store, unitKey: 'app/Shops/global', records, outputStreams: new Set(['Totals']) });
  return r.outputs.map(o => o.event.data);
}

describe('partition keys are state units of their own', () => {
  test('a batch reads and writes the global unit and only the keys it touches', async () => {
    // Prepare: three keys, each in its own unit.
    const store = new MemoryStateStore();
    await invoke(store, [
      { stream: 'Sale', time: 1, data: ['a', 1] },
      { stream: 'Sale', time: 2, data: ['b', 2] },
      { stream: 'Sale', time: 3, data: ['c', 3] },
    ]);
    const keys = [...(await store.load(['app/Shops/global'])).keys()];
    expect(keys).toEqual(['app/Shops/global']);
    const before = { ...store.stats };
    // Act: a batch for key b only.
    const out = await invoke(store, [{ stream: 'Sale', time: 4, data: ['b', 5] }]);
    // Assess: b continues where it was; two units read (global, b) and two written.
    expect(out).toEqual([['b', 7]]);
    expect(store.stats.unitsRead - before.unitsRead).toBe(2);
    expect(store.stats.unitsWritten - before.unitsWritten).toBe(2);
    const units = await store.load(['app/Shops/global#p:partition_1:' + compileApp(app).partitions[0].fingerprint + ':b']);
    expect(units.size).toBe(1);
  });

  test('keys computed on an intermediate stream are loaded when reached, and the batch redone', async () => {
    const chained = `define stream Raw (shop string, amt int);
      from Raw select shop, amt * 2 as amt insert into Sale;
      partition with (shop of Sale) begin from Sale select shop, sum(amt) as total insert into Totals; end;`;
    const plan = compileApp(chained);
    const store = new MemoryStateStore();
    await invoke(store, [{ stream: 'Raw', time: 1, data: ['a', 1] }], plan);
    const out = await invoke(store, [{ stream: 'Raw', time: 2, data: ['a', 2] }], plan);
    expect(out).toEqual([['a', 6]]);
  });
});

describe('aggregation durations are state units of their own', () => {
  const aggApp = `define stream T (sym string, v long); define stream Other (x int);
    define aggregation Agg from T select sym, sum(v) as total group by sym aggregate every sec ... min;
    from Other select x insert into Echo;`;

  test('their buckets live outside the global unit, are written only when touched, and can be read alone', async () => {
    // Prepare
    const plan = compileApp(aggApp);
    const store = new MemoryStateStore();
    const run = (records: InputRecord[], queries?: string[]) =>
      runInvocation({ plan, store, unitKey: 'app/Agg/global', records, queries, outputStreams: new Set(['Echo']) });
    await run([{ stream: 'T', time: 1_000, data: ['a', 5] }]);
    const minutes = `app/Agg/global#a:Agg:${plan.aggregations[0].fingerprint}:MINUTES`;
    // Assess: the minutes unit holds the bucket; the global unit does not.
    const unit = (await store.load([minutes])).get(minutes);
    expect(JSON.stringify(unit!.value)).toContain('"a"');
    expect(JSON.stringify((await store.load(['app/Agg/global'])).get('app/Agg/global')!.value)).not.toContain('"a"');
    // Act: an invocation that does not feed the aggregation leaves its units alone.
    const before = unit!.version;
    await run([{ stream: 'Other', time: 2_000, data: [1] }]);
    expect((await store.load([minutes])).get(minutes)!.version).toBe(before);
    // And reads still see the buckets.
    const r = await run([], ['from Agg within 0L, 100000L per "minutes" select sym, total']);
    expect(r.queryResults[0].records).toEqual([['a', 5]]);
  });
});
