/**
 * Checkpoints and outboxes belong to the source partition (a shard), not to the app's global unit,
 * and the global unit is written only when global state changed (DESIGN.md section 3, step 5):
 * invocations of different shards on different partition keys commit independently.
 */
import { appUnitKey, compileApp, MemoryStateStore, PublishedOutboxes, runInvocation, sourceUnitKey, type InputRecord, type OutputEvent, type UnitWrite } from '../../../core';


const PARTITIONED = `define stream S (k string, v int);
  partition with (k of S) begin
    from S#window.length(3) select k, sum(v) as total insert into Out;
  end;`;
const GLOBAL_WINDOW = `define stream S (k string, v int);
  from S#window.length(1000) select count() as n, sum(v) as total insert into Out;`;

/** A memory store that tells which units each commit wrote. */
class RecordingStore extends MemoryStateStore {
  readonly committed: string[][] = [];
  override async commit(writes: readonly UnitWrite[], rows?: Parameters<MemoryStateStore['commit']>[1]) {
    const versions = await super.commit(writes, rows);
    this.committed.push(writes.map(w => w.key));
    return versions;
  }
}

let seq = 0;
function batch(shard: string, rows: [string, number][], time = 1000): InputRecord[] {
  return rows.map(data => {
    seq++;
    return { stream: 'S', time: time + seq, data, source: { kind: 'sequence' as const, id: shard, position: String(seq) } };
  });
}

const GLOBAL = appUnitKey('SiddhiApp');
const req = (plan: ReturnType<typeof compileApp>, store: MemoryStateStore, records: InputRecord[], extra: object = {}) => ({
  plan,
  store,
  records,
  outputStreams: new Set(['Out']),
  sleep: async () => {},
  random: () => 0.5,
  ...extra,
});

describe('source units', () => {
  beforeEach(() => {
    seq = 0;
  });

  test('a partitioned app writes the global unit only when a key is new; later batches write the shard and its keys', async () => {
    // Prepare
    const plan = compileApp(PARTITIONED);
    const store = new RecordingStore();
    // Act
    await runInvocation(req(plan, store, batch('shard-1', [['a', 1]])));
    await runInvocation(req(plan, store, batch('shard-1', [['a', 2], ['a', 3]])));
    await runInvocation(req(plan, store, batch('shard-1', [['b', 5]])));
    // Assess
    const key = (k: string) => store.committed[0].find(x => x.endsWith(`:${k}`))!;
    expect(store.committed[0]).toEqual([GLOBAL, sourceUnitKey(GLOBAL, 'shard-1'), key('a')]);
    expect(store.committed[1]).toEqual([sourceUnitKey(GLOBAL, 'shard-1'), key('a')]);
    expect(store.committed[2]).toContain(GLOBAL);
  });

  test('invocations of two shards on their own keys commit concurrently without a conflict, and count every event once', async () => {
    // Prepare: both keys exist.
    const plan = compileApp(PARTITIONED);
    const store = new RecordingStore();
    await runInvocation(req(plan, store, [...batch('shard-1', [['a', 1]]), ...batch('shard-2', [['b', 1]])]));
    // Act: concurrent batches, repeatedly.
    const results: Awaited<ReturnType<typeof runInvocation>>[] = [];
    for (let i = 0; i < 5; i++)
      results.push(...(await Promise.all([runInvocation(req(plan, store, batch('shard-1', [['a', 1]]))), runInvocation(req(plan, store, batch('shard-2', [['b', 2]])))])));
    // Assess
    expect(results.map(r => r.attempts)).toEqual(Array(10).fill(1));
    expect(store.committed.slice(1).every(keys => !keys.includes(GLOBAL))).toBe(true);
    const last = (k: string) => results.filter(r => r.outputs.some(o => o.event.data[0] === k)).at(-1)!.outputs.at(-1)!.event.data;
    expect(last('a')).toEqual(['a', 3]);
    expect(last('b')).toEqual(['b', 6]);
  });

  test('an unpartitioned window is global state: concurrent shards conflict, retry and still count every event once', async () => {
    const plan = compileApp(GLOBAL_WINDOW);
    const store = new RecordingStore();
    const results = await Promise.all(['shard-1', 'shard-2', 'shard-3'].map(s => runInvocation(req(plan, store, batch(s, [['x', 1], ['x', 1]])))));
    expect(results.reduce((n, r) => n + r.attempts - 1, 0)).toBeGreaterThan(0);
    const final = await runInvocation(req(plan, store, batch('shard-1', [['x', 0]])));
    expect(final.outputs.map(o => o.event.data)).toEqual([[7, 6]]);
    expect(store.committed.every(keys => keys.includes(GLOBAL))).toBe(true);
  });

  test('a replayed batch is skipped by its shard unit, and another shard at the same positions is not', async () => {
    const plan = compileApp(PARTITIONED);
    const store = new MemoryStateStore();
    const b1 = batch('shard-1', [['a', 1], ['a', 2]]);
    await runInvocation(req(plan, store, b1));
    const again = await runInvocation(req(plan, store, b1));
    const other = await runInvocation(req(plan, store, b1.map(r => ({ ...r, source: { ...r.source!, id: 'shard-2' } }))));
    expect([again.skipped, other.skipped]).toEqual([2, 0]);
    expect(other.outputs.at(-1)!.event.data).toEqual(['a', 5]); // length(3): 2 + 1 + 2
  });

  test('checkpoints kept in the global unit by an earlier version still skip replays, and move to the shard unit', async () => {
    // Prepare: the layout before source units, a checkpoint of shard-1 at 5 in the global unit.
    const plan = compileApp(GLOBAL_WINDOW);
    const store = new RecordingStore();
    await runInvocation(req(plan, store, [{ stream: 'S', time: 1, data: ['x', 1] }]));
    const stored = (await store.load([GLOBAL])).get(GLOBAL)!;
    const old = { ...(stored.value as object), checkpoints: { seq: { 'shard-1': '5' }, msg: {} } };
    await store.commit([{ key: GLOBAL, value: old, expectedVersion: stored.version }]);
    // Act: positions 4 to 7 of shard-1.
    const r = await runInvocation(req(plan, store, [4, 5, 6, 7].map(p => ({ stream: 'S', time: 10 + p, data: ['x', 1], source: { kind: 'sequence' as const, id: 'shard-1', position: String(p) } }))));
    // Assess
    expect(r.skipped).toBe(2);
    const units = await store.load([GLOBAL, sourceUnitKey(GLOBAL, 'shard-1')]);
    expect((units.get(GLOBAL)!.value as { checkpoints: unknown }).checkpoints).toEqual({ seq: {}, msg: {} });
    expect((units.get(sourceUnitKey(GLOBAL, 'shard-1'))!.value as { checkpoints: unknown }).checkpoints).toEqual({ seq: { 'shard-1': '7' }, msg: {} });
  });

  test("a crash between commit and publish: the shard unit's outbox is published by the next invocation, with the same ids", async () => {
    const plan = compileApp(PARTITIONED);
    const store = new MemoryStateStore();
    const first: OutputEvent[][] = [];
    await expect(
      runInvocation(
        req(plan, store, batch('shard-1', [['a', 1], ['b', 2]]), {
          publish: async (o: readonly OutputEvent[]) => {
            first.push([...o]);
            throw new Error('crash');
          },
        }),
      ),
    ).rejects.toThrow('crash');
    // Act: a new process (nothing known published) gets the next batch of the shard.
    const published: OutputEvent[][] = [];
    await runInvocation(req(plan, store, batch('shard-1', [['a', 3]]), { publish: async (o: readonly OutputEvent[]) => void published.push([...o]), published: new PublishedOutboxes() }));
    // Assess
    expect(published.map(p => p.map(o => o.id))).toEqual([first[0].map(o => o.id), ['shard-1:3/0']]);
  });

  test("the clock as a shard unit left it is the app's clock there, even when the global unit was not written", async () => {
    const plan = compileApp(`define stream S (k string, v int);
      partition with (k of S) begin from S select k, eventTimestamp() as t insert into Out; end;`);
    const store = new RecordingStore();
    await runInvocation(req(plan, store, batch('shard-1', [['a', 1]], 1000)));
    await runInvocation(req(plan, store, batch('shard-1', [['a', 1]], 5000)));
    const shard = (await store.load([sourceUnitKey(GLOBAL, 'shard-1')])).get(sourceUnitKey(GLOBAL, 'shard-1'))!.value as { clock: number };
    expect(store.committed[1]).not.toContain(GLOBAL);
    expect(shard.clock).toBe(5002);
  });
});
