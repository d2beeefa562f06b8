/**
 * Kinesis records on kinesalite as a Lambda event source mapping hands them to a function: read
 * back with GetRecords and shaped as the real `KinesisStreamEvent` (every field of it).
 */
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export async function createStream(client: KinesisClient, name: string, shards = 1): Promise<string> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return d.StreamDescriptionSummary.StreamARN!;
    await new Promise(r => setTimeout(r, 50));
  }
}

export async function putJson(client: KinesisClient, stream: string, records: readonly { key: string; body: string }[]): Promise<void> {
  // One by one, in order: the sequence numbers grow with the order of the list.
  for (const r of records) await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: r.key, Data: new TextEncoder().encode(r.body) }));
}

export interface ReadRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
  readonly arrival: Date;
}

/** Every record of every shard of the stream, from the start. */
export async function readAll(client: KinesisClient, stream: string): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  for (const s of shards) {
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: s.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      const r = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
      for (const rec of r.Records ?? [])
        out.push({ shardId: s.ShardId!, sequenceNumber: rec.SequenceNumber!, partitionKey: rec.PartitionKey!, data: new TextDecoder().decode(rec.Data), arrival: rec.ApproximateArrivalTimestamp! });
      if (!r.Records?.length) break;
      it = r.NextShardIterator;
    }
  }
  return out;
}

/** The records as Lambda delivers them: base64 data, arrival in seconds with a fraction, `shardId:seq` event ids. */
export function lambdaEvent(records: readonly ReadRecord[], streamArn: string, region = 'us-east-1'): KinesisStreamEvent {
  return {
    Records: records.map(
      (r): KinesisStreamRecord => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.partitionKey,
          sequenceNumber: r.sequenceNumber,
          data: Buffer.from(r.data, 'utf8').toString('base64'),
          approximateArrivalTimestamp: r.arrival.getTime() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${r.shardId}:${r.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/millrace-kinesis-ingest',
        awsRegion: region,
        eventSourceARN: streamArn,
      }),
    ),
  };
}

let requests = 0;
/** A Lambda context: a request id of its own and a minute left. */
export function lambdaContext(): Context {
  const id = `req-${++requests}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'millrace-kinesis-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:millrace-kinesis-ingest',
    memoryLimitInMB: '1024',
    awsRequestId: id,
    logGroupName: '/aws/lambda/millrace-kinesis-ingest',
    logStreamName: '2025/01/01/[$LATEST]0',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
