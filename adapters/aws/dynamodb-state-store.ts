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
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  BatchGetItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type ConsumedCapacity,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type Put,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import {
  checkDueQuery,
  checkRowWrites,
  checkUnitWrites,
  CommitTooLargeError,
  decodeUnit,
  encodeUnit,
  ROW_KEY,
  StateCodecError,
  StateConflictError,
  StoreError,
  type StateStore,
  type Json,
  type RowWrite,
  type StateStoreStats,
  type StoredRow,
  type StoredUnit,
  type UnitWrite,
} from '../../core';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The one method of the client this store calls: a port narrow enough to fake in a unit test. */
export type DynamoDBSender = Pick<DynamoDBClient, 'send'>;

export interface DynamoDBStateStoreOptions {
  readonly tableName: string;
  /** Name of the due-time index; default `due-index` (what createStateTable creates). */
  readonly dueIndexName?: string;
  /**
   * Compressed bytes per item; a unit above this is split into chunk items. Default 350 KiB,
   * leaving room under DynamoDB's 400 KB item limit for the key and the other attributes.
   */
  readonly chunkBytes?: number;
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

/** What this instance last saw of a key: lets a commit skip reading what it must overwrite. */
type Known =
  | { readonly state: 'absent' }
  | { readonly state: 'tombstone'; readonly version: number }
  | { readonly state: 'live'; readonly version: number; readonly parts: number };

type Item = Record<string, AttributeValue>;

const DEFAULT_CHUNK_BYTES = 350 * 1024;
const DEFAULT_DUE_INDEX = 'due-index';
const DUE = 'Y';
/** DynamoDB's limits on one TransactWriteItems call. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** BatchGetItem takes at most 100 keys per call. */
const MAX_BATCH_KEYS = 100;
/** Keys above this (escaped, UTF-8) are stored under a hash: a partition key holds 2048 bytes. */
const MAX_PLAIN_KEY_BYTES = 1024;
const KNOWN_LIMIT = 10_000;
const ATTEMPTS = 5;

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * The escaped form of a key: valid UTF-8 (lone surrogates become `%uXXXX`) and free of `#`, so
 * `<pk>#chunk#<n>` can never be another unit's key. `%` is escaped too, which keeps it injective.
 */
function escapeKey(key: string): string {
  return key.replace(/[%#]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, c =>
    c === '%' ? '%25' : c === '#' ? '%23' : `%u${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function unescapeKey(escaped: string): string {
  return escaped.replace(/%(25|23|u[0-9A-F]{4})/g, (_, code: string) =>
    code === '25' ? '%' : code === '23' ? '#' : String.fromCharCode(parseInt(code.slice(1), 16)),
  );
}

/**
 * The partition key of a unit: its escaped key (the empty key, which DynamoDB refuses, is `%`),
 * or for a long key a readable prefix, `%~` and a SHA-256 of the key (`%~` never occurs in an
 * escaped key).
 *
 * @example
 *   unitPk('app/Orders/global') // { pk: 'app/Orders/global', hashed: false }
 */
export function unitPk(key: string): { pk: string; escaped: string; hashed: boolean } {
  const escaped = escapeKey(key);
  if (escaped === '') return { pk: '%', escaped, hashed: false };
  if (Buffer.byteLength(escaped, 'utf8') <= MAX_PLAIN_KEY_BYTES) return { pk: escaped, escaped, hashed: false };
  const prefix = escaped.slice(0, 64).replace(/[\ud800-\udbff]$/, '');
  const hash = createHash('sha256').update(escaped, 'utf8').digest('hex');
  return { pk: `${prefix}%~${hash}`, escaped, hashed: true };
}

function keyOfPk(pk: string, item: Item | undefined): string {
  if (pk === '%') return '';
  if (pk.includes('%~')) return unescapeKey(item?.k?.S ?? '');
  return unescapeKey(pk);
}

function chunkPk(pk: string, n: number): string {
  return `${pk}#chunk#${n}`;
}

/** Splits a buffer into parts of at most `size` bytes; always at least one part. */
function split(data: Buffer, size: number): Buffer[] {
  if (data.length <= size) return [data];
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) parts.push(data.subarray(at, at + size));
  return parts;
}

/** DynamoDB's item size: attribute names plus values (numbers about 1 byte per 2 digits). */
function itemSize(item: Item): number {
  let size = 0;
  for (const [name, v] of Object.entries(item)) {
    size += Buffer.byteLength(name, 'utf8');
    if (v.S !== undefined) size += Buffer.byteLength(v.S, 'utf8');
    else if (v.B !== undefined) size += v.B.length;
    else if (v.N !== undefined) size += Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
    else size += 1;
  }
  return size;
}

function errorName(e: unknown): string | undefined {
  return (e as { name?: unknown } | null)?.name as string | undefined;
}

function storeError(what: string, e: unknown): Error {
  if (e instanceof StoreError || e instanceof StateConflictError || e instanceof StateCodecError) return e;
  return new StoreError(`${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

function num(v: AttributeValue | undefined): number | undefined {
  return v?.N === undefined ? undefined : Number(v.N);
}

function knownOf(item: Item | undefined): Known {
  if (item === undefined) return { state: 'absent' };
  const version = num(item.version) ?? 0;
  if (item.deleted?.BOOL === true) return { state: 'tombstone', version };
  return { state: 'live', version, parts: num(item.parts) ?? 1 };
}


/** A JSON value as a DynamoDB attribute value (numbers are finite here: the codec tags the rest). */
function toAttribute(v: Json): AttributeValue {
  if (v === null) return { NULL: true };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map(toAttribute) };
  return { M: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toAttribute(x)])) };
}

function fromAttribute(a: AttributeValue): Json {
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return Number(a.N);
  if (a.BOOL !== undefined) return a.BOOL;
  if (a.L !== undefined) return a.L.map(fromAttribute);
  if (a.M !== undefined) return Object.fromEntries(Object.entries(a.M).map(([k, x]) => [k, fromAttribute(x)]));
  return null;
}

/** A row as an item: its key, and each attribute as a DynamoDB attribute readable by any tool. */
function rowItem(key: string, row: StoredRow): Item {
  const item: Item = { [ROW_KEY]: { S: key } };
  for (const [name, v] of Object.entries(row)) item[name] = toAttribute(v);
  return item;
}

function rowOf(item: Item): StoredRow {
  const row: Record<string, Json> = {};
  for (const [name, a] of Object.entries(item)) if (name !== ROW_KEY) row[name] = fromAttribute(a);
  return row;
}

export class DynamoDBStateStore implements StateStore {
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
  private readonly chunkBytes: number;
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly client: DynamoDBSender,
    options: DynamoDBStateStoreOptions,
  ) {
    this.tableName = options.tableName;
    this.dueIndexName = options.dueIndexName ?? DEFAULT_DUE_INDEX;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!(Number.isSafeInteger(this.chunkBytes) && this.chunkBytes > 0 && this.chunkBytes <= DEFAULT_CHUNK_BYTES)) {
      throw new StoreError(`chunkBytes must be an integer from 1 to ${DEFAULT_CHUNK_BYTES}, got ${String(options.chunkBytes)}`);
    }
  }

  async load(keys: readonly string[]): Promise<Map<string, StoredUnit>> {
    this.stats.loads++;
    const unique = [...new Set(keys)];
    const out = new Map<string, StoredUnit>();
    if (unique.length === 0) return out;
    try {
      // One round trip in the usual case: the chunks of units this instance knows to be split are
      // asked for together with the unit items. BatchGetItem is not a snapshot, so a chunk from
      // another version than its unit item means a commit ran during the read: read both again.
      let pending = unique;
      for (let round = 1; pending.length > 0; round++) {
        const wanted = new Set<string>();
        for (const key of pending) {
          const { pk } = unitPk(key);
          wanted.add(pk);
          const k = this.known.get(key);
          if (k?.state === 'live') for (let n = 1; n < k.parts; n++) wanted.add(chunkPk(pk, n));
        }
        const items = await this.batchGet([...wanted], undefined);
        const again: string[] = [];
        let inconsistent = false;
        for (const key of pending) {
          const { pk, escaped, hashed } = unitPk(key);
          const item = items.get(pk);
          if (item !== undefined && hashed && item.k?.S !== escaped) {
            throw new StoreError(`item '${pk}' in ${this.tableName} holds another state unit (hash collision?)`);
          }
          const known = knownOf(item);
          this.remember(key, known);
          if (known.state !== 'live') continue;
          const data: Buffer[] = [Buffer.from(item!.data?.B ?? new Uint8Array())];
          for (let n = 1; n < known.parts; n++) {
            const chunk = items.get(chunkPk(pk, n));
            if (chunk !== undefined && num(chunk.version) === known.version) {
              data.push(Buffer.from(chunk.data?.B ?? new Uint8Array()));
              continue;
            }
            // Not asked for: this instance did not know the unit was split (yet); no harm done.
            if (chunk !== undefined || wanted.has(chunkPk(pk, n))) inconsistent = true;
            again.push(key);
            break;
          }
          if (again[again.length - 1] === key) continue;
          const bytes = Buffer.concat(data);
          out.set(key, { key, version: known.version, value: await this.decode(pk, bytes) });
          this.stats.unitsRead++;
          this.stats.bytesRead += bytes.length;
        }
        if (again.length > 0 && round >= ATTEMPTS) {
          throw new StateCodecError(
            `state unit '${again[0]}' in ${this.tableName} has missing or mismatched chunk items after ${round} reads (expired by TTL, or written outside Millrace?)`,
          );
        }
        if (inconsistent) await sleep(10 * 2 ** round * (0.5 + Math.random()));
        pending = again;
      }
      return out;
    } catch (e) {
      throw storeError(`could not load state from ${this.tableName}`, e);
    }
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

  async commit(writes: readonly UnitWrite[], rows: readonly RowWrite[] = []): Promise<Map<string, number>> {
    checkUnitWrites(writes);
    checkRowWrites(rows);
    // Encoding may reject an engine bug: do it before anything is sent.
    const texts = writes.map(w => (w.value === null ? null : encodeUnit(w.value)));
    const rowItems = rows.map(r => (r.row === null ? null : rowItem(r.key, r.row)));
    if (writes.length === 0 && rows.length === 0) {
      this.stats.commits++;
      return new Map();
    }
    const payloads = await Promise.all(texts.map(t => (t === null ? null : gzipAsync(Buffer.from(t, 'utf8')))));
    for (let attempt = 1; ; attempt++) {
      const prior = await this.priorStates(writes);
      const plan = this.plan(writes, payloads, prior, rows, rowItems);
      try {
        await this.send(plan);
      } catch (e) {
        if (!this.isConditionFailure(e)) throw storeError(`could not commit state to ${this.tableName}`, e);
        // Who moved? Read the current versions back: a real conflict names the unit and the
        // version found; otherwise what this instance knew was stale (a tombstone changed, or a
        // concurrent transaction touched the item) and the commit is planned again.
        for (const w of writes) this.known.delete(w.key);
        await this.priorStates(writes); // throws the StateConflictError, if that is what it was
        if (attempt >= ATTEMPTS) {
          throw new StoreError(`could not commit state to ${this.tableName}: the items kept changing (${attempt} attempts)`, { cause: e });
        }
        await sleep(5 * 2 ** attempt * (0.5 + Math.random()));
        continue;
      }
      for (const [key, k] of plan.after) this.remember(key, k);
      this.stats.commits++;
      this.stats.unitsWritten += plan.unitsWritten;
      this.stats.rowsWritten = (this.stats.rowsWritten ?? 0) + plan.rowsWritten;
      this.stats.bytesWritten += plan.bytes;
      return plan.versions;
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
          keys.push(keyOfPk(item.pk?.S ?? '', item));
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
  // Planning a commit

  /**
   * What each written unit is now, as far as its conditions need: taken from what this instance
   * saw last when that fits the write, otherwise read in one BatchGetItem. A unit read here that
   * does not match its expected version is a conflict right away, without sending a write.
   */
  private async priorStates(writes: readonly UnitWrite[]): Promise<Map<string, Known>> {
    const prior = new Map<string, Known>();
    const unknown: UnitWrite[] = [];
    for (const w of writes) {
      const k = this.known.get(w.key);
      const fits =
        k !== undefined && (w.expectedVersion === null ? k.state !== 'live' : k.state === 'live' && k.version === w.expectedVersion);
      if (fits) prior.set(w.key, k);
      else unknown.push(w);
    }
    if (unknown.length > 0) {
      let items: Map<string, Item>;
      try {
        items = await this.batchGet(
          unknown.map(w => unitPk(w.key).pk),
          'pk, version, deleted, parts',
        );
      } catch (e) {
        throw storeError(`could not read state versions from ${this.tableName}`, e);
      }
      for (const w of unknown) {
        const k = knownOf(items.get(unitPk(w.key).pk));
        this.remember(w.key, k);
        prior.set(w.key, k);
      }
      for (const w of unknown) {
        const k = prior.get(w.key)!;
        const live = k.state === 'live' ? k.version : null;
        if (live !== w.expectedVersion) throw new StateConflictError(w.key, w.expectedVersion, live);
      }
    }
    return prior;
  }

  private plan(
    writes: readonly UnitWrite[],
    payloads: readonly (Buffer | null)[],
    prior: Map<string, Known>,
    rows: readonly RowWrite[],
    rowItems: readonly (Item | null)[],
  ): CommitPlan {
    const items: TransactWriteItem[] = [];
    const versions = new Map<string, number>();
    const after = new Map<string, Known>();
    let bytes = 0;
    let unitsWritten = 0;
    let wru = 0;
    let gsi = 0;
    writes.forEach((w, i) => {
      const { pk, escaped, hashed } = unitPk(w.key);
      const p = prior.get(w.key)!;
      const data = payloads[i];
      // DynamoDB refuses names and values an expression does not use: one set per case.
      const condition: Pick<Put, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
        p.state === 'live'
          ? {
              ConditionExpression: '#version = :expected AND attribute_not_exists(#deleted)',
              ExpressionAttributeNames: { '#version': 'version', '#deleted': 'deleted' },
              ExpressionAttributeValues: { ':expected': { N: String(p.version) } },
            }
          : p.state === 'tombstone'
            ? {
                ConditionExpression: '#version = :expected AND #deleted = :true',
                ExpressionAttributeNames: { '#version': 'version', '#deleted': 'deleted' },
                ExpressionAttributeValues: { ':expected': { N: String(p.version) }, ':true': { BOOL: true } },
              }
            : { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } };
      const ttl = w.expiresAt === undefined || w.expiresAt === null ? undefined : { N: String(Math.ceil(w.expiresAt / 1000)) };
      const oldParts = p.state === 'live' ? p.parts : 1;
      const version = (p.state === 'absent' ? 0 : p.version) + 1;

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
        items.push({ Put: { TableName: this.tableName, Item: tombstone, ...condition } });
        wru += Math.ceil(itemSize(tombstone) / 1024);
        for (let n = 1; n < oldParts; n++) items.push({ Delete: { TableName: this.tableName, Key: { pk: { S: chunkPk(pk, n) } } } });
        wru += oldParts - 1;
        after.set(w.key, { state: 'tombstone', version });
        unitsWritten++;
        return;
      }

      const parts = split(data, this.chunkBytes);
      const unit: Item = { pk: { S: pk }, version: { N: String(version) }, data: { B: parts[0] } };
      if (parts.length > 1) unit.parts = { N: String(parts.length) };
      if (w.nextDue !== undefined && w.nextDue !== null) {
        unit.nextDue = { N: String(w.nextDue) };
        unit.due = { S: DUE };
        gsi++;
      }
      if (hashed) unit.k = { S: escaped };
      if (ttl) unit.ttl = ttl;
      items.push({ Put: { TableName: this.tableName, Item: unit, ...condition } });
      wru += Math.ceil(itemSize(unit) / 1024);
      for (let n = 1; n < parts.length; n++) {
        const chunk: Item = { pk: { S: chunkPk(pk, n) }, version: { N: String(version) }, data: { B: parts[n] } };
        if (ttl) chunk.ttl = ttl;
        items.push({ Put: { TableName: this.tableName, Item: chunk } });
        wru += Math.ceil(itemSize(chunk) / 1024);
      }
      // Chunks the unit no longer needs go in the same transaction, so none is left behind.
      for (let n = parts.length; n < oldParts; n++) items.push({ Delete: { TableName: this.tableName, Key: { pk: { S: chunkPk(pk, n) } } } });
      wru += Math.max(0, oldParts - parts.length);
      versions.set(w.key, version);
      after.set(w.key, { state: 'live', version, parts: parts.length });
      bytes += data.length;
      unitsWritten++;
    });

    // Rows of @store tables: unconditional (the global unit's condition serialises the app's writers).
    let rowsWritten = 0;
    rows.forEach((r, i) => {
      const item = rowItems[i];
      if (item === null) {
        items.push({ Delete: { TableName: r.table, Key: { [ROW_KEY]: { S: r.key } } } });
        wru += 1;
      } else {
        items.push({ Put: { TableName: r.table, Item: item } });
        const size = itemSize(item);
        wru += Math.ceil(size / 1024);
        bytes += size;
      }
      rowsWritten++;
    });

    if (items.length > MAX_TRANSACTION_ITEMS) {
      throw new CommitTooLargeError(
        `a commit of ${writes.length} state units and ${rows.length} table rows needs ${items.length} DynamoDB items (chunks of large units included); one transaction holds at most ${MAX_TRANSACTION_ITEMS}`,
      );
    }
    if (bytes > MAX_TRANSACTION_BYTES) {
      throw new CommitTooLargeError(
        `a commit of ${writes.length} state units writes ${bytes} compressed bytes; one DynamoDB transaction holds at most ${MAX_TRANSACTION_BYTES}`,
      );
    }
    const single = items.length === 1 && items[0].Put !== undefined;
    return { items, versions, after, bytes, unitsWritten, rowsWritten, writeRequestUnits: (single ? wru : 2 * wru) + gsi };
  }

  private async send(plan: CommitPlan): Promise<void> {
    this.stats.writeRequestUnits += plan.writeRequestUnits;
    const put = plan.items[0].Put;
    if (plan.items.length === 1 && put !== undefined) {
      // One unit, one item: a conditional PutItem costs half a transaction.
      const r = await this.request(() => this.client.send(new PutItemCommand({ ...put, TableName: put.TableName!, Item: put.Item!, ReturnConsumedCapacity: 'TOTAL' })));
      this.count(r.ConsumedCapacity, 'write');
      return;
    }
    const r = await this.request(() =>
      this.client.send(new TransactWriteItemsCommand({ TransactItems: plan.items, ReturnConsumedCapacity: 'TOTAL' })),
    );
    for (const c of r.ConsumedCapacity ?? []) this.count(c, 'write');
  }

  private isConditionFailure(e: unknown): boolean {
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
          if (round > 0) await sleep(Math.min(1000, 20 * 2 ** round) * (0.5 + Math.random()));
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

  private async decode(pk: string, bytes: Buffer) {
    let text: string;
    try {
      text = (await gunzipAsync(bytes)).toString('utf8');
    } catch (e) {
      throw new StateCodecError(`item '${pk}' in ${this.tableName} does not hold gzipped state: ${(e as Error).message}`, { cause: e });
    }
    try {
      return decodeUnit(text);
    } catch (e) {
      throw new StateCodecError(`item '${pk}' in ${this.tableName}: ${(e as Error).message}`, { cause: e });
    }
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

  private remember(key: string, k: Known): void {
    this.known.delete(key);
    this.known.set(key, k);
    // Oldest first: a warm function that sees many partitions keeps only the recent ones.
    if (this.known.size > KNOWN_LIMIT) this.known.delete(this.known.keys().next().value as string);
  }
}

interface CommitPlan {
  readonly items: TransactWriteItem[];
  readonly versions: Map<string, number>;
  readonly after: Map<string, Known>;
  readonly bytes: number;
  readonly unitsWritten: number;
  readonly rowsWritten: number;
  readonly writeRequestUnits: number;
}

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
    await sleep(500);
  }
}
