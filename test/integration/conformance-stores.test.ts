/**
 * The conformance suite with one invocation per input line, its state going through DynamoDB
 * (DynamoDB Local) and Firestore (the emulator) between lines, exactly as through the memory and
 * file stores: every case passes on every backend, in batches of one line and of several.
 *
 * Cases run a few at a time; the time per backend is printed at the end.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { Firestore } from '@google-cloud/firestore';
import { createRowTable, createStateTable, DynamoDBStateStore } from '../../adapters/aws/dynamodb-state-store';
import { FirestoreStateStore } from '../../adapters/gcp/firestore-state-store';
import { MemoryStateStore, type StateStore } from '../../core';
import { judge, loadCases, runCase, type ConformanceCase } from '../helpers/conformance-cases';
import {
  dynamoDBLocalMissing,
  firestoreEmulatorMissing,
  startDynamoDBLocal,
  startFirestoreEmulator,
  type RunningEmulator,
} from '../helpers/emulators';
import { dynamoDBClientFor } from '../helpers/local-clients';

const CONCURRENCY = 4;
const cases = loadCases();

/** A case's judgement: null when it passes, else why not (a throw is a judgement too). */
type Verdict = string | null;

async function verdict(c: ConformanceCase, store?: StateStore, batchSize?: number): Promise<Verdict> {
  try {
    return judge(c, await runCase(c, 'invocation per line', store, batchSize));
  } catch (e) {
    return `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of the results. */
async function pooled<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/** A view of a store under a key prefix: each case gets units of its own in a shared table. */
function prefixed(store: StateStore, prefix: string): StateStore {
  return {
    async load(keys) {
      const loaded = await store.load(keys.map(k => prefix + k));
      return new Map([...loaded].map(([k, u]) => [k.slice(prefix.length), { ...u, key: u.key.slice(prefix.length) }]));
    },
    commit: async (writes, rows) => {
      const versions = await store.commit(
        writes.map(w => ({ ...w, key: prefix + w.key })),
        rows?.map(r => ({ ...r, key: prefix + r.key })),
      );
      return new Map([...versions].map(([k, v]) => [k.slice(prefix.length), v]));
    },
    dueUnits: async (now, limit) => (await store.dueUnits(now, limit)).filter(k => k.startsWith(prefix)).map(k => k.slice(prefix.length)),
    async loadRows(table, keys) {
      const rows = await store.loadRows(table, keys && keys.map(k => prefix + k));
      return new Map([...rows].filter(([k]) => k.startsWith(prefix)).map(([k, r]) => [k.slice(prefix.length), r]));
    },
  };
}

const memory = new Map<string, Verdict>();
const file = new Map<string, Verdict>();
const summary: string[] = [];

beforeAll(async () => {
  const started = Date.now();
  await pooled(cases, CONCURRENCY, async c => {
    memory.set(c.name, await verdict(c, new MemoryStateStore()));
    file.set(c.name, await verdict(c));
  });
  const passing = [...memory.values()].filter(v => v === null).length;
  summary.push(
    `memory store: ${passing} of ${cases.length} cases pass per line; file store: ${[...file.values()].filter(v => v === null).length} pass (${((Date.now() - started) / 1000).toFixed(1)} s for both)`,
  );
}, 600_000);

test.each(cases.map(c => [c.name] as const))('%s passes per line on the memory and file stores', name => {
  expect(memory.get(name)).toBeNull();
  expect(file.get(name)).toBeNull();
});

afterAll(() => {
  process.stdout.write(`\nconformance, one invocation per line, per state store\n${summary.map(l => `  ${l}`).join('\n')}\n\n`);
});

/** Row tables the stored variants write to (one for tables, one for aggregations: keys differ in shape). */
const STORED_TABLE_ROWS = 'StoredTableRows';
const STORED_AGG_ROWS = 'StoredAggRows';

/** Cases whose meaning changes with `@store`, each with the reason (docs/status.md). */
const NOT_STORED = new Map([
  ['tables/upsert_primary_key_overwrites', "update or insert on the key alone replaces an in-memory table's row; an @store table applies set"],
]);

/**
 * The case with its aggregations and primary-keyed tables kept as store items (`@store`), or null
 * when it has neither: it must be judged exactly as the case itself.
 */
function storedVariant(c: ConformanceCase): ConformanceCase | null {
  if (NOT_STORED.has(c.name)) return null;
  let app = c.app.replace(/define\s+aggregation/gi, `@store(type='dynamodb', table.name='${STORED_AGG_ROWS}') $&`);
  app = app.replace(/(@PrimaryKey\([^)]*\)\s*)(define\s+table)/gi, `$1@store(type='dynamodb', table.name='${STORED_TABLE_ROWS}') $2`);
  return app === c.app ? null : { ...c, app };
}

/**
 * Registers, for one backend, a beforeAll that runs every case passing in memory through it and
 * one test per case comparing its judgement with the file store's.
 */
function compareBackend(name: string, missing: string | null, setUp: () => Promise<{ storeFor(c: ConformanceCase, i: number): StateStore; tearDown(): Promise<void> }>) {
  if (missing) console.warn(`SKIPPED: conformance through ${name} cannot run here: ${missing}`);
  (missing ? describe.skip : describe)(`through ${name}`, () => {
    const results = new Map<string, Verdict>();
    /** Every case again, split into batches of 2 to 5 lines, each batch one invocation. */
    const batched = new Map<string, Verdict>();
    /** Cases with aggregations or keyed tables again, those kept as store items (in batches of 2 to 5). */
    const stored = new Map<string, Verdict>();
    let tearDown: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const backend = await setUp();
      tearDown = backend.tearDown;
      const started = Date.now();
      await pooled(cases, CONCURRENCY, async (c, i) => {
        results.set(c.name, await verdict(c, backend.storeFor(c, i)));
        batched.set(c.name, await verdict(c, backend.storeFor(c, i + cases.length), 2 + (i % 4)));
        const variant = storedVariant(c);
        if (variant) stored.set(c.name, await verdict(variant, backend.storeFor(c, i + 2 * cases.length), 2 + (i % 4)));
      });
      const seconds = (Date.now() - started) / 1000;
      const passed = [...results.values()].filter(v => v === null).length;
      const same = [...results].filter(([n, v]) => v === file.get(n)).length;
      summary.push(
        `${name}: ${passed} passed, ${results.size - passed} failed of ${results.size} compared; ${same} judged as on the file store; ` +
          `${[...stored.values()].filter(v => v === null).length} of ${stored.size} passed again with @store aggregations and tables; ${seconds.toFixed(1)} s at ${CONCURRENCY} cases at a time`,
      );
    }, 600_000);

    afterAll(async () => {
      await tearDown?.();
    });

    test.each(cases.map(c => [c.name, c] as const))('%s', (_, c) => {
      expect(results.get(c.name)).toBeNull();
      // Any batching gives the same output: the case's expected output, as with one line each.
      expect(batched.get(c.name)).toBeNull();
      // With its aggregations and keyed tables as store items, too.
      if (storedVariant(c)) expect(stored.get(c.name)).toBeNull();
    });
  });
}

compareBackend('DynamoDB Local', dynamoDBLocalMissing(), async () => {
  const ddb: RunningEmulator = await startDynamoDBLocal();
  const client = dynamoDBClientFor(ddb);
  const tableName = 'conformance';
  try {
    await createStateTable(client, tableName);
    await createRowTable(client, STORED_TABLE_ROWS);
    await createRowTable(client, STORED_AGG_ROWS);
  } catch (e) {
    client.destroy();
    await ddb.stop();
    throw e;
  }
  return {
    // One table; each case a fresh key prefix and a fresh store instance.
    storeFor: (_c, i) => prefixed(new DynamoDBStateStore(client, { tableName }), `case-${i}/`),
    async tearDown() {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
      client.destroy();
      await ddb.stop();
    },
  };
});

compareBackend('the Firestore emulator', firestoreEmulatorMissing(), async () => {
  const emulator: RunningEmulator = await startFirestoreEmulator();
  const db = new Firestore({ projectId: 'millrace-conformance', host: emulator.endpoint, ssl: false });
  return {
    // Each case a collection of its own (collections cost nothing) and a fresh store instance;
    // the @store row collections are shared, so row keys get the case's prefix.
    storeFor: (_c, i) => prefixed(new FirestoreStateStore(db, { collection: `case-${i}` }), `case-${i}/`),
    async tearDown() {
      await db.terminate();
      await emulator.stop();
    },
  };
});
