/**
 * The tick function against DynamoDB Local (started here): a time window closes without traffic
 * when the tick finds its unit through the state table's next-due index; work per tick is bounded
 * by the limit and by the time Lambda leaves, the rest is picked up by the next tick; a unit of
 * another app in the same table is left alone. The outputs expected are the engine's own for the
 * same records followed by a move of the clock (in memory), so nothing here is written by hand.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createStateTable, DynamoDBStateStore } from '../../adapters/aws/dynamodb-state-store';
import { jsonLogger } from '../../adapters/node/json-logger';
import { createTickHandler, tick, type TickDeps } from '../../functions/aws/tick-handler';
import { compileApp, jsonText, MemoryStateStore, runInvocation, type InputRecord, type OutputEvent, type StateStore } from '../../core';
import { dynamoDBLocalMissing, startDynamoDBLocal, type RunningEmulator } from '../helpers/emulators';
import { dynamoDBClientFor } from '../helpers/local-clients';

const TEST_TIMEOUT_MS = 120_000;
const APP = `
@app:name('Ticking')
define stream In (sym string, price double);
@sink(type='log')
define stream Out (sym string, total double, n long);
from In#window.timeBatch(1 min)
select sym, sum(price) as total, count() as n
group by sym
insert into Out;
`;
const plan = compileApp(APP);
const other = compileApp(APP.replace("'Ticking'", "'Other'"));
const T0 = 1_700_000_000_000;
const events: InputRecord[] = [
  { stream: 'In', time: T0 + 1_000, data: ['ACME', 10] },
  { stream: 'In', time: T0 + 2_000, data: ['ACME', 5] },
  { stream: 'In', time: T0 + 3_000, data: ['WXYZ', 7] },
];
const outputStreams = new Set(['Out']);
const view = (o: OutputEvent) => jsonText([o.stream, o.event.timestamp, o.event.data]);

/** What the engine emits for `events` followed by the clock at `time`, all in one invocation in memory. */
async function expected(time: number): Promise<string[]> {
  const r = await runInvocation({ plan, store: new MemoryStateStore(), records: [...events, { time }], outputStreams });
  return r.outputs.map(view);
}

const missing = dynamoDBLocalMissing();
if (missing) console.warn(`SKIPPED: the tick tests cannot run here: ${missing}`);
(missing ? describe.skip : describe)('tick on DynamoDB Local', () => {
  let ddb: RunningEmulator | undefined;
  let tables = 0;
  /** A state table of its own per test, so due units of one test never reach another. */
  async function freshStore(): Promise<StateStore> {
    const client = dynamoDBClientFor(ddb!);
    const name = `tick-state-${++tables}`;
    await createStateTable(client, name);
    return new DynamoDBStateStore(client, { tableName: name });
  }
  function deps(store: StateStore, published: OutputEvent[], over: Partial<TickDeps> = {}): TickDeps {
    return { plan, store, publish: async o => void published.push(...o), logger: jsonLogger({ write: () => {} }), limit: 100, reserveMs: 1000, lagMs: 0, ...over };
  }
  /** The ingest's part, done directly: the events committed to a unit of the app. */
  const ingest = (store: StateStore, unitKey?: string, p = plan) => runInvocation({ plan: p, store, unitKey, records: events, outputStreams });

  beforeAll(async () => {
    ddb = await startDynamoDBLocal();
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    await ddb?.stop();
  });

  test(
    'a time window closes without traffic when its timer is due, and only then',
    async () => {
      // Prepare: events in the window, nothing after them.
      const store = await freshStore();
      const ingested = await ingest(store);
      expect(ingested.outputs).toEqual([]);
      expect(ingested.nextDue).toBe(T0 + 60_000 + 1_000);
      const published: OutputEvent[] = [];

      // Act: a tick before the window's end, then one after it, then one more.
      const early = await tick(deps(store, published, { clock: () => T0 + 30_000 }), () => 60_000);
      const late = await tick(deps(store, published, { clock: () => T0 + 62_000 }), () => 60_000);
      const again = await tick(deps(store, published, { clock: () => T0 + 63_000 }), () => 60_000);

      // Assess: only the due tick advanced the unit, and it published what the engine emits.
      expect(early).toMatchObject({ due: 0, advanced: 0, outputs: 0 });
      expect(late).toMatchObject({ due: 1, advanced: 1, failed: 0, left: 0, more: false });
      expect(published.map(view)).toEqual(await expected(T0 + 62_000));
      expect(published.length).toBe(2);
      expect(again).toMatchObject({ due: 0, advanced: 0 });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'work per tick is bounded by the limit and the time left; the next ticks pick up the rest; other apps are left alone',
    async () => {
      // Prepare: three units of the app and one of another app, all due at the same time.
      const store = await freshStore();
      for (const unit of ['app/Ticking/global', 'app/Ticking/tenant-b', 'app/Ticking/tenant-c']) await ingest(store, unit);
      await ingest(store, undefined, other);
      const published: OutputEvent[] = [];
      const at = (over: Partial<TickDeps>) => deps(store, published, { clock: () => T0 + 62_000, ...over });

      // Act: a tick with no time left, then ticks of one unit each.
      const starved = await tick(at({}), () => 500);
      const first = await tick(at({ limit: 1 }), () => 60_000);
      const rest = await tick(at({ limit: 10 }), () => 60_000);
      const done = await tick(at({ limit: 10 }), () => 60_000);

      // Assess
      expect(starved).toMatchObject({ advanced: 0, left: 3 });
      expect(first).toMatchObject({ advanced: 1, more: true });
      expect(rest).toMatchObject({ due: 2, advanced: 2, left: 0, more: false });
      expect(done).toMatchObject({ due: 0, advanced: 0 });
      expect(published.length).toBe(6);
      const untouched = (await store.load(['app/Other/global'])).get('app/Other/global');
      expect(untouched?.version).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'the middy handler runs a tick with the time Lambda leaves and logs its summary as JSON',
    async () => {
      const store = await freshStore();
      await ingest(store);
      const lines: string[] = [];
      const published: OutputEvent[] = [];
      const handler = createTickHandler(deps(store, published, { clock: () => T0 + 62_000, logger: jsonLogger({ write: l => lines.push(l), fields: { app: 'Ticking' } }) }));
      const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 50_000 } as unknown as Context;
      const event = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(T0 + 62_000).toISOString(), detail: {} } as unknown as ScheduledEvent;

      const summary = await handler(event, context);

      expect(summary).toMatchObject({ due: 1, advanced: 1, outputs: 2 });
      expect(published.map(view)).toEqual(await expected(T0 + 62_000));
      const last = JSON.parse(lines[lines.length - 1]);
      expect(last).toMatchObject({ level: 'INFO', message: 'tick done', app: 'Ticking', invocation: 'req-1', advanced: 1, outputs: 2 });
      expect(lines.map(l => JSON.parse(l).unit)).toContain('app/Ticking/global');
    },
    TEST_TIMEOUT_MS,
  );
});
