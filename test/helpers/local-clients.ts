/**
 * SDK clients for the emulators the tests and benches start (see emulators.ts).
 *
 * @example
 *   const client = dynamoDBClientFor(await startDynamoDBLocal());
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
