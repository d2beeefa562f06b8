import {
  appUnitKey,
  CommitTooLargeError,
  compileApp,
  DEFAULT_BATCH_RECORDS,
  MemoryStateStore,
  runBatches,
  type InputRecord,
  type OutputEvent,
  StateConflictError,
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

  test('an input is read as it is processed: at most one batch ahead of what is committed', async () => {
    // Prepare: a lazy input of 1,000 records that notes how far it has been read.
    const plan = compileApp(app);
    let read = 0;
    let readAtFirstOutput = -1;
    function* input() {
      for (let i = 0; i < 1000; i++) {
        read++;
        yield sale('a', 1, i);
      }
    }
    // Act
    const r = await runBatches({
      plan,
      store: new MemoryStateStore(),
      records: input(),
      batchSize: 100,
      outputStreams: new Set(['Totals']),
      onOutputs: () => void (readAtFirstOutput < 0 && (readAtFirstOutput = read)),
    });
    // Assess
    expect(readAtFirstOutput).toBe(100);
    expect(r.invocations).toBe(10);
  });

  test('without a batch size, a large input runs DEFAULT_BATCH_RECORDS records per invocation, with the outputs of one', async () => {
    const plan = compileApp(app);
    const records = Array.from({ length: DEFAULT_BATCH_RECORDS + 5 }, (_, i) => sale(i % 2 ? 'a' : 'b', 1, i));
    const out: OutputEvent[] = [];
    const r = await runBatches({ plan, store: new MemoryStateStore(), records, outputStreams: new Set(['Totals']), onOutputs: o => out.push(...o) });
    expect(r.invocations).toBe(2);
    expect(out.at(-1)!.event.data).toEqual(['b', records.filter(x => x.data![0] === 'b').length]);
  });

  test('a run given the same input again applies only what the state has not seen; rewind applies it again', async () => {
    // Prepare: records of one source (a file), positions their line numbers.
    const plan = compileApp(app);
    const store = new MemoryStateStore();
    const line = (i: number): InputRecord => ({ ...sale('a', 1, i), source: { kind: 'sequence', id: 'file:/in.jsonl', position: String(i + 1) } });
    const totals = async (records: InputRecord[], rewind?: string[]) => {
      const out: OutputEvent[] = [];
      const r = await runBatches({ plan, store, records, batchSize: 2, rewind, outputStreams: new Set(['Totals']), onOutputs: o => out.push(...o) });
      return { skipped: r.skipped, totals: out.map(o => o.event.data[1]) };
    };
    const first3 = [0, 1, 2].map(line);
    const all5 = [0, 1, 2, 3, 4].map(line);
    // Act
    const a = await totals(first3);
    const b = await totals(all5);
    const c = await totals(all5, ['file:/in.jsonl']);
    // Assess: the second run continues at line 4; the rewound one counts every line again.
    expect(a).toEqual({ skipped: 0, totals: [1, 2, 3] });
    expect(b).toEqual({ skipped: 3, totals: [4, 5] });
    expect(c).toEqual({ skipped: 0, totals: [6, 7, 8, 9, 10] });
  });

  test('a batch whose state keeps changing is tried until the deadline, then the run stops and names the first record not applied', async () => {
    // Prepare: a store whose commits conflict while \`busy\` is set; a clock that moves 1 s per look.
    class Busy extends MemoryStateStore {
      busy = false;
      override async commit(writes: readonly UnitWrite[]) {
        if (this.busy) throw new StateConflictError(writes[0].key, writes[0].expectedVersion, 99);
        return super.commit(writes);
      }
    }
    const plan = compileApp(app);
    const store = new Busy();
    const records = [0, 1, 2, 3].map(i => ({ ...sale('a', 1, i), source: { kind: 'sequence' as const, id: 'f', position: String(i + 1) } }));
    let clock = 0;
    const run = (rs: InputRecord[], busyAfterFirst: boolean) =>
      runBatches({
        plan,
        store,
        records: rs,
        batchSize: 2,
        outputStreams: new Set(['Totals']),
        conflictDeadlineMs: 30_000,
        now: () => (clock += 1000),
        sleep: async () => {},
        maxAttempts: 2,
        onOutputs: () => void (store.busy = busyAfterFirst),
      });
    // Act: the first batch commits, then every commit conflicts.
    const stopped = await run(records, true);
    store.busy = false;
    const again = await run(records, false);
    // Assess: stopped at the third record, after trying for the whole deadline; the re-run applies
    // exactly the last two.
    expect(stopped.stopped?.index).toBe(2);
    expect(stopped.stopped?.record?.source?.position).toBe('3');
    expect(stopped.stopped?.failure).toBeInstanceOf(StateConflictError);
    expect(clock).toBeGreaterThanOrEqual(30_000);
    expect(again.stopped).toBeUndefined();
    expect(again.skipped).toBe(2);
  });
});
