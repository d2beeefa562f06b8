/**
 * Damaged items and documents (issue 11): a unit committed by the store, then changed directly
 * with the SDK, must never hang, never load as a fresh or empty unit, and fail load() (and a
 * commit over it) with a StateCodecError naming the unit's key and what is wrong, in bounded
 * time. dueUnits skips a due record that is no unit's record (logged) and lists the others.
 */
import { gzipSync } from 'node:zlib';
import { DeleteItemCommand, DeleteTableCommand, GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FieldValue, Firestore } from '@google-cloud/firestore';
import { createStateTable, DynamoDBStateStore, unitPk } from '../../adapters/aws/dynamodb-state-store';
import { FirestoreStateStore, unitDocId } from '../../adapters/gcp/firestore-state-store';
import { memoryLogger, StateCodecError, type StateStore } from '../../core';
import { dynamoDBLocalMissing, firestoreEmulatorMissing, startDynamoDBLocal, startFirestoreEmulator, type RunningEmulator } from '../helpers/emulators';
import { dynamoDBClientFor } from '../helpers/local-clients';

/** A field value, in terms each backend maps to its own types. */
type Value = { bytes: Buffer } | { num: number } | { str: string } | { bool: boolean } | 'absent';

interface Backend {
  /** A store on the backend's table or collection (chunks of `chunkBytes`). */
  store(options?: { chunkBytes?: number; logger?: ReturnType<typeof memoryLogger> }): StateStore;
  /** Sets (or removes) a field of a unit's record (chunk 0) or of one of its chunks. */
  set(key: string, chunk: number, field: string, value: Value): Promise<void>;
  /** Removes a chunk record. */
  removeChunk(key: string, n: number): Promise<void>;
  /** The number of parts the unit's record says it has. */
  parts(key: string): Promise<number>;
  /** A key long enough to be stored under a hash. */
  readonly longKey: string;
  /** Whether the backend itself refuses a `nextDue` that is not a number (DynamoDB: an index key). */
  readonly refusesBadNextDue: boolean;
}

const CHUNK_BYTES = 256;
/** Compresses badly: a few kilobytes of gzip, so many chunks of CHUNK_BYTES. */
const BIG = Array.from({ length: 400 }, (_, i) => ((i * 2654435761) % 1000003).toString(36));

let n = 0;
/** A fresh key per test, so tests share a table or collection. */
function keyOf(kind: string): string {
  return `app/Damaged${++n}/${kind}`;
}

async function expectDamage(load: Promise<unknown>, key: string, pattern: RegExp): Promise<StateCodecError> {
  const started = Date.now();
  const err = await load.then(
    v => new Error(`resolved with ${JSON.stringify(v, (_, x) => (x instanceof Map ? [...x] : x))}`),
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(5000);
  expect(err).toBeInstanceOf(StateCodecError);
  const message = (err as Error).message;
  expect(message.startsWith(`state unit '${key}': `)).toBe(true);
  expect(message).toMatch(pattern);
  return err as StateCodecError;
}

function damagedItems(name: string, missing: string | null, setup: () => Promise<{ backend: Backend; stop(): Promise<void> }>): void {
  if (missing) console.warn(`SKIPPED: the damaged-item tests on ${name} cannot run here: ${missing}`);
  (missing ? describe.skip : describe)(`damaged records on ${name}`, () => {
    let b: Backend;
    let stop: () => Promise<void> = async () => {};
    beforeAll(async () => {
      ({ backend: b, stop } = await setup());
    }, 120_000);
    afterAll(() => stop());

    async function single(): Promise<string> {
      const key = keyOf('global');
      await b.store().commit([{ key, value: { n: 1 }, expectedVersion: null }]);
      return key;
    }
    async function multi(): Promise<{ key: string; parts: number }> {
      const key = keyOf('global');
      await b.store({ chunkBytes: CHUNK_BYTES }).commit([{ key, value: BIG, expectedVersion: null }]);
      const parts = await b.parts(key);
      expect(parts).toBeGreaterThan(3);
      return { key, parts };
    }

    test('the undamaged units load (what the damage below is done to)', async () => {
      const s = await single();
      const m = await multi();
      const loaded = await b.store().load([s, m.key]);
      expect(loaded.get(s)?.value).toEqual({ n: 1 });
      expect(loaded.get(m.key)?.value).toEqual(BIG);
    });

    describe('the bytes', () => {
      test('data that is not gzip', async () => {
        const key = await single();
        await b.set(key, 0, 'data', { bytes: Buffer.from('nope, not gzip') });
        await expectDamage(b.store().load([key]), key, /: its data is not gzipped state \(/);
      });

      test('gzip of garbage', async () => {
        const key = await single();
        await b.set(key, 0, 'data', { bytes: gzipSync(Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22])) });
        await expectDamage(b.store().load([key]), key, /stored state is not valid JSON/);
      });

      test('gzip of valid JSON that is not a unit', async () => {
        const key = await single();
        await b.set(key, 0, 'data', { bytes: gzipSync(Buffer.from('{"n":1}')) });
        await expectDamage(b.store().load([key]), key, /not a Millrace state envelope/);
      });

      test('a chunk whose bytes are changed', async () => {
        const { key, parts } = await multi();
        await b.set(key, 2, 'data', { bytes: Buffer.alloc(CHUNK_BYTES, 0x41) });
        await expectDamage(b.store().load([key]), key, new RegExp(`: its ${parts} parts are not gzipped state \\(`));
      });

      test('data missing, or of another type', async () => {
        const key = await single();
        await b.set(key, 0, 'data', 'absent');
        await expectDamage(b.store().load([key]), key, /'data' is not bytes \(found nothing\)/);
        await b.set(key, 0, 'data', { str: 'H4sIAAAAAAAA' });
        await expectDamage(b.store().load([key]), key, /'data' is not bytes \(found .*H4sIAAAAAAAA/);
      });

      test("a chunk's data of another type", async () => {
        const { key } = await multi();
        await b.set(key, 1, 'data', { num: 12 });
        await expectDamage(b.store().load([key]), key, /the 'data' of chunk 1 is not bytes \(found .*12/);
      });
    });

    describe('the chunks', () => {
      test('a missing chunk fails after a bounded number of reads, for a new instance and for the one that wrote it', async () => {
        const writer = b.store({ chunkBytes: CHUNK_BYTES });
        const key = keyOf('global');
        await writer.commit([{ key, value: BIG, expectedVersion: null }]);
        const parts = await b.parts(key);
        await b.removeChunk(key, 2);
        const why = new RegExp(`chunk 2 of its ${parts} parts is missing, still after 5 reads`);
        await expectDamage(b.store().load([key]), key, why);
        await expectDamage(writer.load([key]), key, why);
      });

      test('a chunk of another version', async () => {
        const { key, parts } = await multi();
        await b.set(key, 1, 'version', { num: 7 });
        await expectDamage(b.store().load([key]), key, new RegExp(`chunk 1 of its ${parts} parts is of version 7, the unit of version 1, still after 5 reads`));
      });

      test("a chunk's version that is not a number fails at once", async () => {
        const { key } = await multi();
        await b.set(key, 3, 'version', { str: '1' });
        await expectDamage(b.store().load([key]), key, /the 'version' of chunk 3 is not a positive integer \(found .*"1"/);
      });
    });

    describe('the fields of the unit record', () => {
      test('parts more than stored', async () => {
        const { key, parts } = await multi();
        await b.set(key, 0, 'parts', { num: parts + 2 });
        await expectDamage(b.store().load([key]), key, new RegExp(`chunk ${parts} of its ${parts + 2} parts is missing, still after 5 reads`));
      });

      test('parts fewer than stored', async () => {
        const { key } = await multi();
        await b.set(key, 0, 'parts', { num: 2 });
        await expectDamage(b.store().load([key]), key, /: its 2 parts are not gzipped state \(/);
      });

      test('parts not a number, not an integer, or beyond any commit (no billion chunks are asked for)', async () => {
        const { key } = await multi();
        for (const v of [{ str: '3' }, { num: 2.5 }, { num: 0 }, { num: 1_000_000_000 }, { bool: true }] as const) {
          await b.set(key, 0, 'parts', v);
          await expectDamage(b.store().load([key]), key, /'parts' is not an integer from 1 to \d+ \(found /);
        }
      });

      test('version not a number, missing, or not a positive integer', async () => {
        const key = await single();
        for (const v of [{ str: '1' }, 'absent', { num: 0 }, { num: 1.5 }] as const) {
          await b.set(key, 0, 'version', v);
          await expectDamage(b.store().load([key]), key, /'version' is not a positive integer \(found /);
        }
      });

      test('a commit over a damaged version fails the same way (nothing is written)', async () => {
        const key = await single();
        await b.set(key, 0, 'version', { str: '1' });
        await expectDamage(b.store().commit([{ key, value: { n: 2 }, expectedVersion: 1 }]), key, /'version' is not a positive integer/);
        await expectDamage(b.store().commit([{ key, value: { n: 2 }, expectedVersion: null }]), key, /'version' is not a positive integer/);
      });

      test("'deleted' that is not true", async () => {
        const key = await single();
        await b.set(key, 0, 'deleted', { str: 'yes' });
        await expectDamage(b.store().load([key]), key, /'deleted' is not true \(found .*yes/);
      });

      test("the 'k' of a hashed long key not matching, or missing", async () => {
        const key = b.longKey + String(++n);
        await b.store().commit([{ key, value: 'long', expectedVersion: null }]);
        expect((await b.store().load([key])).get(key)?.value).toBe('long');
        await b.set(key, 0, 'k', { str: `${b.longKey}other` });
        await expectDamage(b.store().load([key]), key, /its id is a hash of a long key, but its 'k' is not this key \(found .*\): a hash collision, or a damaged 'k'/);
        await b.set(key, 0, 'k', 'absent');
        await expectDamage(b.store().load([key]), key, /'k' is not this key \(found nothing\)/);
        await expectDamage(b.store().commit([{ key, value: 'again', expectedVersion: 1 }]), key, /'k' is not this key/);
      });
    });

    test('dueUnits skips (and logs) a due record whose hashed key does not match, and lists the others', async () => {
      const logger = memoryLogger();
      const store = b.store({ logger });
      const good = keyOf('due');
      const long = b.longKey + String(++n);
      await store.commit([
        { key: good, value: 1, expectedVersion: null, nextDue: 5 },
        { key: long, value: 2, expectedVersion: null, nextDue: 6 },
      ]);
      expect(await store.dueUnits(10, 1000)).toEqual(expect.arrayContaining([good, long]));
      await b.set(long, 0, 'k', { str: 'app/Other/global' });
      const due = await store.dueUnits(10, 1000);
      expect(due).toContain(good);
      expect(due).not.toContain(long);
      expect(due).not.toContain('app/Other/global');
      expect(logger.lines.some(l => /^WARN dueUnits: skipped a due record .* it is not the record of any key/.test(l))).toBe(true);
    });

    test('dueUnits on a nextDue that is not a number: refused by the backend, or not listed, and the listing goes on', async () => {
      const store = b.store();
      const good = keyOf('due');
      const bad = keyOf('due');
      await store.commit([
        { key: good, value: 1, expectedVersion: null, nextDue: 5 },
        { key: bad, value: 2, expectedVersion: null, nextDue: 6 },
      ]);
      for (const v of [{ str: '1' }, { bool: true }, { bytes: Buffer.from('1') }] as const) {
        const set = b.set(bad, 0, 'nextDue', v);
        if (b.refusesBadNextDue) await expect(set).rejects.toThrow(/[Tt]ype mismatch|Invalid attribute value type/);
        else await set;
        const due = await store.dueUnits(10, 1000);
        expect(due).toContain(good);
        // Refused, the item keeps its nextDue of 6.
        expect(due.includes(bad)).toBe(b.refusesBadNextDue);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------

function attribute(v: Exclude<Value, 'absent'>): AttributeValue {
  if ('bytes' in v) return { B: v.bytes };
  if ('num' in v) return { N: String(v.num) };
  if ('str' in v) return { S: v.str };
  return { BOOL: v.bool };
}

damagedItems('DynamoDB Local', dynamoDBLocalMissing(), async () => {
  const ddb: RunningEmulator = await startDynamoDBLocal();
  const client: DynamoDBClient = dynamoDBClientFor(ddb);
  const tableName = 'damaged';
  await createStateTable(client, tableName);
  const pkOf = (key: string, chunk: number) => (chunk === 0 ? unitPk(key).pk : `${unitPk(key).pk}#chunk#${chunk}`);
  const get = async (pk: string) => (await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item!;
  const backend: Backend = {
    store: options => new DynamoDBStateStore(client, { tableName, ...options }),
    async set(key, chunk, field, value) {
      const item = await get(pkOf(key, chunk));
      if (value === 'absent') delete item[field];
      else item[field] = attribute(value);
      await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    },
    async removeChunk(key, chunk) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: pkOf(key, chunk) } } }));
    },
    parts: async key => Number((await get(pkOf(key, 0))).parts?.N ?? 1),
    longKey: `app/Long/global#p:q:${'x'.repeat(1100)}`,
    refusesBadNextDue: true,
  };
  return {
    backend,
    stop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
      await ddb.stop();
    },
  };
});

damagedItems('the Firestore emulator', firestoreEmulatorMissing(), async () => {
  const emulator = await startFirestoreEmulator();
  const db = new Firestore({ projectId: 'millrace-damaged', host: emulator.endpoint, ssl: false });
  const collection = 'damaged';
  const refOf = (key: string, chunk: number) => {
    const unit = db.collection(collection).doc(unitDocId(key).id);
    return chunk === 0 ? unit : unit.collection('chunks').doc(String(chunk));
  };
  const backend: Backend = {
    store: options => new FirestoreStateStore(db, { collection, ...options }),
    async set(key, chunk, field, value) {
      const v = value === 'absent' ? FieldValue.delete() : 'bytes' in value ? value.bytes : 'num' in value ? value.num : 'str' in value ? value.str : value.bool;
      await refOf(key, chunk).update({ [field]: v });
    },
    async removeChunk(key, chunk) {
      await refOf(key, chunk).delete();
    },
    parts: async key => ((await refOf(key, 0).get()).get('parts') as number | undefined) ?? 1,
    longKey: `app/Long/global#p:q:${'x'.repeat(1100)}`,
    refusesBadNextDue: false,
  };
  return {
    backend,
    stop: async () => {
      await db.terminate();
      await emulator.stop();
    },
  };
});
