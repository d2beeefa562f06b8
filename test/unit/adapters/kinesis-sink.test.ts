import type { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { calls, KinesisSink, KinesisSinkConfigError, KinesisSinkError, PUT_RECORDS_MAX } from '../../../adapters/aws/kinesis-sink';
import { compileApp, EventKind, memoryLogger, type OutputEvent } from '../../../core';

const app = (opts: string) => compileApp(`@source(type='kinesis', stream.name='in', @map(type='json')) define stream S (k string, v long);
@sink(type='kinesis', stream.name='out', ${opts} @map(type='json')) define stream O (k string, v long);
from S select k, v insert into O;`);
const outs = (n: number): OutputEvent[] => Array.from({ length: n }, (_, i) => ({ id: `shard-1:${i + 1}/0`, stream: 'O', event: { timestamp: i, data: [`k${i % 3}`, BigInt(i)], type: EventKind.CURRENT } }));

/** A PutRecords fake: `fail(call, index, key)` says which records of a call fail. */
function putter(fail: (call: number, i: number, key: string) => boolean = () => false) {
  const sent: { stream: string; keys: string[]; data: string[] }[] = [];
  return {
    sent,
    send: async (c: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
      const call = sent.length;
      const recs = c.input.Records ?? [];
      sent.push({ stream: c.input.StreamName!, keys: recs.map(r => r.PartitionKey!), data: recs.map(r => new TextDecoder().decode(r.Data)) });
      const results = recs.map((r, i) => (fail(call, i, r.PartitionKey!) ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' } : { SequenceNumber: '1', ShardId: 'shardId-0' }));
      return { $metadata: {}, FailedRecordCount: results.filter(r => 'ErrorCode' in r).length, Records: results };
    },
  };
}
const instant = { sleep: async () => {}, random: () => 0.5 };

describe('the Kinesis sink', () => {
  test('calls of at most 500 records and 5 MB', () => {
    expect(calls(Array.from({ length: 1201 }, () => ({ bytes: 10 }))).map(c => c.length)).toEqual([PUT_RECORDS_MAX, PUT_RECORDS_MAX, 201]);
    expect(calls(Array.from({ length: 6 }, () => ({ bytes: 1024 * 1024 }))).map(c => c.length)).toEqual([5, 1]);
  });

  test('without partition.key the outbox id is the PartitionKey and the payload is the mapper\'s', async () => {
    const p = putter();
    await new KinesisSink(p, app(''), instant).publish(outs(2));
    expect(p.sent).toEqual([{ stream: 'out', keys: ['shard-1:1/0', 'shard-1:2/0'], data: ['{"event":{"k":"k0","v":0}}', '{"event":{"k":"k1","v":1}}'] }]);
  });

  test('with partition.key the key comes from the event and the record is an envelope with the outbox id', async () => {
    const p = putter();
    await new KinesisSink(p, app("partition.key='{{k}}',"), instant).publish(outs(1));
    expect(p.sent[0].keys).toEqual(['k0']);
    expect(p.sent[0].data).toEqual(['{"id":"shard-1:1/0","payload":{"event":{"k":"k0","v":0}}}']);
    const raw = putter();
    await new KinesisSink(raw, app("partition.key='{{k}}', outbox.id='none',"), instant).publish(outs(1));
    expect(raw.sent[0].data).toEqual(['{"event":{"k":"k0","v":0}}']);
  });

  test('only the failed records are sent again, with jittered exponential backoff', async () => {
    const waits: number[] = [];
    const p = putter((call, _, key) => call < 2 && key === 'shard-1:2/0');
    await new KinesisSink(p, app(''), { sleep: async ms => void waits.push(ms), random: () => 0.5, baseDelayMs: 100 }).publish(outs(3));
    expect(p.sent.map(s => s.keys)).toEqual([['shard-1:1/0', 'shard-1:2/0', 'shard-1:3/0'], ['shard-1:2/0'], ['shard-1:2/0']]);
    expect(waits).toEqual([100, 200]);
  });

  test("on.error='LOG' drops what keeps failing, and logs it", async () => {
    const logger = memoryLogger();
    const p = putter((_, i) => i === 0);
    const failures = await new KinesisSink(p, app(''), { ...instant, logger, maxAttempts: 3 }).publish(outs(2));
    expect(failures).toEqual([]);
    expect(p.sent.length).toBe(3);
    expect(logger.lines.filter(l => l.includes("dropping record shard-1:1/0 of stream 'O'"))).toHaveLength(1);
  });

  test("on.error='STREAM' returns what keeps failing, for the fault stream", async () => {
    const p = putter((_, i) => i === 0);
    const failures = await new KinesisSink(p, app("on.error='STREAM',"), { ...instant, maxAttempts: 2 }).publish(outs(2));
    expect(failures.map(f => [f.id, f.rows])).toEqual([['shard-1:1/0', [['k0', 0n]]]]);
  });

  test("on.error='WAIT' retries within its budget, then fails the invocation", async () => {
    const p = putter(() => true);
    const sink = new KinesisSink(p, app("on.error='WAIT',"), { ...instant, waitBudgetMs: 1000, baseDelayMs: 100 });
    await expect(sink.publish(outs(1))).rejects.toThrow(KinesisSinkError);
    expect(p.sent.length).toBe(4); // waits 100 + 200 + 400, the next (800) would pass 1000 ms
  });

  test('options it does not read, or wrong values, stop it at cold start', () => {
    expect(() => new KinesisSink(putter(), app("aws.access.key='x',"))).toThrow(KinesisSinkConfigError);
    expect(() => new KinesisSink(putter(), app("on.error='RETRY',"))).toThrow("on.error='RETRY' is not LOG, WAIT or STREAM");
    expect(() => new KinesisSink(putter(), app("partition.key='{{nope}}',"))).toThrow("partition.key names 'nope'");
  });
});
