import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Firestore } from '@google-cloud/firestore';
import { createRowTable, createStateTable, DynamoDBStateStore, type DynamoDBStateStoreOptions } from '../../adapters/aws/dynamodb-state-store';
import { FirestoreStateStore, type FirestoreStateStoreOptions } from '../../adapters/gcp/firestore-state-store';
import { FileStateStore } from '../../adapters/local/file-state-store';
import { CommitTooLargeError, StateCodecError, StateConflictError, StoreError } from '../../core/errors/millrace-error';
import { MemoryStateStore } from '../../core/state/memory-state-store';
import { encodeUnit } from '../../core/state/snapshot-codec';
import type { StateStore } from '../../core/state/state-store';
import {
  dynamoDBLocalMissing,
  firestoreEmulatorMissing,
  startDynamoDBLocal,
  startFirestoreEmulator,
  type RunningEmulator,
} from '../helpers/emulators';
import { dynamoDBClientFor } from '../helpers/local-clients';
import { stateStoreContract } from './state-store.contract';

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'millrace-state-'));
}

async function removeDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}

stateStoreContract('MemoryStateStore', async () => ({ store: new MemoryStateStore(), cleanup: async () => {} }));

stateStoreContract('FileStateStore', async () => {
  const dir = await tempDir();
  return { store: new FileStateStore(path.join(dir, 'state')), cleanup: () => removeDir(dir) };
});

// Separate instances share nothing but the directory, exactly like separate processes.
stateStoreContract('FileStateStore, a new instance per operation', async () => {
  const dir = await tempDir();
  return { store: perOperation(() => new FileStateStore(dir)), cleanup: () => removeDir(dir) };
});

/** A store that is a new instance for every call: nothing an instance remembers can help. */
function perOperation(fresh: () => StateStore): StateStore {
  return {
    load: keys => fresh().load(keys),
    commit: (writes, rows) => fresh().commit(writes, rows),
    dueUnits: (now, limit) => fresh().dueUnits(now, limit),
    loadRows: (table, keys) => fresh().loadRows(table, keys),
  };
}

// ---------------------------------------------------------------------------------------------
// DynamoDB, against DynamoDB Local started here

const dynamoMissing = dynamoDBLocalMissing();
if (dynamoMissing) console.warn(`SKIPPED: the DynamoDBStateStore contract needs DynamoDB Local, which cannot run here: ${dynamoMissing}`);

(dynamoMissing ? describe.skip : describe)('on DynamoDB Local', () => {
  let ddb: RunningEmulator | undefined;
  let client: DynamoDBClient;
  let tables = 0;

  beforeAll(async () => {
    ddb = await startDynamoDBLocal();
    client = dynamoDBClientFor(ddb);
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await ddb?.stop();
  });

  /** A table of its own per test: dueUnits sees every unit in a table. */
  async function freshTable(): Promise<{ tableName: string; cleanup(): Promise<void> }> {
    const tableName = `contract-${++tables}`;
    await createStateTable(client, tableName);
    return { tableName, cleanup: async () => void (await client.send(new DeleteTableCommand({ TableName: tableName }))) };
  }

  function dynamo(options: Omit<DynamoDBStateStoreOptions, 'tableName'>, perOp: boolean) {
    return async () => {
      const { tableName, cleanup } = await freshTable();
      const rowTable = `${tableName}-rows`;
      await createRowTable(client, rowTable);
      const make = () => new DynamoDBStateStore(client, { tableName, ...options });
      return {
        store: perOp ? perOperation(make) : make(),
        rowTable,
        cleanup: async () => {
          await cleanup();
          await client.send(new DeleteTableCommand({ TableName: rowTable }));
        },
      };
    };
  }

  stateStoreContract('DynamoDBStateStore', dynamo({}, false));
  // Each call reads what it needs: the path a commit takes when another instance did the load.
  stateStoreContract('DynamoDBStateStore, a new instance per operation', dynamo({}, true));
  // Small chunks: the larger values of the contract are split into up to 75 items (a transaction
  // holds 100), so chunking meets the conflict, race and delete cases too.
  stateStoreContract('DynamoDBStateStore, 24 KiB chunks', dynamo({ chunkBytes: 24 * 1024 }, false));

  describe('DynamoDBStateStore', () => {
    let tableName: string;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ tableName, cleanup } = await freshTable());
    });

    afterEach(async () => {
      await cleanup();
    });

    test('keeps one item per unit: version, gzipped data, nextDue with the index key, ttl in seconds', async () => {
      const store = new DynamoDBStateStore(client, { tableName });
      await store.commit([{ key: 'app/A/global', value: { n: 1 }, expectedVersion: null, nextDue: 1234, expiresAt: 1_700_000_000_500 }]);
      const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'app/A/global' } } }))).Item!;
      expect(Object.keys(item).sort()).toEqual(['data', 'due', 'nextDue', 'pk', 'ttl', 'version']);
      expect(item.version).toEqual({ N: '1' });
      expect(item.nextDue).toEqual({ N: '1234' });
      expect(item.ttl).toEqual({ N: '1700000001' });
      expect(Buffer.from(item.data.B!).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    });

    test('splits a large unit into chunk items and removes the ones it no longer needs', async () => {
      const store = new DynamoDBStateStore(client, { tableName, chunkBytes: 1024 });
      const pseudoRandom = Array.from({ length: 3000 }, (_, i) => ((i * 2654435761) % 1000003).toString(36));
      await store.commit([{ key: 'k', value: pseudoRandom, expectedVersion: null }]);
      const unit = (await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'k' } } }))).Item!;
      const parts = Number(unit.parts.N);
      expect(parts).toBeGreaterThan(3);
      const last = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `k#chunk#${parts - 1}` } } }));
      expect(last.Item?.version).toEqual({ N: '1' });
      await store.commit([{ key: 'k', value: 'small', expectedVersion: 1 }]);
      const gone = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `k#chunk#${parts - 1}` } } }));
      expect(gone.Item).toBeUndefined();
      expect((await new DynamoDBStateStore(client, { tableName }).load(['k'])).get('k')).toEqual({ key: 'k', version: 2, value: 'small' });
    });

    test('a commit needing more than 100 transaction items is a CommitTooLargeError and writes nothing', async () => {
      const store = new DynamoDBStateStore(client, { tableName });
      const writes = Array.from({ length: 101 }, (_, i) => ({ key: `u${i}`, value: i, expectedVersion: null }));
      const err = await store.commit(writes).catch(e => e);
      expect(err).toBeInstanceOf(CommitTooLargeError);
      expect(err.message).toMatch(/needs 101 DynamoDB items.*at most 100/);
      expect((await store.load(['u0', 'u100'])).size).toBe(0);
    });

    test('a missing table is a StoreError carrying the vendor error as cause', async () => {
      const store = new DynamoDBStateStore(client, { tableName: 'no-such-table' });
      const load = await store.load(['a']).catch((e: unknown) => e);
      expect(load).toBeInstanceOf(StoreError);
      expect((load as StoreError).cause).toMatchObject({ name: 'ResourceNotFoundException' });
      await expect(store.commit([{ key: 'a', value: 1, expectedVersion: null }])).rejects.toThrow(StoreError);
      await expect(store.dueUnits(1, 1)).rejects.toThrow(StoreError);
    });

    test('an item that is not gzipped state is a StateCodecError', async () => {
      await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'bad' }, version: { N: '1' }, data: { B: Buffer.from('nope') } } }));
      await expect(new DynamoDBStateStore(client, { tableName }).load(['bad'])).rejects.toThrow(StateCodecError);
    });

    test('counts requests and request units; a warm load-then-commit is two requests', async () => {
      const store = new DynamoDBStateStore(client, { tableName });
      await store.commit([{ key: 'a', value: { n: 1 }, expectedVersion: null }]);
      const before = store.stats.requests;
      const unit = (await store.load(['a'])).get('a')!;
      await store.commit([{ key: 'a', value: { n: 2 }, expectedVersion: unit.version }]);
      expect(store.stats.requests - before).toBe(2);
      expect(store.stats).toMatchObject({ loads: 1, unitsRead: 1, commits: 2, unitsWritten: 2 });
      expect(store.stats.writeRequestUnits).toBeGreaterThanOrEqual(2);
      expect(store.stats.readRequestUnits).toBeGreaterThanOrEqual(1);
    });

    test('createStateTable is idempotent', async () => {
      await createStateTable(client, tableName);
      await new DynamoDBStateStore(client, { tableName }).commit([{ key: 'a', value: 1, expectedVersion: null }]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Firestore, against the Firestore emulator started here

const firestoreMissing = firestoreEmulatorMissing();
if (firestoreMissing) console.warn(`SKIPPED: the FirestoreStateStore contract needs the Firestore emulator, which cannot run here: ${firestoreMissing}`);

(firestoreMissing ? describe.skip : describe)('on the Firestore emulator', () => {
  let emulator: RunningEmulator | undefined;
  let db: Firestore;
  let collections = 0;

  beforeAll(async () => {
    emulator = await startFirestoreEmulator();
    db = new Firestore({ projectId: 'millrace-contract', host: emulator.endpoint, ssl: false });
  }, 120_000);

  afterAll(async () => {
    await db?.terminate();
    await emulator?.stop();
  });

  // A collection of its own per test (collections cost nothing): dueUnits sees a whole collection.
  function firestore(options: Omit<FirestoreStateStoreOptions, 'collection'>, perOp: boolean) {
    return async () => {
      const collection = `contract-${++collections}`;
      const make = () => new FirestoreStateStore(db, { collection, ...options });
      return { store: perOp ? perOperation(make) : make(), rowTable: `${collection}-rows`, cleanup: async () => {} };
    };
  }

  stateStoreContract('FirestoreStateStore', firestore({}, false));
  stateStoreContract('FirestoreStateStore, a new instance per operation', firestore({}, true));

  describe('FirestoreStateStore', () => {
    test('keeps one document per unit; a large unit has chunk documents, removed when it shrinks', async () => {
      const collection = `layout-${++collections}`;
      const store = new FirestoreStateStore(db, { collection, chunkBytes: 1024 });
      await store.commit([{ key: 'app/A/global', value: { n: 1 }, expectedVersion: null, nextDue: 1234, expiresAt: 1_700_000_000_500 }]);
      const doc = await db.collection(collection).doc('app%2FA%2Fglobal').get();
      expect(Object.keys(doc.data()!).sort()).toEqual(['data', 'expireAt', 'nextDue', 'version']);
      expect(doc.get('expireAt').toMillis()).toBe(1_700_000_000_500);

      const pseudoRandom = Array.from({ length: 3000 }, (_, i) => ((i * 2654435761) % 1000003).toString(36));
      await store.commit([{ key: 'k', value: pseudoRandom, expectedVersion: null }]);
      const parts = (await db.collection(collection).doc('k').get()).get('parts') as number;
      expect(parts).toBeGreaterThan(3);
      expect((await db.collection(collection).doc('k').collection('chunks').get()).size).toBe(parts - 1);
      await store.commit([{ key: 'k', value: 'small', expectedVersion: 1 }]);
      expect((await db.collection(collection).doc('k').collection('chunks').get()).size).toBe(0);
      expect((await new FirestoreStateStore(db, { collection }).load(['k'])).get('k')).toEqual({ key: 'k', version: 2, value: 'small' });
    });

    test('a document that is not gzipped state is a StateCodecError', async () => {
      const collection = `bad-${++collections}`;
      await db.collection(collection).doc('bad').set({ version: 1, data: Buffer.from('nope') });
      await expect(new FirestoreStateStore(db, { collection }).load(['bad'])).rejects.toThrow(StateCodecError);
    });
  });
});

describe('MemoryStateStore stats', () => {
  test('counts loads, units and bytes', async () => {
    const store = new MemoryStateStore();
    const value = { n: 1, s: 'é🚀' };
    const bytes = Buffer.byteLength(encodeUnit(value));
    await store.commit([
      { key: 'a', value, expectedVersion: null },
      { key: 'b', value, expectedVersion: null },
    ]);
    await store.load(['a', 'b', 'missing']);
    await store.commit([{ key: 'a', value: null, expectedVersion: 1 }]);
    await expect(store.commit([{ key: 'b', value: 1, expectedVersion: 7 }])).rejects.toThrow(StateConflictError);
    expect(store.stats).toEqual({ loads: 1, unitsRead: 2, commits: 2, unitsWritten: 3, bytesRead: 2 * bytes, bytesWritten: 2 * bytes, rowsRead: 0, rowsWritten: 0 });
  });
});

describe('FileStateStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await removeDir(dir);
  });

  async function listing(): Promise<string[]> {
    return (await fsp.readdir(dir)).sort();
  }

  test('creates the directory and keeps one file per unit, which a new instance reads back', async () => {
    const nested = path.join(dir, 'a', 'b');
    const store = new FileStateStore(nested);
    await store.commit([
      { key: 'q1/window', value: [1, 2], expectedVersion: null },
      { key: 'Q', value: 'upper', expectedVersion: null },
    ]);
    // The marker of the file names' version, and names keeping letters as they are (docs/state-stores.md).
    expect((await fsp.readdir(nested)).sort()).toEqual(['.format', 'Q~0.json', 'q1%2fwindow.json']);
    expect(await fsp.readFile(path.join(nested, '.format'), 'utf8')).toBe('{"fileNames":2}\n');
    const text = await fsp.readFile(path.join(nested, 'q1%2fwindow.json'), 'utf8');
    expect(text).toBe(`{"version":1,"key":"q1/window"}\n${encodeUnit([1, 2])}`);
    const other = new FileStateStore(nested);
    expect((await other.load(['q1/window'])).get('q1/window')).toEqual({ key: 'q1/window', version: 1, value: [1, 2] });
  });

  test('counts stats in file bytes', async () => {
    const store = new FileStateStore(dir);
    await store.commit([{ key: 'a', value: { n: 1 }, expectedVersion: null }]);
    const size = (await fsp.stat(path.join(dir, 'a.json'))).size;
    await store.load(['a', 'b']);
    await store.commit([{ key: 'a', value: null, expectedVersion: 1 }]);
    expect(store.stats).toMatchObject({ loads: 1, unitsRead: 1, commits: 2, unitsWritten: 2, bytesRead: size });
    expect(store.stats.bytesWritten).toBeGreaterThan(size);
  });

  test('leaves no lock, journal or temp files behind', async () => {
    const store = new FileStateStore(dir);
    await store.commit([
      { key: 'a', value: 1, expectedVersion: null },
      { key: 'b', value: 1, expectedVersion: null },
    ]);
    await store.commit([{ key: 'a', value: null, expectedVersion: 1 }]);
    await store.load(['a', 'b']);
    await expect(store.commit([{ key: 'b', value: 2, expectedVersion: 9 }])).rejects.toThrow(StateConflictError);
    expect(await listing()).toEqual(['.format', 'a.json', 'b.json']);
  });

  test('instances racing on one directory: exactly one wins', async () => {
    await new FileStateStore(dir).commit([{ key: 'race', value: 0, expectedVersion: null }]);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => new FileStateStore(dir).commit([{ key: 'race', value: i, expectedVersion: 1 }])),
    );
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter(r => r.status === 'rejected' && r.reason instanceof StateConflictError)).toHaveLength(7);
  });

  test('breaks a lock left by a crashed process', async () => {
    const store = new FileStateStore(dir, { staleLockMs: 200 });
    await store.commit([{ key: 'a', value: 1, expectedVersion: null }]);
    const lock = path.join(dir, '.lock');
    await fsp.mkdir(lock);
    await fsp.writeFile(path.join(lock, 'owner'), 'crashed');
    await fsp.writeFile(path.join(dir, '.tmp-999-orphan'), 'half written');
    const past = new Date(Date.now() - 60_000);
    await fsp.utimes(lock, past, past);
    await store.commit([{ key: 'a', value: 2, expectedVersion: 1 }]);
    expect((await store.load(['a'])).get('a')?.value).toBe(2);
    expect(await listing()).toEqual(['.format', 'a.json']);
  });

  test('waits for a live lock, then gives up with StoreError', async () => {
    const store = new FileStateStore(dir, { lockTimeoutMs: 150 });
    await store.commit([{ key: 'a', value: 1, expectedVersion: null }]);
    await fsp.mkdir(path.join(dir, '.lock'));
    const started = Date.now();
    await expect(store.commit([{ key: 'a', value: 2, expectedVersion: 1 }])).rejects.toThrow(StoreError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await fsp.rmdir(path.join(dir, '.lock'));
    expect((await store.load(['a'])).get('a')?.value).toBe(1);
  });

  test('a lock released while waiting is taken', async () => {
    const store = new FileStateStore(dir);
    await fsp.mkdir(path.join(dir, '.lock'));
    setTimeout(() => void fsp.rmdir(path.join(dir, '.lock')), 100);
    await store.commit([{ key: 'a', value: 1, expectedVersion: null }]);
    expect((await store.load(['a'])).get('a')?.value).toBe(1);
  });

  test('a multi-unit commit interrupted after its journal is completed by the next operation', async () => {
    const store = new FileStateStore(dir, { staleLockMs: 200 });
    await store.commit([
      { key: 'a', value: 'a1', expectedVersion: null },
      { key: 'b', value: 'b1', expectedVersion: null },
    ]);
    const rename = fsp.rename.bind(fsp);
    jest.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('b.json')) throw Object.assign(new Error('EIO: simulated crash'), { code: 'EIO' });
      return rename(from, to);
    });
    await expect(
      store.commit([
        { key: 'a', value: 'a2', expectedVersion: 1 },
        { key: 'b', value: 'b2', expectedVersion: 1 },
      ]),
    ).rejects.toThrow(/journaled but not fully applied/);
    jest.restoreAllMocks();
    expect(await listing()).toEqual(expect.arrayContaining(['.journal']));

    // As if the writer had died holding the lock.
    const lock = path.join(dir, '.lock');
    await fsp.mkdir(lock);
    const past = new Date(Date.now() - 60_000);
    await fsp.utimes(lock, past, past);

    const other = new FileStateStore(dir, { staleLockMs: 200 });
    expect((await other.load(['b'])).get('b')).toEqual({ key: 'b', version: 2, value: 'b2' });
    expect((await other.load(['a'])).get('a')).toEqual({ key: 'a', version: 2, value: 'a2' });
    expect(await listing()).toEqual(['.format', 'a.json', 'b.json']);
  });

  test('a commit that fails before its point of no return changes nothing', async () => {
    const store = new FileStateStore(dir);
    await store.commit([{ key: 'a', value: 'a1', expectedVersion: null }]);
    jest.spyOn(fsp, 'rename').mockRejectedValue(Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' }));
    await expect(store.commit([{ key: 'a', value: 'a2', expectedVersion: 1 }])).rejects.toThrow(StoreError);
    await expect(
      store.commit([
        { key: 'a', value: 'a2', expectedVersion: 1 },
        { key: 'b', value: 'b1', expectedVersion: null },
      ]),
    ).rejects.toThrow(StoreError);
    jest.restoreAllMocks();
    expect((await store.load(['a', 'b'])).get('a')).toEqual({ key: 'a', version: 1, value: 'a1' });
    expect(await listing()).toEqual(['.format', 'a.json']);
  });

  test('a corrupt unit file is a StateCodecError naming the file', async () => {
    const store = new FileStateStore(dir);
    await fsp.writeFile(path.join(dir, 'bad.json'), 'not a state file');
    await expect(store.load(['bad'])).rejects.toThrow(StateCodecError);
    await expect(store.load(['bad'])).rejects.toThrow(/bad\.json/);
    await expect(store.commit([{ key: 'bad', value: 1, expectedVersion: null }])).rejects.toThrow(StateCodecError);
    await fsp.writeFile(path.join(dir, 'bad.json'), '{"version":1,"key":"bad"}\n{"format":9,"state":1}');
    await expect(store.load(['bad'])).rejects.toThrow(/bad\.json: stored state has format 9/);
  });
});
