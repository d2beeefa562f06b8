/**
 * The invocation properties of test/property/invocation.property.test.ts, run against the real
 * stores: DynamoDBStateStore on DynamoDB Local and FirestoreStateStore on the Firestore emulator,
 * both started here. In memory they prove the runner; here they prove that the stores give the
 * runner what it relies on:
 *
 * - redelivering any suffix of a committed batch changes neither state nor outputs (checkpoints
 *   survive the store's encoding, compression and version bookkeeping);
 * - 8 invocations racing on one unit end as some sequential order would: the conflicts come from
 *   the stores' conditional writes (DynamoDB condition expressions, Firestore preconditions), not
 *   from a lock in this process, so a lost update here is a lost update in production;
 * - a process dying at any step (after a load, mid-processing, before a commit, after a commit
 *   before publishing, mid-publish) loses nothing and counts nothing twice, whether the retry is a
 *   cold start (a new store instance, which knows nothing) or warm (the same instance, whose cache
 *   of versions and update times then holds what the dead try saw).
 *
 * Each property run works on a unit key of its own in one table / collection per backend, so runs
 * never see each other's state. A missing emulator is reported (console.warn) and its suite
 * skipped, never passed.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { Firestore } from '@google-cloud/firestore';
import fc from 'fast-check';
import { createRowTable, createStateTable, DynamoDBStateStore } from '../../adapters/aws/dynamodb-state-store';
import { FirestoreStateStore } from '../../adapters/gcp/firestore-state-store';
import {
  compileApp,
  MemoryStateStore,
  PublishedOutboxes,
  runInvocation,
  type InputRecord,
  type OutputEvent,
  type StateStore,
  jsonText,
} from '../../core';
import { batches } from '../helpers/batches';
import { invocationCases, type InvocationCase } from '../helpers/conformance-cases';
import {
  dynamoDBLocalMissing,
  firestoreEmulatorMissing,
  startDynamoDBLocal,
  startFirestoreEmulator,
  type RunningEmulator,
} from '../helpers/emulators';
import { dynamoDBClientFor } from '../helpers/local-clients';

/** Generous: a test's duration is never asserted, only bounded so a hang fails instead of stalling. */
const TEST_TIMEOUT_MS = 120_000;
const noSleep = async () => {};
/** Backoff between conflict retries, shortened but real, so racing invocations interleave. */
const briefSleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms / 20));

const view = (o: OutputEvent) => jsonText([o.id, o.stream, o.event.timestamp, o.event.data]);

/** The engine state a store holds for a unit, as text (undefined when there is no unit). */
async function stateText(store: StateStore, unit: string): Promise<string | undefined> {
  return JSON.stringify(((await store.load([unit])).get(unit)?.value as { state?: unknown } | undefined)?.state);
}

/** Every property run gets a unit of its own: the storage is shared by all runs of a backend. */
let unitsMade = 0;
const freshUnit = () => `app/run-${++unitsMade}/global`;

const STEPS = ['after load', 'mid-processing', 'before commit', 'after commit', 'mid-publish'] as const;
type Step = (typeof STEPS)[number];

/**
 * A store that dies where `crashAt` says: after a read (of units or of table rows), before or
 * after a commit. A wrapper rather than a subclass so the real store's code runs unchanged
 * between the crash points.
 */
function crashing(inner: StateStore, crashAt: (step: Step) => void): StateStore {
  return {
    async load(keys) {
      const r = await inner.load(keys);
      crashAt('after load');
      return r;
    },
    async loadRows(table, keys) {
      const r = await inner.loadRows(table, keys);
      crashAt('after load');
      return r;
    },
    async commit(writes, rows) {
      crashAt('before commit');
      const r = await inner.commit(writes, rows);
      crashAt('after commit');
      return r;
    },
    dueUnits: (now, limit) => inner.dueUnits(now, limit),
  };
}

let cases: InvocationCase[];
beforeAll(async () => {
  cases = await invocationCases();
}, TEST_TIMEOUT_MS);

interface Backend {
  /** A new store instance over the backend's storage: what a new process would construct. */
  store(): StateStore;
  /** Makes the backend ready for the rows of a `@store(table.name=name)` table. */
  rowTable(name: string): Promise<void>;
  tearDown(): Promise<void>;
}

/** Registers the three properties against one backend, or a warning and a skip when it cannot run. */
function invocationProperties(name: string, missing: string | null, setUp: () => Promise<Backend>): void {
  if (missing) console.warn(`SKIPPED: the invocation properties on ${name} cannot run here: ${missing}`);
  (missing ? describe.skip : describe)(`invocations on ${name}`, () => {
    let backend: Backend | undefined;
    const newStore = (): StateStore => {
      if (!backend) throw new Error(`${name} did not start`);
      return backend.store();
    };

    beforeAll(async () => {
      backend = await setUp();
    }, TEST_TIMEOUT_MS);

    afterAll(async () => {
      await backend?.tearDown();
    });

    test(
      'redelivering any suffix of a committed batch changes neither state nor outputs',
      async () => {
        expect(cases.length).toBeGreaterThan(50);
        await fc.assert(
          fc.asyncProperty(fc.nat(), fc.array(fc.nat(), { maxLength: 5 }), fc.nat(), fc.boolean(), async (k, cuts, suffixSeed, sameInstance) => {
            // Prepare: a case cut into batches, a unit of its own; the redelivery reaches either
            // the instance that committed (its cache warm) or a new one (reading everything back).
            const { plan, records, outputs } = cases[k % cases.length];
            const unit = freshUnit();
            const store = newStore();
            const published: OutputEvent[] = [];
            const cache = new PublishedOutboxes();
            const run = (s: StateStore, rs: InputRecord[]) =>
              runInvocation({ plan, store: s, unitKey: unit, records: rs, outputStreams: outputs, publish: async o => void published.push(...o), published: cache, sleep: noSleep });
            for (const batch of batches(records, cuts)) {
              await run(store, batch);
              const before = await stateText(store, unit);
              const count = published.length;
              const suffix = batch.slice(suffixSeed % batch.length);

              // Act
              const again = await run(sameInstance ? store : newStore(), suffix);

              // Assess
              expect(again.skipped).toBe(suffix.length);
              expect(published.length).toBe(count);
              expect(await stateText(newStore(), unit)).toBe(before);
            }
          }),
          { numRuns: 12 },
        );
      },
      TEST_TIMEOUT_MS,
    );

    test(
      '8 concurrent invocations on one unit end as some sequential order would: no lost update',
      async () => {
        const plan = compileApp('define stream S (k string, v int); from S select k, sum(v) as total, count() as n group by k insert into Out;');
        let retries = 0;
        let runs = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 6 }), { minLength: 8, maxLength: 8 }),
            fc.boolean(),
            async (batches8, oneInstance) => {
              // Prepare: either all 8 share one store instance (one process serving them
              // concurrently) or each has its own (8 processes); only the backend decides who wins.
              const unit = freshUnit();
              const shared = newStore();

              // Act
              const results = await Promise.all(
                batches8.map((batch, b) =>
                  runInvocation({
                    plan,
                    store: oneInstance ? shared : newStore(),
                    unitKey: unit,
                    maxAttempts: 50,
                    sleep: briefSleep,
                    outputStreams: new Set(['Out']),
                    records: batch.map(([key, v], i) => ({ stream: 'S', time: 1 + i, data: [key, v], source: { kind: 'sequence' as const, id: `shard-${b}`, position: String(i + 1) } })),
                  }),
                ),
              );
              runs++;
              retries += results.reduce((a, r) => a + r.attempts - 1, 0);
              const probe = await runInvocation({
                plan,
                store: newStore(),
                unitKey: unit,
                outputStreams: new Set(['Out']),
                records: ['a', 'b', 'c'].map(key => ({ stream: 'S', time: 100, data: [key, 0] })),
              });

              // Assess: one commit per invocation (a conflict writes nothing): each shard's unit
              // written once, the global unit (group-by state) by each in turn; and every record
              // in the sums exactly once.
              expect(results.map(r => r.version)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
              expect(probe.version).toBe(9);
              expect(probe.outputs).toHaveLength(3);
              for (const [key, total, n] of probe.outputs.map(o => o.event.data as [string, number, number])) {
                const mine = batches8.flat().filter(x => x[0] === key);
                expect(total).toBe(mine.reduce((a, x) => a + x[1], 0));
                expect(n).toBe(mine.length + 1);
              }
            },
          ),
          { numRuns: 10 },
        );
        console.log(`${name}: ${runs} races of 8 concurrent invocations, ${retries} commits refused by the store and redone`);
        // Without a refused commit the property would hold for a store without conditions too.
        expect(retries).toBeGreaterThan(0);
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'crashes at every step lose nothing and count nothing twice',
      async () => {
        const tally = { crashes: 0, lost: 0, doubleCounted: 0, cold: 0, warm: 0, byStep: Object.fromEntries(STEPS.map(s => [s, 0])) as Record<Step, number> };
        await fc.assert(
          fc.asyncProperty(
            fc.nat(),
            fc.array(fc.nat(), { maxLength: 6 }),
            fc.array(fc.nat({ max: 99 }), { minLength: 40, maxLength: 40 }),
            fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
            async (k, cuts, dice, coldStarts) => {
              // Prepare: the reference, the same batches in memory with nothing crashing.
              const { plan, records, outputs } = cases[k % cases.length];
              const unit = freshUnit();
              const refStore = new MemoryStateStore();
              const expected: OutputEvent[] = [];
              for (const b of batches(records, cuts))
                await runInvocation({ plan, store: refStore, unitKey: unit, records: b, outputStreams: outputs, publish: async o => void expected.push(...o), published: new PublishedOutboxes() });

              // Act: a try dies at one of its steps (or none); the batch is then redelivered until
              // it commits and publishes, to a new process or to the same one, as the coins say.
              let roll = 0;
              let checks = 0;
              let target = -1;
              const crashAt = (step: Step) => {
                if (checks++ === target) {
                  tally.crashes++;
                  tally.byStep[step]++;
                  throw new Error(`crash ${step}`);
                }
              };
              let store = crashing(newStore(), crashAt);
              let cache = new PublishedOutboxes();
              const seen: OutputEvent[] = [];
              for (const b of batches(records, cuts)) {
                for (let tries = 0; ; tries++) {
                  expect(tries).toBeLessThan(200);
                  checks = 0;
                  const d = dice[roll % dice.length];
                  target = d < 60 ? d % 12 : -1;
                  const cold = coldStarts[roll++ % coldStarts.length];
                  try {
                    await runInvocation({
                      plan,
                      store,
                      unitKey: unit,
                      records: b,
                      outputStreams: outputs,
                      published: cache,
                      progress: () => crashAt('mid-processing'),
                      publish: async o => {
                        for (const x of o) {
                          crashAt('mid-publish');
                          seen.push(x);
                        }
                      },
                    });
                    break;
                  } catch (e) {
                    if (!(e instanceof Error) || !e.message.startsWith('crash')) throw e;
                    // A cold start keeps nothing of the dead process: no store cache, no record
                    // of what was published.
                    if (cold) {
                      tally.cold++;
                      store = crashing(newStore(), crashAt);
                      cache = new PublishedOutboxes();
                    } else tally.warm++;
                  }
                }
              }

              // Assess: every expected output seen with the same content; nothing else; the
              // same final state as the reference.
              const want = new Map(expected.map(o => [o.id, view(o)]));
              const got = new Map<string, string>();
              for (const o of seen) {
                if (got.has(o.id) && got.get(o.id) !== view(o)) tally.doubleCounted++;
                got.set(o.id, view(o));
              }
              for (const [id, v] of want) if (got.get(id) !== v) tally.lost++;
              for (const id of got.keys()) if (!want.has(id)) tally.doubleCounted++;
              if ((await stateText(refStore, unit)) !== (await stateText(newStore(), unit))) tally.doubleCounted++;
            },
          ),
          { numRuns: 50 },
        );
        console.log(
          `${name}: ${tally.crashes} crashes injected (${STEPS.map(s => `${s} ${tally.byStep[s]}`).join(', ')}; retried ${tally.cold} cold, ${tally.warm} warm), ${tally.lost} lost, ${tally.doubleCounted} double-counted`,
        );
        expect(tally.crashes).toBeGreaterThan(0);
        expect(tally.lost).toBe(0);
        expect(tally.doubleCounted).toBe(0);
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'a @store table, one item per row, answers like a table in the app state, whatever the batching',
      async () => {
        let run = 0;
        const key = fc.constantFrom('a', 'b', 'c', 'd');
        const op = fc.oneof(
          fc.tuple(key, fc.integer({ min: 0, max: 9 })).map(([k, v]) => ({ stream: 'Put', data: [k, v] })),
          key.map(k => ({ stream: 'Del', data: [k] })),
          key.map(k => ({ stream: 'Get', data: [k] })),
          fc.integer({ min: 0, max: 9 }).map(min => ({ stream: 'Above', data: [min] })),
        );
        const body = `define stream Put (k string, v int); define stream Del (k string); define stream Get (k string); define stream Above (min int);
          from Put select k, v update or insert into T on T.k == k;
          from Del delete T on T.k == k;
          from Get left outer join T on Get.k == T.k select Get.k, T.v as v insert into Got;
          from Above join T on T.v > Above.min select T.k, T.v insert into Over;`;
        const plain = compileApp(`@PrimaryKey('k') define table T (k string, v int); ${body}`);
        await fc.assert(
          fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(), { maxLength: 5 }), async (ops, cuts) => {
            const table = `rows-${++run}-${Date.now()}`;
            await backend!.rowTable(table);
            const stored = compileApp(`@store(type='dynamodb', table.name='${table}') @PrimaryKey('k') define table T (k string, v int); ${body}`);
            const records: InputRecord[] = ops.map((o, i) => ({ stream: o.stream, time: 1 + i, data: o.data as InputRecord['data'] }));
            const outputs = new Set(['Got', 'Over']);
            const view = (os: readonly OutputEvent[]) => os.map(o => jsonText([o.event.timestamp, o.stream, o.event.data])).sort();
            const ref = await runInvocation({ plan: plain, store: new MemoryStateStore(), unitKey: 'ref', records, outputStreams: outputs });
            const unit = `app/rows-${run}/global`;
            const got: OutputEvent[] = [];
            for (const b of batches(records, cuts)) got.push(...(await runInvocation({ plan: stored, store: newStore(), unitKey: unit, records: b, outputStreams: outputs, sleep: noSleep })).outputs);
            // A scan meets stored rows in the store's order: compare each record's outputs as a set.
            expect(view(got)).toEqual(view(ref.outputs));
            const rows = await newStore().loadRows(table, null);
            const final = await runInvocation({ plan: plain, store: new MemoryStateStore(), unitKey: 'ref', records, outputStreams: outputs, queries: ['from T select k, v order by k'] });
            expect([...rows.values()].map(r => [r.k, r.v]).sort()).toEqual(final.queryResults[0].records);
          }),
          { numRuns: 10 },
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}

invocationProperties('DynamoDB Local', dynamoDBLocalMissing(), async () => {
  const ddb: RunningEmulator = await startDynamoDBLocal();
  const client = dynamoDBClientFor(ddb);
  const tableName = 'invocations';
  try {
    await createStateTable(client, tableName);
  } catch (e) {
    client.destroy();
    await ddb.stop();
    throw e;
  }
  return {
    store: () => new DynamoDBStateStore(client, { tableName }),
    rowTable: name => createRowTable(client, name),
    async tearDown() {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
      client.destroy();
      await ddb.stop();
    },
  };
});

invocationProperties('the Firestore emulator', firestoreEmulatorMissing(), async () => {
  const emulator: RunningEmulator = await startFirestoreEmulator();
  const db = new Firestore({ projectId: 'millrace-invocations', host: emulator.endpoint, ssl: false });
  return {
    store: () => new FirestoreStateStore(db, { collection: 'invocations' }),
    rowTable: async () => {}, // a collection exists once it has a document
    async tearDown() {
      await db.terminate();
      await emulator.stop();
    },
  };
});
