/**
 * What the stored-format fixtures (test/fixtures/stores/*.json) hold and how they are taken and
 * put back: the commits that produce them, and per backend a dump of the raw stored items
 * (DynamoDB items, Firestore documents, files) as JSON. `scripts/store-fixtures.mjs` runs the
 * commits with the code of its day and writes the dumps; `test/unit/state/store-formats.test.ts`
 * puts the dumps back and reads them with today's code, and writes the commits again to compare.
 *
 * @example
 *   for (const step of fixtureSteps('Stock')) await store.commit(step.writes, step.rows);
 *   const dump = await dumpDynamoDB(client, 'state', 'Stock');
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import {
  DeleteTableCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { Timestamp, type Firestore } from '@google-cloud/firestore';
import type { Json, RowWrite, StateStore, StoredUnit, UnitWrite } from '../../core';

/** Chunk size for the DynamoDB and Firestore fixtures: small, so a few KB make several chunks. */
export const FIXTURE_CHUNK_BYTES = 1024;

/** Deterministic text that gzip cannot squeeze much: a few KB compress to a few chunks. */
function noise(n: number, seed: number): string[] {
  let x = seed >>> 0;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 4).toString(36);
  });
}

export const FIXTURE_KEYS = {
  small: 'app/Orders/global',
  large: 'app/Orders/global#p:q1:0a1b2c3d:BigKey',
  long: `app/Orders/global#p:q1:0a1b2c3d:${'long-key-'.repeat(130)}\u20ac`,
  special: "Sp#e%c/i~a!l(*)'\u00e9\u{1F680} UPPER",
  lone: 'lone\udc00surrogate\ud800',
  empty: '',
  dot: '.',
  reserved: '__x__',
  deleted: 'app/Gone/global',
} as const;

/**
 * The commits behind every fixture, in order; `rowTable` names the `@store` table. Expiry times
 * lie far ahead: DynamoDB Local honours TTL and would delete expired items under the test.
 */
export function fixtureSteps(rowTable: string): { writes: UnitWrite[]; rows: RowWrite[] }[] {
  const K = FIXTURE_KEYS;
  return [
    {
      writes: [
        { key: K.small, value: { n: 1, s: 'x\u00e9', list: [1, 2.5, null, true] }, expectedVersion: null, nextDue: 1_700_000_000_000, expiresAt: 4_102_444_800_500 },
        { key: K.large, value: noise(1500, 1), expectedVersion: null },
        { key: K.long, value: { long: true }, expectedVersion: null, nextDue: 1_700_000_000_001 },
        { key: K.deleted, value: 'soon gone', expectedVersion: null },
      ],
      rows: [
        { table: rowTable, key: '["ACME"]', row: { symbol: 'ACME', qty: 10, price: 1.5, ok: true, note: null } },
        { table: rowTable, key: '["NEST"]', row: { symbol: 'NEST', tags: ['a', ['b', 1]], obj: { '~t': 'long', v: '12' } } },
        { table: rowTable, key: '["GONE"]', row: { symbol: 'GONE' } },
      ],
    },
    {
      writes: [
        { key: K.large, value: noise(700, 2), expectedVersion: 1, expiresAt: 4_102_444_900_000 },
        { key: K.special, value: [K.special], expectedVersion: null, nextDue: 5 },
        { key: K.lone, value: K.lone, expectedVersion: null, nextDue: 6 },
        { key: K.empty, value: 'empty key', expectedVersion: null, nextDue: 7 },
        { key: K.dot, value: 'dot', expectedVersion: null, nextDue: 8 },
        { key: K.reserved, value: 'reserved', expectedVersion: null, nextDue: 9 },
        { key: K.deleted, value: null, expectedVersion: 1 },
      ],
      rows: [{ table: rowTable, key: '["GONE"]', row: null }],
    },
    { writes: [{ key: K.small, value: { n: 2, s: 'y' }, expectedVersion: 1, nextDue: 1_700_000_000_002 }], rows: [] },
  ];
}

/** What a store gives back after the steps: every key's unit, the rows and the due units. */
export interface FixtureReadout {
  readonly units: StoredUnit[];
  readonly rows: [string, Json][];
  readonly due: string[];
}

export async function readout(store: StateStore, rowTable: string): Promise<FixtureReadout> {
  const keys = Object.values(FIXTURE_KEYS);
  const loaded = await store.load(keys);
  const rows = await store.loadRows(rowTable, null);
  return {
    units: keys.flatMap(k => (loaded.has(k) ? [loaded.get(k)!] : [])),
    rows: [...rows.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    due: await store.dueUnits(1_800_000_000_000, 100),
  };
}

export async function runSteps(store: StateStore, rowTable: string): Promise<void> {
  for (const step of fixtureSteps(rowTable)) await store.commit(step.writes, step.rows);
}

// ---------------------------------------------------------------------------------------------
// DynamoDB: items as JSON, binary attributes as { B64: base64 }

type JsonAttribute = { [type: string]: unknown };

function attrToJson(a: AttributeValue): JsonAttribute {
  if (a.B !== undefined) return { B64: Buffer.from(a.B).toString('base64') };
  if (a.L !== undefined) return { L: a.L.map(attrToJson) };
  if (a.M !== undefined) return { M: Object.fromEntries(Object.entries(a.M).map(([k, v]) => [k, attrToJson(v)])) };
  return a as unknown as JsonAttribute;
}

function attrFromJson(a: JsonAttribute): AttributeValue {
  if (typeof a.B64 === 'string') return { B: Buffer.from(a.B64, 'base64') };
  if (Array.isArray(a.L)) return { L: (a.L as JsonAttribute[]).map(attrFromJson) };
  if (a.M !== undefined) return { M: Object.fromEntries(Object.entries(a.M as Record<string, JsonAttribute>).map(([k, v]) => [k, attrFromJson(v)])) };
  return a as unknown as AttributeValue;
}

type JsonItem = Record<string, JsonAttribute>;

/** Sorted by a key attribute, attributes by name: a dump does not depend on the scan order. */
function sortedItems(items: JsonItem[], keyName: string): JsonItem[] {
  const S = (i: JsonItem) => String(i[keyName]?.S);
  return items
    .map(i => Object.fromEntries(Object.entries(i).sort(([a], [b]) => (a < b ? -1 : 1))))
    .sort((a, b) => (S(a) < S(b) ? -1 : S(a) > S(b) ? 1 : 0));
}

async function scanAll(client: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const out: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const r = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}

export interface DynamoDBDump {
  readonly units: JsonItem[];
  readonly rows: JsonItem[];
}

export async function dumpDynamoDB(client: DynamoDBClient, table: string, rowTable: string): Promise<DynamoDBDump> {
  return {
    units: sortedItems((await scanAll(client, table)).map(i => attrToJson({ M: i }).M as JsonItem), 'pk'),
    rows: sortedItems((await scanAll(client, rowTable)).map(i => attrToJson({ M: i }).M as JsonItem), 'millrace:key'),
  };
}

export async function restoreDynamoDB(client: DynamoDBClient, dump: DynamoDBDump, table: string, rowTable: string): Promise<void> {
  for (const [t, items] of [[table, dump.units], [rowTable, dump.rows]] as const) {
    for (const item of items) await client.send(new PutItemCommand({ TableName: t, Item: attrFromJson({ M: item }).M! }));
  }
}

export async function deleteDynamoDBTables(client: DynamoDBClient, tables: readonly string[]): Promise<void> {
  for (const t of tables) await client.send(new DeleteTableCommand({ TableName: t })).catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// Firestore: documents by path, bytes as { $bytes: base64 }, timestamps as { $timestamp: ms }

type JsonFields = Record<string, unknown>;

function fieldToJson(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (v instanceof Timestamp) return { $timestamp: v.toMillis() };
  if (Array.isArray(v)) return v.map(fieldToJson);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, fieldToJson(x)]));
  return v;
}

function fieldFromJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fieldFromJson);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$bytes === 'string') return Buffer.from(o.$bytes, 'base64');
    if (typeof o.$timestamp === 'number') return Timestamp.fromMillis(o.$timestamp);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fieldFromJson(x)]));
  }
  return v;
}

export interface FirestoreDump {
  /** Paths relative to the unit collection (`<id>` or `<id>/chunks/<n>`). */
  readonly units: [string, JsonFields][];
  /** Document ids in the row collection. */
  readonly rows: [string, JsonFields][];
}

export async function dumpFirestore(db: Firestore, collection: string, rowCollection: string): Promise<FirestoreDump> {
  const units: [string, JsonFields][] = [];
  for (const doc of (await db.collection(collection).get()).docs) {
    units.push([doc.id, fieldToJson(doc.data()) as JsonFields]);
    for (const chunk of (await doc.ref.collection('chunks').get()).docs) units.push([`${doc.id}/chunks/${chunk.id}`, fieldToJson(chunk.data()) as JsonFields]);
  }
  const rows = (await db.collection(rowCollection).get()).docs.map(d => [d.id, fieldToJson(d.data())] as [string, JsonFields]);
  const byPath = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return { units: units.sort(byPath), rows: rows.sort(byPath) };
}

export async function restoreFirestore(db: Firestore, dump: FirestoreDump, collection: string, rowCollection: string): Promise<void> {
  for (const [p, fields] of dump.units) await db.collection(collection).doc(p).set(fieldFromJson(fields) as JsonFields);
  for (const [id, fields] of dump.rows) await db.collection(rowCollection).doc(id).set(fieldFromJson(fields) as JsonFields);
}

// ---------------------------------------------------------------------------------------------
// Files: every file under the store's directory (relative path -> text), lock and temp files aside

export type FileDump = [string, string][];

export async function dumpFiles(dir: string): Promise<FileDump> {
  const out: FileDump = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fsp.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel === '' ? entry.name : `${rel}/${entry.name}`;
      // '.json' (the empty key) and '..json' ('.') are units; the lock, journal and temp files are not.
      if (/^\.(lock|lock-break|journal|tmp-.*)$/.test(entry.name)) continue;
      if (entry.isDirectory()) await walk(p);
      else out.push([p, await fsp.readFile(path.join(dir, p), 'utf8')]);
    }
  };
  await walk('');
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export async function restoreFiles(dump: FileDump, dir: string): Promise<void> {
  for (const [p, text] of dump) {
    await fsp.mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await fsp.writeFile(path.join(dir, p), text, 'utf8');
  }
}
