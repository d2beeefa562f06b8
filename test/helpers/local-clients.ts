/**
 * SDK clients for the emulators the tests and benches start (see emulators.ts).
 *
 * @example
 *   const client = dynamoDBClientFor(await startDynamoDBLocal());
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RunningEmulator } from './emulators';

/** A DynamoDB client for DynamoDB Local: fixed local credentials, generous timeouts. */
export function dynamoDBClientFor(emulator: RunningEmulator): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60_000 }),
  });
}

/** A Kinesis client for kinesalite: fixed local credentials, HTTP/1.1 (kinesalite speaks no HTTP/2). */
export function kinesisClientFor(emulator: RunningEmulator): KinesisClient {
  return new KinesisClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60_000 }),
  });
}
