/**
 * What is stored stays readable: test/fixtures/stores/*.json hold the raw items, documents and
 * files that the stores wrote before they shared one base (scripts/store-fixtures.mjs run on a
 * checkout of c0480e2, the last commit before it); `file-v1.json` is that checkout's files (file
 * names of version 1), `file.json` what the file store writes since its names became version 2
 * (a state directory of version 1 is migrated once: see docs/state-stores.md). Put back as they were, today's stores must read the
 * same units, rows and due keys; and the same commits written by today's stores must leave the
 * same items, byte for byte (gzip's bytes too, as long as this Node's zlib compresses the fixture's
 * payloads to the same bytes; otherwise the payloads are compared uncompressed).
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Firestore } from '@google-cloud/firestore';
import { createRowTable, createStateTable, DynamoDBStateStore } from '../../adapters/aws/dynamodb-state-store';
import { FirestoreStateStore } from '../../adapters/gcp/firestore-state-store';
import { FileStateStore } from '../../adapters/local/file-state-store';
import type { Json } from '../../core';
import {
  dynamoDBLocalMissing,
  firestoreEmulatorMissing,
  startDynamoDBLocal,
  startFirestoreEmulator,
  type RunningEmulator,
} from '../helpers/emulators';
import { dynamoDBClientFor } from '../helpers/local-clients';
import {
  dumpDynamoDB,
  dumpFiles,
  dumpFirestore,
  FIXTURE_KEYS,
  fixtureSteps,
  readout,
  restoreDynamoDB,
  restoreFiles,
  restoreFirestore,
  runSteps,
  type DynamoDBDump,
  type FileDump,
  type FirestoreDump,
  type FixtureReadout,
} from '../helpers/store-fixtures';

const fixtures = path.join(__dirname, '../fixtures/stores');

async function fixture<D>(name: string): Promise<{ chunkBytes?: number; dump: D; readout: FixtureReadout }> {
  return JSON.parse(await fsp.readFile(path.join(fixtures, `${name}.json`), 'utf8'));
}

/** The last value written to each key by the steps, and how often it was written. */
function intended(): Map<string, { value: Json | null; writes: number }> {
  const out = new Map<string, { value: Json | null; writes: number }>();
  for (const step of fixtureSteps('T')) for (const w of step.writes) out.set(w.key, { value: w.value, writes: (out.get(w.key)?.writes ?? 0) + 1 });
  return out;
}

test('the fixtures hold what the steps wrote (so a fixture cannot be empty or stale)', async () => {
  for (const name of ['dynamodb', 'firestore', 'file', 'file-v1']) {
    const { readout: r } = await fixture<unknown>(name);
    const live = [...intended()].filter(([, x]) => x.value !== null);
    expect(r.units.map(u => [u.key, { value: u.value, writes: u.version }])).toEqual(live);
    expect(r.rows.map(([k]) => k)).toEqual(['["ACME"]', '["NEST"]']);
    const K = FIXTURE_KEYS;
    // Version 1 of the file store did not list '' and '.' (files '.json', '..json').
    const due = name === 'file-v1' ? [K.special, K.lone, K.reserved, K.long, K.small] : [K.special, K.lone, K.empty, K.dot, K.reserved, K.long, K.small];
    expect(r.due).toEqual(due);
  }
});

/** Whether this zlib turns each payload back into the very bytes of the fixture. */
function sameZlib(payloads: readonly Buffer[]): boolean {
  return payloads.every(p => gzipSync(gunzipSync(p)).equals(p));
}

describe('FileStateStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'millrace-formats-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  test('reads the files of the fixture', async () => {
    const fx = await fixture<FileDump>('file');
    await restoreFiles(fx.dump, dir);
    expect(await readout(new FileStateStore(dir), 'Stock')).toEqual(fx.readout);
  });

  test('reads a directory of version 1, renaming its files once to the names of today', async () => {
    const v1 = await fixture<FileDump>('file-v1');
    const today = await fixture<FileDump>('file');
    await restoreFiles(v1.dump, dir);
    const read = await readout(new FileStateStore(dir), 'Stock');
    // The same units and rows; the units of '' and '.' are now listed as due too.
    expect(read).toEqual({ ...v1.readout, due: today.readout.due });
    expect(read).toEqual(today.readout);
    // Exactly the files that today's store writes, marker included; nothing is left of version 1.
    expect(await dumpFiles(dir)).toEqual(today.dump);
    // A second instance finds the marker and renames nothing; commits go on from the versions read.
    await new FileStateStore(dir).commit([{ key: FIXTURE_KEYS.small, value: 'after', expectedVersion: 2 }]);
    expect((await new FileStateStore(dir).load([FIXTURE_KEYS.small])).get(FIXTURE_KEYS.small)).toMatchObject({ version: 3, value: 'after' });
  });

  test('a migration cut short is finished by the next instance', async () => {
    const v1 = await fixture<FileDump>('file-v1');
    const today = await fixture<FileDump>('file');
    // Half the files already renamed, and no marker: as a crash in the middle leaves it.
    const todayByContent = new Map(today.dump.map(([p, text]) => [text, p]));
    const half = v1.dump.map(([p, text], i) => (i % 2 === 0 && !p.startsWith('rows/') ? ([todayByContent.get(text)!, text] as [string, string]) : ([p, text] as [string, string])));
    await restoreFiles(half, dir);
    expect(await readout(new FileStateStore(dir), 'Stock')).toEqual(today.readout);
    expect(await dumpFiles(dir)).toEqual(today.dump);
  });

  test('refuses a directory whose marker names another version of the file names', async () => {
    await fsp.writeFile(path.join(dir, '.format'), '{"fileNames":3}\n');
    await expect(new FileStateStore(dir).load(['a'])).rejects.toThrow(/says file names of version 3; this version of Millrace writes version 2/);
  });

  // Version 1 skipped these: dueUnits skips the files starting with a dot (.lock, .journal,
  // .tmp-*), which were the files of '' and '.' ('.json', '..json'); they are '%' and '%2e' now.
  test('lists the units of the keys "" and "." as due', async () => {
    const store = new FileStateStore(dir);
    await store.commit([
      { key: '', value: 1, expectedVersion: null, nextDue: 1 },
      { key: '.', value: 1, expectedVersion: null, nextDue: 2 },
    ]);
    expect(await store.dueUnits(10, 10)).toEqual(['', '.']);
  });

  test('writes the same files', async () => {
    const fx = await fixture<FileDump>('file');
    await runSteps(new FileStateStore(dir), 'Stock');
    expect(await dumpFiles(dir)).toEqual(fx.dump);
  });
});

const dynamoMissing = dynamoDBLocalMissing();
if (dynamoMissing) console.warn(`SKIPPED: the DynamoDB format fixtures need DynamoDB Local, which cannot run here: ${dynamoMissing}`);

(dynamoMissing ? describe.skip : describe)('DynamoDBStateStore on DynamoDB Local', () => {
  let ddb: RunningEmulator | undefined;
  let client: DynamoDBClient;
  let n = 0;
  beforeAll(async () => {
    ddb = await startDynamoDBLocal();
    client = dynamoDBClientFor(ddb);
  }, 120_000);
  afterAll(async () => {
    client?.destroy();
    await ddb?.stop();
  });

  async function tables(): Promise<{ table: string; rows: string; drop(): Promise<void> }> {
    const table = `formats-${++n}`;
    await createStateTable(client, table);
    await createRowTable(client, `${table}-rows`);
    const drop = async () => {
      for (const t of [table, `${table}-rows`]) await client.send(new DeleteTableCommand({ TableName: t }));
    };
    return { table, rows: `${table}-rows`, drop };
  }

  /** Each unit's gzipped bytes: its item's data, then its chunks'. */
  function payloads(dump: DynamoDBDump): Buffer[] {
    const data = new Map(dump.units.map(i => [String(i.pk.S), i.data === undefined ? undefined : Buffer.from(String(i.data.B64), 'base64')]));
    return dump.units
      .filter(i => i.data !== undefined && !String(i.pk.S).includes('#chunk#'))
      .map(i => Buffer.concat(Array.from({ length: Number(i.parts?.N ?? 1) }, (_, n) => data.get(n === 0 ? String(i.pk.S) : `${String(i.pk.S)}#chunk#${n}`)!)));
  }

  test('reads the items of the fixture', async () => {
    const fx = await fixture<DynamoDBDump>('dynamodb');
    const t = await tables();
    await restoreDynamoDB(client, fx.dump, t.table, t.rows);
    // Stores with other chunk sizes read them too: the size only decides how a write splits.
    expect(await readout(new DynamoDBStateStore(client, { tableName: t.table }), t.rows)).toEqual(fx.readout);
    await t.drop();
  });

  test('writes the same items', async () => {
    const fx = await fixture<DynamoDBDump>('dynamodb');
    const t = await tables();
    await runSteps(new DynamoDBStateStore(client, { tableName: t.table, chunkBytes: fx.chunkBytes }), t.rows);
    const dump = await dumpDynamoDB(client, t.table, t.rows);
    if (sameZlib(payloads(fx.dump))) expect(dump).toEqual(fx.dump);
    else {
      const strip = (d: DynamoDBDump) => d.units.filter(i => !String(i.pk.S).includes('#chunk#')).map(({ data: _, parts: __, ...rest }) => rest);
      expect(strip(dump)).toEqual(strip(fx.dump));
      expect(dump.rows).toEqual(fx.dump.rows);
      expect(await readout(new DynamoDBStateStore(client, { tableName: t.table }), t.rows)).toEqual(fx.readout);
    }
    await t.drop();
  });
});

const firestoreMissing = firestoreEmulatorMissing();
if (firestoreMissing) console.warn(`SKIPPED: the Firestore format fixtures need the Firestore emulator, which cannot run here: ${firestoreMissing}`);

(firestoreMissing ? describe.skip : describe)('FirestoreStateStore on the Firestore emulator', () => {
  let emulator: RunningEmulator | undefined;
  let db: Firestore;
  let n = 0;
  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
    db = new Firestore({ projectId: 'millrace-formats', host: emulator.endpoint, ssl: false });
  }, 120_000);
  afterAll(async () => {
    await db?.terminate();
    await emulator?.stop();
  });

  /** Each unit's gzipped bytes: its document's data, then its chunks'. */
  function payloads(dump: FirestoreDump): Buffer[] {
    const bytes = (f: Record<string, unknown> | undefined) => Buffer.from(String((f?.data as { $bytes: string }).$bytes), 'base64');
    const docs = new Map(dump.units);
    return dump.units
      .filter(([p, f]) => f.data !== undefined && !p.includes('/chunks/'))
      .map(([p, f]) => Buffer.concat(Array.from({ length: Number(f.parts ?? 1) }, (_, n) => bytes(n === 0 ? f : docs.get(`${p}/chunks/${n}`)))));
  }

  test('reads the documents of the fixture', async () => {
    const fx = await fixture<FirestoreDump>('firestore');
    const collection = `formats-${++n}`;
    await restoreFirestore(db, fx.dump, collection, `${collection}-rows`);
    expect(await readout(new FirestoreStateStore(db, { collection }), `${collection}-rows`)).toEqual(fx.readout);
  });

  test('writes the same documents', async () => {
    const fx = await fixture<FirestoreDump>('firestore');
    const collection = `formats-${++n}`;
    await runSteps(new FirestoreStateStore(db, { collection, chunkBytes: fx.chunkBytes }), `${collection}-rows`);
    const dump = await dumpFirestore(db, collection, `${collection}-rows`);
    if (sameZlib(payloads(fx.dump))) expect(dump).toEqual(fx.dump);
    else {
      const strip = (d: FirestoreDump) => d.units.filter(([p]) => !p.includes('/chunks/')).map(([p, { data: _, parts: __, ...rest }]) => [p, rest]);
      expect(strip(dump)).toEqual(strip(fx.dump));
      expect(dump.rows).toEqual(fx.dump.rows);
      expect(await readout(new FirestoreStateStore(db, { collection }), `${collection}-rows`)).toEqual(fx.readout);
    }
  });
});
