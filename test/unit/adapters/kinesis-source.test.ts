import { failedRecords, KinesisSource, KinesisSourceConfigError, shardOfEventId, streamNameOfArn } from '../../../adapters/aws/kinesis-source';
import { compileApp, memoryLogger } from '../../../core';
import { lambdaEvent } from '../../helpers/kinesis-events';

const plan = compileApp(`@source(type='kinesis', stream.name='orders', @map(type='json')) define stream S (id string, n long);
@source(type='kinesis', stream.name='orders', @map(type='json', @attributes(id='$.id', n='$.n'))) define stream T (id string, n long);
from S select * insert into O; from T select * insert into O;`);
const ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';
const rec = (seq: string, key: string, data: string, at = new Date(1607497475123)) => ({ shardId: 'shardId-000000000003', sequenceNumber: seq, partitionKey: key, data, arrival: at });

describe('the Kinesis source', () => {
  test('names from ARNs and event ids', () => {
    expect(streamNameOfArn(ARN)).toBe('orders');
    expect(streamNameOfArn(`${ARN}/consumer/c1:1600000000`)).toBe('orders');
    expect(shardOfEventId('shardId-000000000003:4959')).toBe('shardId-000000000003');
  });

  test('records of every @source reading the stream, at the arrival time, with shard, sequence and key', () => {
    const { records, origin } = new KinesisSource(plan).decode(lambdaEvent([rec('11', 'a', '{"id":"x","n":1}')], ARN), memoryLogger());
    const source = { kind: 'sequence', id: 'shardId-000000000003', position: '11', key: 'a' };
    expect(records).toEqual([
      { stream: 'S', time: 1607497475123, data: ['x', 1], source },
      { stream: 'T', time: 1607497475123, data: ['x', 1], source },
    ]);
    expect(origin).toEqual([0, 0]);
    const perShard = new KinesisSource(plan, { checkpointPerKey: false }).decode(lambdaEvent([rec('11', 'a', '{"id":"x","n":1}')], ARN), memoryLogger());
    expect(perShard.records[0].source).toEqual({ kind: 'sequence', id: 'shardId-000000000003', position: '11' });
  });

  test('a record of a stream the app does not read is logged and skipped', () => {
    const logger = memoryLogger();
    const d = new KinesisSource(plan).decode(lambdaEvent([rec('11', 'a', '{}')], 'arn:aws:kinesis:eu-west-1:1:stream/other'), logger);
    expect([d.records.length, d.unknown]).toEqual([0, 1]);
    expect(logger.lines[0]).toContain("reads no such Kinesis stream (it reads orders)");
  });

  test('the failed records: from the Kinesis record of the first failed input on', () => {
    const event = lambdaEvent([rec('1', 'a', '{"id":"x","n":1}'), rec('2', 'a', 'not json'), rec('3', 'a', '{"id":"y","n":2}')], ARN);
    const d = new KinesisSource(plan).decode(event, memoryLogger());
    expect(d.origin).toEqual([0, 0, 2, 2]);
    expect(failedRecords(event, d, [2, 3]).map(r => r.kinesis.sequenceNumber)).toEqual(['3']);
    expect(failedRecords(event, d, [1, 2, 3]).map(r => r.kinesis.sequenceNumber)).toEqual(['1', '2', '3']);
    expect(failedRecords(event, d, [])).toEqual([]);
  });

  test('an app without a Kinesis source, or one without stream.name or @map, stops at cold start', () => {
    expect(() => new KinesisSource(compileApp('define stream S (a int); from S select * insert into O;'))).toThrow(KinesisSourceConfigError);
    expect(() => new KinesisSource(compileApp("@source(type='kinesis', @map(type='json')) define stream S (a int); from S select * insert into O;"))).toThrow('needs stream.name');
    expect(() => new KinesisSource(compileApp("@source(type='kinesis', stream.name='s') define stream S (a int); from S select * insert into O;"))).toThrow('needs a @map');
  });
});
