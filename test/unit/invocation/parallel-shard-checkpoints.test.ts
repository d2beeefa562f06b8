/**
 * Lambda with ParallelizationFactor > 1 runs batches of one Kinesis shard concurrently, in order
 * only per partition key: two batches of shard 0 can hold interleaved sequence numbers (key a:
 * 1, 3, 5; key b: 2, 4, 6) and commit in either order. A checkpoint per (shard, partition key)
 * keeps replay protection exact under that; one per shard would skip the batch committed second.
 */
import { compileApp, MemoryStateStore, runInvocation, type InputRecord } from '../../../core';

const app = `define stream S (k string, v int);
  from S select count() as n, sum(v) as total insert into Out;`;
const SHARD = 'shardId-000000000000';

function batch(key: string | undefined, seqs: number[], value: number): InputRecord[] {
  return seqs.map(seq => ({
    stream: 'S',
    time: 1000 + seq,
    data: [key ?? 'x', value],
    source: { kind: 'sequence' as const, id: SHARD, position: `4959${String(seq).padStart(20, '0')}`, ...(key === undefined ? {} : { key }) },
  }));
}

async function run(order: 'a-first' | 'b-first' | 'concurrent', keyed = true) {
  const plan = compileApp(app);
  const store = new MemoryStateStore();
  const req = (records: InputRecord[]) => ({ plan, store, records, outputStreams: new Set(['Out']), sleep: async () => {}, random: () => 0.5 });
  const a = batch(keyed ? 'a' : undefined, [1, 3, 5], 1);
  const b = batch(keyed ? 'b' : undefined, [2, 4, 6], 10);
  const results =
    order === 'concurrent'
      ? await Promise.all([runInvocation(req(a)), runInvocation(req(b))])
      : order === 'a-first'
        ? [await runInvocation(req(a)), await runInvocation(req(b))]
        : [await runInvocation(req(b)), await runInvocation(req(a))];
  // Lambda redelivers each batch (a retry after a timeout, say): nothing of them is new.
  const again = [await runInvocation(req(b)), await runInvocation(req(a))];
  const last = (await runInvocation(req(batch(keyed ? 'a' : undefined, [7], 100)))).outputs;
  return { results, again, last: last.map(o => o.event.data) };
}

describe('checkpoints per shard and partition key (ParallelizationFactor > 1)', () => {
  test.each(['a-first', 'b-first', 'concurrent'] as const)('interleaved batches of one shard, committed %s, then redelivered: nothing lost, nothing doubled', async order => {
    // Act
    const { results, again, last } = await run(order);
    // Assess: all six records counted once; the redeliveries skip all and emit nothing.
    expect(results.map(r => r.skipped)).toEqual([0, 0]);
    expect(results.flatMap(r => r.failed)).toEqual([]);
    expect(again.map(r => [r.skipped, r.outputs.length])).toEqual([
      [3, 0],
      [3, 0],
    ]);
    expect(last).toEqual([[7, 133]]);
  });

  test('output ids stay distinct across the keys of one shard (sequence numbers are unique per shard)', async () => {
    const { results } = await run('concurrent');
    const ids = results.flatMap(r => r.outputs.map(o => o.id));
    expect(new Set(ids).size).toBe(6);
  });

  test('without the key (a checkpoint per shard) the batch committed second is lost: why the key is needed', async () => {
    const { results } = await run('b-first', false);
    expect(results.map(r => r.skipped)).toEqual([0, 3]);
  });

  test('a checkpoint of the whole shard, written before keys were used, is a floor for every key', async () => {
    const plan = compileApp(app);
    const store = new MemoryStateStore();
    const req = (records: InputRecord[]) => ({ plan, store, records, outputStreams: new Set(['Out']) });
    await runInvocation(req(batch(undefined, [1, 2, 3], 1)));
    const r = await runInvocation(req([...batch('a', [2, 3], 5), ...batch('b', [4], 7)]));
    expect(r.skipped).toBe(2);
    expect(r.outputs.map(o => o.event.data)).toEqual([[4, 10]]);
  });

  test('a rewind forgets the checkpoints of every key of the shard', async () => {
    const plan = compileApp(app);
    const store = new MemoryStateStore();
    const req = (records: InputRecord[], rewind?: string[]) => ({ plan, store, records, outputStreams: new Set(['Out']), rewind });
    await runInvocation(req([...batch('a', [1], 1), ...batch('b', [2], 1)]));
    const r = await runInvocation(req([...batch('a', [1], 1), ...batch('b', [2], 1)], [SHARD]));
    expect(r.skipped).toBe(0);
  });
});
