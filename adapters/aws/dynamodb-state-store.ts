/**
 * A StateStore over one DynamoDB table (DESIGN.md section 3): one item per state unit, written
 * with a condition on the version the unit was loaded at, several units in one transaction.
 *
 * Item layout (partition key `pk`, a string):
 * - unit item, `pk` = the unit key escaped (see `unitPk`): `version` (N), `data` (B, the encoded
 *   unit gzipped, or its first part), `parts` (N, only when the unit is split), `nextDue` (N) and
 *   `due` (S) when the unit has a timer, `ttl` (N, epoch seconds) when the write gave `expiresAt`,
 *   `k` (S, the escaped key) when the key was too long and `pk` is a hash of it.
 * - tombstone: a deleted unit keeps `pk`, `version` and `deleted` (BOOL true), so a re-created unit
 *   continues the numbering and a writer holding an old version always gets a conflict.
 * - chunk items `<pk>#chunk#<n>` (n = 1, 2, ...): `version` and `data`, when a unit compresses to
 *   more than 350 KiB (items are limited to 400 KB). They are written in the unit's transaction;
 *   on load their version must match the unit item's, which catches a read torn by a concurrent
 *   commit (BatchGetItem is not a snapshot) and is then simply re-read.
 *
 * Rows of `@store` tables and aggregations live in tables of their own (`table.name`, created
 * with `createRowTable`): partition key `millrace:key` (the engine's row key, at most 2,048 bytes)
 * and one attribute per row attribute; a commit writes them in the same transaction as the units.
 *
 * A sparse global secondary index (`due` = 'Y', sort key `nextDue`) lists the units with a timer,
 * so `dueUnits` is a Query, never a scan. Create the table with `createStateTable` or from
 * `stateTableDefinition` (infrastructure as code).
 *
 * The client is injected (DESIGN.md section 7); give it a NodeHttpHandler from
 * `@smithy/node-http-handler` with keep-alive, so a warm function reuses its connections.
 *
 * @example
 *   const client = new DynamoDBClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 2000 }) });
 *   const store = new DynamoDBStateStore(client, { tableName: 'millrace-state' });
 *   const loaded = await store.load(['app/Orders/global']);
 */
import {
  BatchGetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type ConsumedCapacity,
  type Put,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import {
  ChunkedStateStore,
  checkDueQuery,
  CommitTooLargeError,
  ROW_KEY,
  splitBytes,
  StateCodecError,
  storeError,
  StoreError,
  type Known,
  type PlannedCommit,
  type RecordId,
  type RetryTiming,
  type RowWrite,
  type StateStoreStats,
  type StoredRow,
  type Logger,
  type UnitRead,
  type UnitRecord,
  type UnitWrite,
} from '../../core';
import { gzipCompression } from '../node/gzip-compression';
import { nodeTiming } from '../node/retry-timing';
import { chunkPk, errorName, itemSize, keyOfPk, numberOf, rowItem, rowOf, unitPk, unitRecordOf, type Item } from './dynamodb-items';
import { DEFAULT_DUE_INDEX, type DynamoDBSender } from './dynamodb-tables';

export { unitPk } from './dynamodb-items';
export { createRowTable, createStateTable, rowTableDefinition, stateTableDefinition, type DynamoDBSender } from './dynamodb-tables';

export interface DynamoDBStateStoreOptions {
  readonly tableName: string;
  /** Name of the due-time index; default `due-index` (what createStateTable creates). */
  readonly dueIndexName?: string;
  /**
   * Compressed bytes per item; a unit above this is split into chunk items. Default 350 KiB,
   * leaving room under DynamoDB's 400 KB item limit for the key and the other attributes.
   */
  readonly chunkBytes?: number;
  /** How retries wait (a fake clock in tests); default real time. */
  readonly timing?: RetryTiming;
  /** Where dueUnits reports a due item it skips (one that is no unit's item); default silent. */
  readonly logger?: Logger;
}

/**
 * The store's counters. Request units follow AWS's on-demand rules from the item sizes moved:
 * 1 WRU per KB written, 1 RRU per 4 KB strongly consistent read (a missing item still costs 1),
 * twice that inside a transaction, plus 1 WRU for the index entry of a unit with a timer. The
 * consumed figures are what the service itself reported (DynamoDB Local reports them too).
 */
export interface DynamoDBStateStoreStats extends StateStoreStats {
  /** Calls to DynamoDB. */
  requests: number;
  readRequestUnits: number;
  writeRequestUnits: number;
  consumedReadUnits: number;
  consumedWriteUnits: number;
}

const DEFAULT_CHUNK_BYTES = 350 * 1024;
const DUE = 'Y';
/** DynamoDB's limits on one TransactWriteItems call. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** BatchGetItem takes at most 100 keys per call. */
const MAX_BATCH_KEYS = 100;

/** The conditions of a unit's Put: DynamoDB refuses names and values an expression does not use, so one set per case. */
function conditionOn(p: Known): Pick<Put, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  if (p.state === 'live') {
    return {
      ConditionExpression: '#version = :expected AND attribute_not_exists(#deleted)',
      ExpressionAttributeNames: { '#version': 'version', '#deleted': 'deleted' },
      ExpressionAttributeValues: { ':expected': { N: String(p.version) } },
    };
  }
  if (p.state === 'tombstone') {
    return {
      ConditionExpression: '#version = :expected AND #deleted = :true',
      ExpressionAttributeNames: { '#version': 'version', '#deleted': 'deleted' },
      ExpressionAttributeValues: { ':expected': { N: String(p.version) }, ':true': { BOOL: true } },
    };
  }
  return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } };
}

interface CommitPlan extends PlannedCommit {
  readonly items: TransactWriteItem[];
  readonly after: Map<string, Known>;
  bytes: number;
  unitsWritten: number;
  rowsWritten: number;
  writeRequestUnits: number;
}

export class DynamoDBStateStore extends ChunkedStateStore<object, CommitPlan, Item> {
  readonly stats: DynamoDBStateStoreStats = {
    loads: 0,
    unitsRead: 0,
    commits: 0,
    unitsWritten: 0,
    bytesRead: 0,
    bytesWritten: 0,
    requests: 0,
    readRequestUnits: 0,
    writeRequestUnits: 0,
    consumedReadUnits: 0,
    consumedWriteUnits: 0,
    rowsRead: 0,
    rowsWritten: 0,
  };
  readonly tableName: string;
  private readonly dueIndexName: string;

  constructor(
    private readonly client: DynamoDBSender,
    options: DynamoDBStateStoreOptions,
  ) {
    super({
      names: { place: options.tableName, records: 'items' },
      compression: gzipCompression,
      chunkBytes: options.chunkBytes,
      defaultChunkBytes: DEFAULT_CHUNK_BYTES,
      maxChunkBytes: DEFAULT_CHUNK_BYTES,
      commitBackoffMs: 5,
      timing: options.timing ?? nodeTiming,
      // A unit's item and its chunks are written in one transaction.
      maxParts: MAX_TRANSACTION_ITEMS,
      logger: options.logger,
    });
    this.tableName = options.tableName;
    this.dueIndexName = options.dueIndexName ?? DEFAULT_DUE_INDEX;
  }

  /**
   * Rows of a `@store` table from its own DynamoDB table (create it with `createRowTable`):
   * BatchGetItem for keys, a paginated Scan for all rows, both strongly consistent.
   */
  async loadRows(table: string, keys: readonly string[] | null): Promise<Map<string, StoredRow>> {
    const out = new Map<string, StoredRow>();
    try {
      let items: Item[];
      if (keys !== null) items = [...(await this.batchGet(keys, undefined, table, ROW_KEY)).values()];
      else {
        items = [];
        let start: Item | undefined;
        do {
          const r = await this.request(() =>
            this.client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start, ReturnConsumedCapacity: 'TOTAL' })),
          );
          items.push(...(r.Items ?? []));
          this.count(r.ConsumedCapacity, 'read');
          this.stats.readRequestUnits += Math.max(1, Math.ceil((r.Items ?? []).reduce((n, i) => n + itemSize(i), 0) / 4096));
          start = r.LastEvaluatedKey;
        } while (start !== undefined);
      }
      for (const item of items) {
        const key = item[ROW_KEY]?.S;
        if (key === undefined) throw new StateCodecError(`an item of ${table} has no '${ROW_KEY}' attribute: not a Millrace @store table`);
        out.set(key, rowOf(item));
        this.stats.rowsRead = (this.stats.rowsRead ?? 0) + 1;
        this.stats.bytesRead += itemSize(item);
      }
      return out;
    } catch (e) {
      throw storeError(`could not load rows of ${table}`, e);
    }
  }

  /**
   * Keys of units due at `now`, from the sparse index. The index is eventually consistent: a
   * unit committed a moment ago may be missing from the answer, or one listed that just fired.
   */
  async dueUnits(now: number, limit: number): Promise<string[]> {
    checkDueQuery(now, limit);
    const keys: string[] = [];
    let start: Item | undefined;
    try {
      while (keys.length < limit) {
        const r = await this.request(() =>
          this.client.send(new QueryCommand({
            TableName: this.tableName,
            IndexName: this.dueIndexName,
            KeyConditionExpression: '#due = :due AND #nextDue <= :now',
            ExpressionAttributeNames: { '#due': 'due', '#nextDue': 'nextDue' },
            ExpressionAttributeValues: { ':due': { S: DUE }, ':now': { N: String(now) } },
            Limit: limit - keys.length,
            ExclusiveStartKey: start,
            ReturnConsumedCapacity: 'TOTAL',
          })),
        );
        for (const item of r.Items ?? []) {
          const pk = item.pk?.S ?? '';
          const key = this.dueKey(pk, keyOfPk(pk, item));
          if (key !== null) keys.push(key);
          // Eventually consistent index reads: half a unit per 4 KB.
          this.stats.readRequestUnits += 0.5 * Math.ceil(itemSize(item) / 4096);
        }
        this.count(r.ConsumedCapacity, 'read');
        start = r.LastEvaluatedKey;
        if (start === undefined) break;
      }
      return keys;
    } catch (e) {
      throw storeError(`could not query due units in ${this.tableName}`, e);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The primitives of the chunked store

  protected unitId(key: string): RecordId {
    const { pk, escaped, hashed } = unitPk(key);
    return { id: pk, escaped, hashed };
  }

  protected describe(key: string): string {
    return `item '${unitPk(key).pk}' in ${this.tableName}`;
  }

  /** The unit items and the chunk items asked for, in one (paginated) BatchGetItem. */
  protected async readUnits(wanted: readonly { key: string; chunks: number }[]): Promise<Map<string, UnitRead<object>>> {
    const pks: string[] = [];
    for (const { key, chunks } of wanted) {
      const { pk } = unitPk(key);
      pks.push(pk);
      for (let n = 1; n <= chunks; n++) pks.push(chunkPk(pk, n));
    }
    const items = await this.batchGet(pks, undefined);
    const out = new Map<string, UnitRead<object>>();
    for (const { key, chunks } of wanted) {
      const { pk } = unitPk(key);
      const item = items.get(pk);
      if (item === undefined) continue;
      out.set(key, {
        unit: unitRecordOf(item)!,
        chunks: Array.from({ length: chunks }, (_, i) => {
          const chunk = items.get(chunkPk(pk, i + 1));
          return chunk === undefined ? undefined : { version: numberOf(chunk.version), data: chunk.data?.B ?? chunk.data };
        }),
      });
    }
    return out;
  }

  protected async readKnown(keys: readonly string[]): Promise<(UnitRecord<object> | undefined)[]> {
    const items = await this.batchGet(
      keys.map(k => unitPk(k).pk),
      'pk, version, deleted, parts, k',
    );
    return keys.map(k => unitRecordOf(items.get(unitPk(k).pk)));
  }

  protected encodeRow(key: string, row: StoredRow): Item {
    return rowItem(key, row);
  }

  protected planCommit(
    writes: readonly UnitWrite[],
    payloads: readonly (Uint8Array | null)[],
    prior: ReadonlyMap<string, Known>,
    rows: readonly RowWrite[],
    rowItems: readonly (Item | null)[],
  ): CommitPlan {
    const plan: CommitPlan = { items: [], versions: new Map(), after: new Map(), bytes: 0, unitsWritten: 0, rowsWritten: 0, writeRequestUnits: 0 };
    const cost = { wru: 0, gsi: 0 };
    writes.forEach((w, i) => this.planUnit(plan, cost, w, prior.get(w.key)!, payloads[i]));

    // Rows of @store tables: unconditional (the global unit's condition serialises the app's writers).
    rows.forEach((r, i) => {
      const item = rowItems[i];
      if (item === null) {
        plan.items.push({ Delete: { TableName: r.table, Key: { [ROW_KEY]: { S: r.key } } } });
        cost.wru += 1;
      } else {
        plan.items.push({ Put: { TableName: r.table, Item: item } });
        const size = itemSize(item);
        cost.wru += Math.ceil(size / 1024);
        plan.bytes += size;
      }
      plan.rowsWritten++;
    });

    if (plan.items.length > MAX_TRANSACTION_ITEMS) {
      throw new CommitTooLargeError(
        `a commit of ${writes.length} state units and ${rows.length} table rows needs ${plan.items.length} DynamoDB items (chunks of large units included); one transaction holds at most ${MAX_TRANSACTION_ITEMS}`,
      );
    }
    if (plan.bytes > MAX_TRANSACTION_BYTES) {
      throw new CommitTooLargeError(
        `a commit of ${writes.length} state units writes ${plan.bytes} compressed bytes; one DynamoDB transaction holds at most ${MAX_TRANSACTION_BYTES}`,
      );
    }
    const single = plan.items.length === 1 && plan.items[0].Put !== undefined;
    plan.writeRequestUnits = (single ? cost.wru : 2 * cost.wru) + cost.gsi;
    return plan;
  }

  /** The items of one unit write: its unit item (or tombstone, or a check), chunks, old chunks deleted. */
  private planUnit(plan: CommitPlan, cost: { wru: number; gsi: number }, w: UnitWrite, p: Known, data: Uint8Array | null): void {
    const { pk, escaped, hashed } = unitPk(w.key);
    const items = plan.items;
    const ttl = w.expiresAt === undefined || w.expiresAt === null ? undefined : { N: String(Math.ceil(w.expiresAt / 1000)) };
    const oldParts = p.state === 'live' ? p.parts : 1;
    const version = (p.state === 'absent' ? 0 : p.version) + 1;
    const deleteChunks = (from: number) => {
      for (let n = from; n < oldParts; n++) items.push({ Delete: { TableName: this.tableName, Key: { pk: { S: chunkPk(pk, n) } } } });
      cost.wru += Math.max(0, oldParts - from);
    };

    if (data === null) {
      if (p.state !== 'live') {
        // Deleting what does not exist changes nothing, but must still find it absent.
        items.push({
          ConditionCheck: {
            TableName: this.tableName,
            Key: { pk: { S: pk } },
            ConditionExpression: 'attribute_not_exists(#pk) OR #deleted = :true',
            ExpressionAttributeNames: { '#pk': 'pk', '#deleted': 'deleted' },
            ExpressionAttributeValues: { ':true': { BOOL: true } },
          },
        });
        return;
      }
      const tombstone: Item = { pk: { S: pk }, version: { N: String(version) }, deleted: { BOOL: true } };
      if (hashed) tombstone.k = { S: escaped };
      if (ttl) tombstone.ttl = ttl;
      items.push({ Put: { TableName: this.tableName, Item: tombstone, ...conditionOn(p) } });
      cost.wru += Math.ceil(itemSize(tombstone) / 1024);
      deleteChunks(1);
      plan.after.set(w.key, { state: 'tombstone', version });
      plan.unitsWritten++;
      return;
    }

    const parts = splitBytes(data, this.chunkBytes);
    const unit: Item = { pk: { S: pk }, version: { N: String(version) }, data: { B: parts[0] } };
    if (parts.length > 1) unit.parts = { N: String(parts.length) };
    if (w.nextDue !== undefined && w.nextDue !== null) {
      unit.nextDue = { N: String(w.nextDue) };
      unit.due = { S: DUE };
      cost.gsi++;
    }
    if (hashed) unit.k = { S: escaped };
    if (ttl) unit.ttl = ttl;
    items.push({ Put: { TableName: this.tableName, Item: unit, ...conditionOn(p) } });
    cost.wru += Math.ceil(itemSize(unit) / 1024);
    for (let n = 1; n < parts.length; n++) {
      const chunk: Item = { pk: { S: chunkPk(pk, n) }, version: { N: String(version) }, data: { B: parts[n] } };
      if (ttl) chunk.ttl = ttl;
      items.push({ Put: { TableName: this.tableName, Item: chunk } });
      cost.wru += Math.ceil(itemSize(chunk) / 1024);
    }
    // Chunks the unit no longer needs go in the same transaction, so none is left behind.
    deleteChunks(parts.length);
    plan.versions.set(w.key, version);
    plan.after.set(w.key, { state: 'live', version, parts: parts.length });
    plan.bytes += data.length;
    plan.unitsWritten++;
  }

  protected async sendCommit(plan: CommitPlan): Promise<Map<string, Known>> {
    this.stats.writeRequestUnits += plan.writeRequestUnits;
    const put = plan.items[0].Put;
    if (plan.items.length === 1 && put !== undefined) {
      // One unit, one item: a conditional PutItem costs half a transaction.
      const r = await this.request(() => this.client.send(new PutItemCommand({ ...put, TableName: put.TableName!, Item: put.Item!, ReturnConsumedCapacity: 'TOTAL' })));
      this.count(r.ConsumedCapacity, 'write');
      return plan.after;
    }
    const r = await this.request(() =>
      this.client.send(new TransactWriteItemsCommand({ TransactItems: plan.items, ReturnConsumedCapacity: 'TOTAL' })),
    );
    for (const c of r.ConsumedCapacity ?? []) this.count(c, 'write');
    return plan.after;
  }

  protected isPreconditionFailure(e: unknown): boolean {
    const name = errorName(e);
    if (name === 'ConditionalCheckFailedException') return true;
    if (name !== 'TransactionCanceledException') return false;
    const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    // A concurrent transaction on one of the items is resolved like a failed condition: read the
    // versions back and report a conflict, or try again.
    return reasons.some(r => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  /** Strongly consistent BatchGetItem of distinct partition keys, following UnprocessedKeys. */
  private async batchGet(pks: readonly string[], projection: string | undefined, table = this.tableName, keyName = 'pk'): Promise<Map<string, Item>> {
    const out = new Map<string, Item>();
    const unique = [...new Set(pks)];
    const batches: string[][] = [];
    for (let at = 0; at < unique.length; at += MAX_BATCH_KEYS) batches.push(unique.slice(at, at + MAX_BATCH_KEYS));
    await Promise.all(
      batches.map(async batch => {
        let keys: Item[] | undefined = batch.map(pk => ({ [keyName]: { S: pk } }));
        for (let round = 0; keys !== undefined && keys.length > 0; round++) {
          if (round > 0) await this.timing.sleep(Math.min(1000, 20 * 2 ** round) * (0.5 + this.timing.random()));
          if (round > 10) throw new StoreError(`BatchGetItem on ${table} left keys unprocessed ${round} times`);
          const r = await this.request(() =>
            this.client.send(new BatchGetItemCommand({
              RequestItems: {
                [table]: {
                  Keys: keys,
                  ConsistentRead: true,
                  ...(projection === undefined
                    ? {}
                    : { ProjectionExpression: projection.replace(/\b(\w+)\b/g, '#$1'), ExpressionAttributeNames: Object.fromEntries(projection.split(/\s*,\s*/).map(a => [`#${a}`, a])) }),
                },
              },
              ReturnConsumedCapacity: 'TOTAL',
            })),
          );
          const got = r.Responses?.[table] ?? [];
          for (const item of got) {
            const pk = item[keyName]?.S;
            if (pk !== undefined) out.set(pk, item);
            this.stats.readRequestUnits += Math.ceil(itemSize(item) / 4096);
          }
          const unprocessed = r.UnprocessedKeys?.[table]?.Keys;
          // A missing item still costs a read unit.
          this.stats.readRequestUnits += keys.length - got.length - (unprocessed?.length ?? 0);
          for (const c of r.ConsumedCapacity ?? []) this.count(c, 'read');
          keys = unprocessed;
        }
      }),
    );
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Bookkeeping

  private request<T>(call: () => Promise<T>): Promise<T> {
    this.stats.requests++;
    return call();
  }

  private count(c: ConsumedCapacity | undefined, kind: 'read' | 'write'): void {
    if (c === undefined) return;
    if (kind === 'read') this.stats.consumedReadUnits += c.CapacityUnits ?? 0;
    else this.stats.consumedWriteUnits += c.CapacityUnits ?? 0;
  }
}
