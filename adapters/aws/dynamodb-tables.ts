/**
 * The DynamoDB tables of the state store (see dynamodb-state-store.ts): the state table with its
 * due index and TTL, and the tables of `@store` rows, as CreateTable requests for infrastructure
 * as code and as calls that create them for tests and local setups.
 *
 * @example
 *   await createStateTable(new DynamoDBClient({ endpoint: 'http://127.0.0.1:8000' }), 'millrace-state');
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ROW_KEY, storeError, StoreError } from '../../core';
import { errorName } from './dynamodb-items';

/** The one method of the client the store calls: a port narrow enough to fake in a unit test. */
export type DynamoDBSender = Pick<DynamoDBClient, 'send'>;

export const DEFAULT_DUE_INDEX = 'due-index';

/**
 * The state table as a CreateTable request: on-demand billing, partition key `pk`, and the sparse
 * `due-index` (partition `due`, sort `nextDue`, projecting `k` so long keys map back). TTL on
 * `ttl` is a separate call (see createStateTable); infrastructure as code sets both.
 *
 * @example
 *   await client.send(new CreateTableCommand(stateTableDefinition('millrace-state')));
 */
export function stateTableDefinition(tableName: string, dueIndexName = DEFAULT_DUE_INDEX): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'due', AttributeType: 'S' },
      { AttributeName: 'nextDue', AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: dueIndexName,
        KeySchema: [
          { AttributeName: 'due', KeyType: 'HASH' },
          { AttributeName: 'nextDue', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['k'] },
      },
    ],
  };
}

/**
 * Creates the state table (if it does not exist), waits until it is active and turns on TTL on
 * the `ttl` attribute. For tests, local setups and `millrace plan`; deployments declare the same
 * table in infrastructure as code.
 *
 * @example
 *   await createStateTable(new DynamoDBClient({ endpoint: 'http://127.0.0.1:8000' }), 'millrace-state');
 */
export async function createStateTable(client: DynamoDBSender, tableName: string, options: { timeoutMs?: number } = {}): Promise<void> {
  await createTable(client, stateTableDefinition(tableName), options.timeoutMs);
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } }));
  } catch (e) {
    // Enabling it twice is refused; that is the state we want.
    if (!(errorName(e) === 'ValidationException' && /already enabled/i.test((e as Error).message))) {
      throw storeError(`could not enable TTL on ${tableName}`, e);
    }
  }
}

/**
 * A `@store` table's DynamoDB table as a CreateTable request: on-demand billing, partition key
 * `millrace:key` (the row's primary key as the engine encodes it); each row attribute is an
 * attribute of the item.
 *
 * @example
 *   await client.send(new CreateTableCommand(rowTableDefinition('Stock')));
 */
export function rowTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: ROW_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: ROW_KEY, KeyType: 'HASH' }],
  };
}

/**
 * Creates the table of a `@store(type='dynamodb')` table (if it does not exist) and waits until it
 * is active. For tests and local setups; deployments declare it in infrastructure as code.
 *
 * @example
 *   await createRowTable(client, 'Stock');
 */
export async function createRowTable(client: DynamoDBSender, tableName: string, options: { timeoutMs?: number } = {}): Promise<void> {
  await createTable(client, rowTableDefinition(tableName), options.timeoutMs);
}

async function createTable(client: DynamoDBSender, input: CreateTableCommandInput, timeoutMs = 120_000): Promise<void> {
  const tableName = input.TableName!;
  try {
    await client.send(new CreateTableCommand(input));
  } catch (e) {
    if (errorName(e) !== 'ResourceInUseException') throw storeError(`could not create table ${tableName}`, e);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let status: string | undefined;
    try {
      const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const indexes = d.Table?.GlobalSecondaryIndexes ?? [];
      status = d.Table?.TableStatus === 'ACTIVE' && indexes.every(i => i.IndexStatus === 'ACTIVE') ? 'ACTIVE' : d.Table?.TableStatus;
    } catch (e) {
      if (errorName(e) !== 'ResourceNotFoundException') throw storeError(`could not describe table ${tableName}`, e);
    }
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) throw new StoreError(`table ${tableName} did not become active (status ${status ?? 'missing'})`);
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}
