import {
  appUnitKey,
  CommitTooLargeError,
  compileApp,
  MemoryStateStore,
  runBatches,
  type InputRecord,
  type OutputEvent,
  type UnitWrite,
} from '../../../core';

const app = `@app:name('Shops')
  define stream Sale (shop string, amt int);
  partition with (shop of Sale) begin
    from Sale select shop, sum(amt) as total insert into Totals;
  end;`;

const sale = (shop: string, amt: number, i: number): InputRecord => ({ stream: 'Sale', time: i + 1, data: [shop, amt] });

/** A memory store that refuses commits of more than `max` units, like a DynamoDB transaction. */
class SmallTransactions extends MemoryStateStore {
  constructor(private readonly max: number) {
    super();
  }
  override async commit(writes: readonly UnitWrite[]) {
    if (writes.length > this.max) throw new CommitTooLargeError(`${writes.length} units, at most ${this.max}`);
    return super.commit(writes);
  }
}

describe('runBatches: a whole input through the invocation runner, as a platform delivers it', () => {
  test('batches of N give the outputs of one invocation, in order, and name the units as every function does', async () => {
    // Prepare
    const plan = compileApp(app);
    const records = [sale('a', 1, 0), sale('b', 2, 1), sale('a', 3, 2), sale('b', 4, 3), sale('a', 5, 4)];
    const run = async (batchSize?: number) => {
      const store = new MemoryStateStore();
      const out: OutputEvent[] = [];
      const r = await runBatches({ plan, store, records, batchSize, outputStreams: new Set(['Totals']), onOutputs: o => out.push(...o) });
      return { r, out: out.map(o => o.event.data), global: (await store.load([appUnitKey('Shops')])).size };
    };
    // Act
    const whole = await run();
    const twos = await run(2);
    // Assess
    expect(whole.out).toEqual([['a', 1], ['b', 2], ['a', 4], ['b', 6], ['a', 9]]);
    expect(twos.out).toEqual(whole.out);
    expect(whole.r.invocations).toBe(1);
    expect(twos.r.invocations).toBe(3);
    expect(twos.global).toBe(1);
  });

  test('a record that cannot be processed is dropped and told; the records after it are delivered again', async () => {
    // Prepare: a fault of the record itself (a stream the app does not have), not one of the app's
    // own queries, which @OnError handles inside the run.
    const plan = compileApp(app);
    const records: InputRecord[] = [sale('a', 1, 0), { stream: 'Nope', time: 2, data: [] }, sale('a', 2, 2)];
    const dropped: [number, string][] = [];
    const out: OutputEvent[] = [];
    // Act
    const r = await runBatches({
      plan,
      store: new MemoryStateStore(),
      records,
      outputStreams: new Set(['Totals']),
      onOutputs: o => out.push(...o),
      onDropped: (i, why) => dropped.push([i, (why as Error).message]),
    });
    // Assess
    expect(dropped).toEqual([[1, "stream 'Nope' is not defined in app 'Shops'"]]);
    expect(r.dropped).toEqual([1]);
    expect(out.map(o => o.event.data)).toEqual([['a', 1], ['a', 3]]);
    expect(r.invocations).toBe(2);
  });

  test('records that did not fit in one commit are delivered again in the next invocation, none dropped', async () => {
    // Prepare: 4 shops in one batch need 5 units; the store takes 3 per commit.
    const plan = compileApp(app);
    const records = [sale('a', 1, 0), sale('b', 1, 1), sale('c', 1, 2), sale('d', 1, 3)];
    const out: OutputEvent[] = [];
    // Act
    const r = await runBatches({ plan, store: new SmallTransactions(3), records, outputStreams: new Set(['Totals']), onOutputs: o => out.push(...o) });
    // Assess
    expect(r.dropped).toEqual([]);
    expect(out.map(o => o.event.data)).toEqual([['a', 1], ['b', 1], ['c', 1], ['d', 1]]);
    expect(r.invocations).toBe(2);
  });

  test('queries run after all records, as one more invocation', async () => {
    const plan = compileApp(`define stream S (k string, v int); define table T (k string, v int); from S insert into T;`);
    const r = await runBatches({ plan, store: new MemoryStateStore(), records: [{ stream: 'S', time: 1, data: ['x', 1] }], queries: ['from T select k, v'], outputStreams: new Set() });
    expect(r.queryResults.map(q => q.records)).toEqual([[['x', 1]]]);
    expect(r.invocations).toBe(2);
  });
});
