/**
 * The Kinesis ingest function end to end, as a deployment runs it: the esbuild bundle
 * (dist/aws/kinesis-ingest.cjs, the AWS SDK left out as the Lambda runtime provides it), records
 * put on a kinesalite stream and read back with GetRecords into a `KinesisStreamEvent` of the real
 * shape, state in DynamoDB Local, outputs read from the output streams with GetRecords. Both
 * emulators are started here; a missing one is reported and the suite skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createStateTable, DynamoDBStateStore } from '../../adapters/aws/dynamodb-state-store';
import { appUnitKey, sourceUnitKey } from '../../core';
import { dynamoDBLocalMissing, kinesaliteMissing, startDynamoDBLocal, startKinesalite, type RunningEmulator } from '../helpers/emulators';
import { createStream, lambdaContext, lambdaEvent, putJson, readAll, type ReadRecord } from '../helpers/kinesis-events';
import { dynamoDBClientFor, kinesisClientFor } from '../helpers/local-clients';

const missing = dynamoDBLocalMissing() ?? kinesaliteMissing();
const describeIf = missing ? describe.skip : describe;
if (missing) console.warn(`Kinesis ingest tests skipped: ${missing}`);

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/aws/kinesis-ingest.cjs');
const TABLE = 'millrace-state';
const APP = `@App:name('Orders')
@OnError(action='STREAM')
@source(type='kinesis', stream.name='orders', @map(type='json'))
define stream Orders (id string, amount double, qty long);

@sink(type='kinesis', stream.name='big-orders', partition.key='{{id}}', @map(type='json'))
define stream BigOrders (id string, amount double, total long);

@sink(type='kinesis', stream.name='order-faults', @map(type='json'))
define stream Faults (id string, faults long);

from Orders[amount > 10] select id, amount, sum(qty) as total insert into BigOrders;
from !Orders select id, count() as faults insert into Faults;
`;

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
interface Bundle {
  handler: Handler;
  createKinesisIngest(env: Record<string, string | undefined>, deps?: object): Handler;
}

describeIf('the Kinesis ingest function (bundle, kinesalite, DynamoDB Local)', () => {
  let ddb: RunningEmulator;
  let kin: RunningEmulator;
  let bundle: Bundle;
  let env: Record<string, string>;
  let ordersArn: string;
  const logs: string[] = [];
  const kinesis = () => kinesisClientFor(kin);
  const fresh = (deps: object = {}) => bundle.createKinesisIngest(env, { dynamodb: dynamoDBClientFor(ddb), kinesis: kinesis(), write: (l: string) => void logs.push(l), ...deps });
  const outputs = async (stream: string) => (await readAll(kinesis(), stream)).map(r => ({ key: r.partitionKey, ...JSON.parse(r.data) }));

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT });
    [ddb, kin] = await Promise.all([startDynamoDBLocal(), startKinesalite()]);
    await createStateTable(dynamoDBClientFor(ddb), TABLE);
    ordersArn = await createStream(kinesis(), 'orders');
    await createStream(kinesis(), 'big-orders');
    await createStream(kinesis(), 'order-faults');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-kinesis-'));
    writeFileSync(path.join(dir, 'orders.siddhi'), APP);
    env = { MILLRACE_APP_FILE: 'orders.siddhi', MILLRACE_STATE_TABLE: TABLE, LAMBDA_TASK_ROOT: dir };
    // The entry point reads the environment when it loads, as at a cold start.
    Object.assign(process.env, env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_KINESIS: kin.endpoint,
    });
    bundle = require(BUNDLE) as Bundle;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([ddb?.stop(), kin?.stop()]);
  });

  let first: ReadRecord[];
  test('a batch: records put and read back, the poison one routed to the fault stream, the rest processed', async () => {
    // Prepare: five records of three keys; the third cannot be mapped (amount is a string).
    await putJson(kinesis(), 'orders', [
      { key: 'a', body: '{"event":{"id":"a","amount":15.5,"qty":2}}' },
      { key: 'b', body: '{"event":{"id":"b","amount":5.0,"qty":1}}' },
      { key: 'p', body: '{"event":{"id":"p","amount":"lots","qty":1}}' },
      { key: 'a', body: '{"event":{"id":"a","amount":20.0,"qty":3}}' },
      { key: 'c', body: '{"event":{"id":"c","amount":99.0,"qty":4}}' },
    ]);
    first = await readAll(kinesis(), 'orders');
    // Act: the entry point built at module load from the environment.
    const res = await bundle.handler(lambdaEvent(first, ordersArn), lambdaContext());
    // Assess
    expect(res).toEqual({ batchItemFailures: [] });
    const big = await outputs('big-orders');
    expect(big.map(o => [o.key, o.payload.event])).toEqual([
      ['a', { id: 'a', amount: 15.5, total: 2 }],
      ['a', { id: 'a', amount: 20.0, total: 5 }],
      ['c', { id: 'c', amount: 99.0, total: 9 }],
    ]);
    expect(big.map(o => o.id)).toEqual([0, 3, 4].map(i => `${first[i].shardId}:${first[i].sequenceNumber}/0`));
    // The fault stream's event: attributes null (the json sink writes null as "undefined", as Siddhi does).
    const faults = await readAll(kinesis(), 'order-faults');
    expect(faults.map(f => [f.partitionKey, JSON.parse(f.data)])).toEqual([[`${first[2].shardId}:${first[2].sequenceNumber}/0`, { event: { id: 'undefined', faults: 1 } }]]);
    // The state in DynamoDB Local: checkpoints per shard and partition key, in the shard's unit.
    const store = new DynamoDBStateStore(dynamoDBClientFor(ddb), { tableName: TABLE });
    const shardUnit = sourceUnitKey(appUnitKey('Orders'), first[0].shardId);
    const unit = (await store.load([shardUnit])).get(shardUnit)?.value as { checkpoints: { seq: Record<string, string> } };
    expect(Object.entries(unit.checkpoints.seq).sort()).toEqual(
      [
        [`${first[0].shardId}\u0000a`, first[3].sequenceNumber],
        [`${first[0].shardId}\u0000b`, first[1].sequenceNumber],
        [`${first[0].shardId}\u0000c`, first[4].sequenceNumber],
        [`${first[0].shardId}\u0000p`, first[2].sequenceNumber],
      ].sort(),
    );
  });

  test('a retried batch (a cold start) changes nothing and counts nothing twice', async () => {
    // Act: Lambda delivers the same batch again to a new instance, then a new record.
    const res = await fresh()(lambdaEvent(first, ordersArn), lambdaContext());
    await putJson(kinesis(), 'orders', [{ key: 'a', body: '{"event":{"id":"a","amount":11.0,"qty":10}}' }]);
    const next = (await readAll(kinesis(), 'orders')).slice(first.length);
    await fresh()(lambdaEvent(next, ordersArn), lambdaContext());
    // Assess: the redelivery processed nothing; the new instance published the last committed
    // outbox again (it cannot know it was published), with the same ids, which a consumer drops.
    expect(res).toEqual({ batchItemFailures: [] });
    const big = await outputs('big-orders');
    const ids = big.map(o => o.id);
    expect(ids.slice(3, 6)).toEqual(ids.slice(0, 3));
    const unique = big.filter((o, i) => ids.indexOf(o.id) === i);
    expect(unique.map(o => o.payload.event)).toEqual([
      { id: 'a', amount: 15.5, total: 2 },
      { id: 'a', amount: 20.0, total: 5 },
      { id: 'c', amount: 99.0, total: 9 },
      { id: 'a', amount: 11.0, total: 19 },
    ]);
    const done = logs.map(l => JSON.parse(l)).filter(l => l.message === 'committed');
    expect(done[0]).toMatchObject({ level: 'INFO', app: 'Orders', function: 'kinesis-ingest', shard: first[0].shardId, records: 5, skipped: 5, outputs: 0, failed: 0 });
    expect(typeof done[0].invocation).toBe('string');
  });

  test('a crash between commit and publish: the next invocation publishes the outbox with the same ids', async () => {
    // Prepare: an instance that dies when it would publish.
    await putJson(kinesis(), 'orders', [
      { key: 'd', body: '{"event":{"id":"d","amount":50.0,"qty":1}}' },
      { key: 'e', body: '{"event":{"id":"e","amount":60.0,"qty":1}}' },
    ]);
    const batch = (await readAll(kinesis(), 'orders')).slice(first.length + 1);
    const attempted: string[] = [];
    const ids = new Set(batch.map(r => `${r.shardId}:${r.sequenceNumber}/0`));
    const real = kinesis();
    let died!: () => void;
    const dead = new Promise<void>(resolve => (died = resolve));
    const dying = {
      // The last outbox is published again at this cold start; the process dies on the new outputs
      // (a killed process never returns from the call).
      send: async (c: PutRecordsCommand) => {
        const sent = (c.input.Records ?? []).map(r => JSON.parse(new TextDecoder().decode(r.Data)).id as string);
        if (!sent.some(id => ids.has(id))) return real.send(c);
        attempted.push(...sent);
        died();
        return new Promise<never>(() => {});
      },
    };
    // Act: the dying instance commits, then dies publishing; Lambda retries the batch on a new instance.
    const { getRemainingTimeInMillis: _, ...noDeadline } = lambdaContext();
    void fresh({ kinesis: dying })(lambdaEvent(batch, ordersArn), noDeadline as Context);
    await dead;
    const before = (await outputs('big-orders')).length;
    const res = await fresh()(lambdaEvent(batch, ordersArn), lambdaContext());
    // Assess: the crash published nothing; the retry published the committed outbox, same ids.
    expect(attempted).toEqual([...ids]);
    expect(res).toEqual({ batchItemFailures: [] });
    const big = (await outputs('big-orders')).slice(before);
    expect(big.map(o => o.id)).toEqual(batch.map(r => `${r.shardId}:${r.sequenceNumber}/0`));
    expect(big.map(o => o.payload.event.total)).toEqual([20, 21]);
  });

  test('config errors stop the function at cold start with a clear message', () => {
    // An unknown key, in a new process requiring the bundle as Lambda's init does.
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(BUNDLE)})`], { env: { ...process.env, ...env, MILLRACE_STATE_TABEL: 'x' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('MILLRACE_STATE_TABEL is not a setting of this function');
    // A missing key, a bad value, an app without a Kinesis source, a sink option Millrace does not read.
    expect(() => bundle.createKinesisIngest({ ...env, MILLRACE_STATE_TABLE: '' })).toThrow('MILLRACE_STATE_TABLE is required');
    expect(() => bundle.createKinesisIngest({ ...env, MILLRACE_SINK_WAIT_MS: 'soon' })).toThrow('MILLRACE_SINK_WAIT_MS="soon" is not valid');
    const noSource = (text: string) => () => bundle.createKinesisIngest(env, { readApp: () => text });
    expect(noSource('define stream S (a int); from S select a insert into T;')).toThrow("has no @source(type='kinesis'");
    expect(noSource("@source(type='kinesis', stream.name='s', @map(type='json')) define stream S (a int);\n@sink(type='kinesis', stream.name='t', aws.region='eu-west-1', @map(type='json')) define stream T (a int); from S select a insert into T;")).toThrow(
      "has an option 'aws.region' Millrace does not read",
    );
  });
});
