/**
 * Missing state is one protocol, returned as a value: a run that reaches a partition key, an
 * aggregation duration or `@store` rows it was not given answers from what it has, and
 * `missingState()` lists what to load; the invocation runner loads it and runs again.
 */
import { AppRuntime, compileApp, MemoryStateStore, runInvocation, type InputRecord } from '../../../core';

const partitioned = `define stream Raw (shop string, amt int);
  from Raw select shop, amt * 2 as amt insert into Sale;
  partition with (shop of Sale) begin from Sale select shop, sum(amt) as total insert into Totals; end;`;

/** A runtime with key 'a' in its directory but not its unit: what a split restore without routing gives. */
function splitRuntimeWithUnloadedKey() {
  const plan = compileApp(partitioned);
  const first = new AppRuntime(plan);
  first.restoreUnits(null);
  first.send('Raw', 1, ['a', 1]);
  const split = first.snapshotUnits();
  const rt = new AppRuntime(plan);
  rt.restoreUnits(split.global);
  return { rt, split, unit: [...split.units.keys()][0] };
}

describe('missing state', () => {
  test('a key reached through an intermediate stream is listed, not thrown, and the run goes on', () => {
    // Prepare
    const { rt, unit } = splitRuntimeWithUnloadedKey();
    const outputs: unknown[] = [];
    rt.subscribe('Totals', (_s, es) => outputs.push(...es.map(e => e.data)));
    // Act: routing cannot see the key (it is computed on Sale, not on the input stream Raw).
    const routed = rt.unitsFor([{ stream: 'Raw', time: 2, data: ['a', 2] }]);
    rt.send('Raw', 2, ['a', 2]);
    // Assess
    expect(routed).toEqual([]);
    expect(rt.missingState()).toEqual({ units: [unit], rows: [] });
    expect(outputs).toHaveLength(1);
  });

  test('a run given every unit it touches has no missing state', () => {
    // Prepare
    const { rt, split, unit } = splitRuntimeWithUnloadedKey();
    rt.loadUnits(new Map([[unit, split.units.get(unit)!]]));
    const outputs: unknown[] = [];
    rt.subscribe('Totals', (_s, es) => outputs.push(...es.map(e => e.data)));
    // Act
    rt.send('Raw', 2, ['a', 2]);
    // Assess: the key continues where it was (2 + 4).
    expect(rt.missingState()).toBeNull();
    expect(outputs).toEqual([['a', 6]]);
  });

  test('keys of a partitioned input stream are routed before the run, so nothing is missing', () => {
    // Prepare
    const plan = compileApp(`define stream Sale (shop string, amt int);
      partition with (shop of Sale) begin from Sale select shop, sum(amt) as total insert into Totals; end;`);
    const first = new AppRuntime(plan);
    first.restoreUnits(null);
    first.send('Sale', 1, ['a', 1]);
    first.send('Sale', 2, ['b', 1]);
    const split = first.snapshotUnits();
    const rt = new AppRuntime(plan);
    rt.restoreUnits(split.global);
    // Act
    const routed = rt.unitsFor([{ stream: 'Sale', time: 3, data: ['b', 5] }]);
    rt.loadUnits(new Map(routed.map(u => [u, split.units.get(u)!])));
    rt.send('Sale', 3, ['b', 5]);
    // Assess: only b's unit was routed and loaded, and only it is written.
    expect(routed).toEqual([...split.units.keys()].filter(u => u.endsWith(':b')));
    expect(rt.missingState()).toBeNull();
    expect([...rt.snapshotUnits().units.keys()]).toEqual(routed);
  });

  test('@store rows a run looks up without having them are listed per holder', () => {
    // Prepare
    const plan = compileApp(`define stream Sale (sku string, n int);
      @store(type='dynamodb', table.name='Stock') @PrimaryKey('sku') define table Stock (sku string, qty int);
      from Sale select sku, n as qty update or insert into Stock on Stock.sku == sku;`);
    const rt = new AppRuntime(plan);
    rt.restoreUnits(null);
    // Act
    rt.send('Sale', 1, ['x', 3]);
    // Assess
    expect(rt.missingState()).toEqual({ units: [], rows: [{ holder: 't:Stock', table: 'Stock', keys: ['["x"]'] }] });
  });

  test('the runner loads what a run found missing and redoes it: two loads, one commit', async () => {
    // Prepare
    const plan = compileApp(partitioned);
    const store = new MemoryStateStore();
    const run = (records: InputRecord[]) => runInvocation({ plan, store, records, outputStreams: new Set(['Totals']) });
    await run([{ stream: 'Raw', time: 1, data: ['a', 1] }]);
    const before = { ...store.stats };
    // Act
    const r = await run([{ stream: 'Raw', time: 2, data: ['a', 2] }]);
    // Assess: the global unit, then the key's unit the first run found missing.
    expect(r.outputs.map(o => o.event.data)).toEqual([['a', 6]]);
    expect(store.stats.loads - before.loads).toBe(2);
    expect(store.stats.commits - before.commits).toBe(1);
  });
});
