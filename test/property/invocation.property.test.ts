import fc from 'fast-check';
import {
  compileApp,
  jsonText,
  MemoryStateStore,
  PublishedOutboxes,
  runInvocation,
  type InputRecord,
  type OutputEvent,
  type StateStore,
} from '../../core';
import { batches } from '../helpers/batches';
import { invocationCases } from '../helpers/conformance-cases';

const noSleep = async () => {};
const UNIT = 'app/test/global';

const view = (o: OutputEvent) => jsonText([o.id, o.stream, o.event.timestamp, o.event.data]);

describe('invocations', () => {
  let cases: Awaited<ReturnType<typeof invocationCases>>;
  beforeAll(async () => {
    cases = await invocationCases();
  });

  test('redelivering any suffix of a committed batch changes neither state nor outputs', async () => {
    expect(cases.length).toBeGreaterThan(50);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(fc.nat(), { maxLength: 5 }), fc.nat(), async (k, cuts, suffixSeed) => {
        const { plan, records, outputs } = cases[k % cases.length];
        const store = new MemoryStateStore();
        const published: OutputEvent[] = [];
        const cache = new PublishedOutboxes();
        const run = (rs: InputRecord[]) =>
          runInvocation({ plan, store, unitKey: UNIT, records: rs, outputStreams: outputs, publish: async o => void published.push(...o), published: cache, sleep: noSleep });
        for (const batch of batches(records, cuts)) {
          await run(batch);
          const stateOf = async () => JSON.stringify(((await store.load([UNIT])).get(UNIT)!.value as { state: unknown }).state);
          const before = await stateOf();
          const count = published.length;
          const suffix = batch.slice(suffixSeed % batch.length);
          const again = await run(suffix);
          expect(again.skipped).toBe(suffix.length);
          expect(published.length).toBe(count);
          expect(await stateOf()).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('8 concurrent invocations on one unit end as some sequential order would: no lost update', async () => {
    const plan = compileApp('define stream S (k string, v int); from S select k, sum(v) as total, count() as n group by k insert into Out;');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 6 }), { minLength: 8, maxLength: 8 }), async batches8 => {
        const store = new MemoryStateStore();
        await Promise.all(
          batches8.map((batch, b) =>
            runInvocation({
              plan,
              store,
              unitKey: UNIT,
              maxAttempts: 50,
              sleep: noSleep,
              outputStreams: new Set(['Out']),
              records: batch.map(([k, v], i) => ({ stream: 'S', time: 1 + i, data: [k, v], source: { kind: 'sequence' as const, id: `shard-${b}`, position: String(i + 1) } })),
            }),
          ),
        );
        const probe = await runInvocation({
          plan,
          store,
          unitKey: UNIT,
          outputStreams: new Set(['Out']),
          records: ['a', 'b', 'c'].map(k => ({ stream: 'S', time: 100, data: [k, 0] })),
        });
        for (const [k, total, n] of probe.outputs.map(o => o.event.data as [string, number, number])) {
          const mine = batches8.flat().filter(x => x[0] === k);
          expect(total).toBe(mine.reduce((a, x) => a + x[1], 0));
          expect(n).toBe(mine.length + 1);
        }
      }),
      { numRuns: 40 },
    );
  });

  test('crashes at every step lose nothing and count nothing twice', async () => {
    const STEPS = ['after load', 'mid-processing', 'before commit', 'after commit', 'mid-publish'] as const;
    const tally = { crashes: 0, lost: 0, doubleCounted: 0, byStep: Object.fromEntries(STEPS.map(s => [s, 0])) as Record<string, number> };
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(fc.nat(), { maxLength: 6 }), fc.array(fc.nat({ max: 99 }), { minLength: 40, maxLength: 40 }), async (k, cuts, dice) => {
        const { plan, records, outputs } = cases[k % cases.length];
        // The reference: the same batches, nothing crashes.
        const refStore = new MemoryStateStore();
        const expected: OutputEvent[] = [];
        for (const b of batches(records, cuts))
          await runInvocation({ plan, store: refStore, unitKey: UNIT, records: b, outputStreams: outputs, publish: async o => void expected.push(...o), published: new PublishedOutboxes() });
        // Under fire: a try dies at one of its steps (or none); the batch is then redelivered to a
        // new process (nothing in memory survives) until it commits and publishes.
        let roll = 0;
        let checks = 0;
        let target = -1;
        const newTry = () => {
          checks = 0;
          const d = dice[roll++ % dice.length];
          target = d < 60 ? d % 12 : -1;
        };
        const crashAt = (step: (typeof STEPS)[number]) => {
          if (checks++ === target) {
            tally.crashes++;
            tally.byStep[step]++;
            throw new Error(`crash ${step}`);
          }
        };
        /** The memory store, dying where the dice say: after a load, before or after a commit. */
        class CrashingStore extends MemoryStateStore {
          override async load(keys: readonly string[]) {
            const r = await super.load(keys);
            crashAt('after load');
            return r;
          }
          override async commit(writes: Parameters<MemoryStateStore['commit']>[0]) {
            crashAt('before commit');
            const r = await super.commit(writes);
            crashAt('after commit');
            return r;
          }
        }
        const inner = new CrashingStore();
        const store: StateStore = inner;
        const seen: OutputEvent[] = [];
        for (const b of batches(records, cuts)) {
          for (let tries = 0; ; tries++) {
            expect(tries).toBeLessThan(200);
            newTry();
            try {
              await runInvocation({
                plan,
                store,
                unitKey: UNIT,
                records: b,
                outputStreams: outputs,
                published: new PublishedOutboxes(),
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
            }
          }
        }
        const want = new Map(expected.map(o => [o.id, view(o)]));
        const got = new Map<string, string>();
        for (const o of seen) {
          if (got.has(o.id) && got.get(o.id) !== view(o)) tally.doubleCounted++;
          got.set(o.id, view(o));
        }
        for (const [id, v] of want) if (got.get(id) !== v) tally.lost++;
        for (const id of got.keys()) if (!want.has(id)) tally.doubleCounted++;
        const finalState = async (s: StateStore) => JSON.stringify(((await s.load([UNIT])).get(UNIT)?.value as { state?: unknown } | undefined)?.state);
        target = -1;
        if ((await finalState(refStore)) !== (await finalState(inner))) tally.doubleCounted++;
      }),
      { numRuns: 150 },
    );
    process.stdout.write(`crash injection: ${tally.crashes} crashes (${STEPS.map(s => `${s} ${tally.byStep[s]}`).join(', ')}); lost ${tally.lost}, double-counted ${tally.doubleCounted}\n`);
    expect(tally.crashes).toBeGreaterThan(100);
    expect(tally.lost).toBe(0);
    expect(tally.doubleCounted).toBe(0);
  });
});
