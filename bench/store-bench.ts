// `npm run bench:stores`: what one invocation costs against the durable state stores, on
// DynamoDB Local and the Firestore emulator started here: store round trips, bytes read and
// written, time, the state's size, and for DynamoDB a cost per million events at AWS on-demand
// list prices from the measured reads and writes. One JSON line per backend and batch size.
//
// The app is a windowed aggregation over the synthetic rows of `millrace bench`; events are 10 ms
// apart, so the 1-minute window holds 6,000 of them once full. Invocations before the window is
// full are a warm-up and are not measured. Emulator latency is not cloud latency: read the
// times as relative figures, the round trips, bytes and units as what a deployment would see.
import { Firestore } from '@google-cloud/firestore';
import { createRowTable, createStateTable, DynamoDBStateStore } from '../adapters/aws/dynamodb-state-store';
import { FirestoreStateStore } from '../adapters/gcp/firestore-state-store';
import { BENCH_START_TIME, syntheticRow } from '../adapters/local/synthetic-source';
import { compileApp, encodeUnit, runInvocation, type AttributeSchema, type InputRecord, type Json, type StateStore } from '../core';
import { dynamoDBLocalMissing, firestoreEmulatorMissing, startDynamoDBLocal, startFirestoreEmulator } from '../test/helpers/emulators';
import { dynamoDBClientFor } from '../test/helpers/local-clients';

const APP = `@app:name('StoreBench')
define stream S (k string, v double);
from S#window.time(1 min) select k, sum(v) as s group by k insert into Out;`;
const ATTRIBUTES: AttributeSchema[] = [
  { name: 'k', type: 'STRING' },
  { name: 'v', type: 'DOUBLE' },
];
const EVENT_SPACING_MS = 10;
const WINDOW_MS = 60_000;

/** AWS on-demand list prices, USD. Transactions cost double; the store's units already say so. */
const USD_PER_WRU = 1.25 / 1e6;
const USD_PER_RRU = 0.25 / 1e6;

interface Scenario {
  readonly batch: number;
  readonly measured: number;
}

const SCENARIOS: Scenario[] = [
  { batch: 100, measured: 30 },
  { batch: 10_000, measured: 5 },
];

/** Counters both stores keep; DynamoDB adds request units, Firestore document counts. */
type Counters = Record<string, number>;

/** Times every store call (the runner's own time is the rest). */
function timedStore(store: StateStore, timing: { ms: number }): StateStore {
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      timing.ms += performance.now() - t;
    }
  };
  return {
    load: keys => timed(() => store.load(keys)),
    commit: (writes, rows) => timed(() => store.commit(writes, rows)),
    dueUnits: (now, limit) => timed(() => store.dueUnits(now, limit)),
    loadRows: (table, keys) => timed(() => store.loadRows(table, keys)),
  };
}

/** A fresh store and a way to read its counters. */
interface Backend {
  readonly store: StateStore;
  counters(): Counters;
}

function backendOf(store: StateStore & { readonly stats: object }): Backend {
  return { store, counters: () => Object.fromEntries(Object.entries(store.stats).filter((e): e is [string, number] => typeof e[1] === 'number')) };
}

async function runScenario(backend: string, make: () => Backend, s: Scenario): Promise<Record<string, unknown>> {
  const plan = compileApp(APP);
  const raw = make();
  const timing = { ms: 0 };
  const store = timedStore(raw.store, timing);
  const unitKey = `bench/${s.batch}/global`;
  const outputStreams = new Set(['Out']);
  let i = 0;
  const batch = (): InputRecord[] =>
    Array.from({ length: s.batch }, () => {
      const n = i++;
      return { stream: 'S', time: BENCH_START_TIME + n * EVENT_SPACING_MS, data: syntheticRow(ATTRIBUTES, n) };
    });

  // Warm-up: fill the window, so the measured invocations carry a full window of state.
  const warmUp = Math.ceil(WINDOW_MS / EVENT_SPACING_MS / s.batch);
  for (let w = 0; w < warmUp; w++) await runInvocation({ plan, store, unitKey, records: batch(), outputStreams });

  const before = raw.counters();
  timing.ms = 0;
  const started = performance.now();
  let outputs = 0;
  for (let m = 0; m < s.measured; m++) outputs += (await runInvocation({ plan, store, unitKey, records: batch(), outputStreams })).outputs.length;
  const elapsed = performance.now() - started;
  const after = raw.counters();
  const per = (name: string) => ((after[name] ?? 0) - (before[name] ?? 0)) / s.measured;

  const unit = (await raw.store.load([unitKey])).get(unitKey);
  const encoded = unit === undefined ? 0 : encodeUnit(unit.value as Json).length;
  const line: Record<string, unknown> = {
    bench: 'state-store',
    backend,
    batch: s.batch,
    invocations: s.measured,
    warmUpInvocations: warmUp,
    outputsPerInvocation: outputs / s.measured,
    msPerInvocation: round(elapsed / s.measured),
    storeMsPerInvocation: round(timing.ms / s.measured),
    roundTripsPerInvocation: round(per('requests')),
    bytesReadPerInvocation: Math.round(per('bytesRead')),
    bytesWrittenPerInvocation: Math.round(per('bytesWritten')),
    // One unit per invocation here: what is written is the unit, gzipped.
    stateBytesPerUnitStored: Math.round(per('bytesWritten')),
    stateBytesPerUnitEncoded: encoded,
    windowEvents: WINDOW_MS / EVENT_SPACING_MS,
    storedBytesPerWindowEvent: round(per('bytesWritten') / (WINDOW_MS / EVENT_SPACING_MS)),
  };
  Object.assign(line, storeUnits(per, 'readRequestUnits' in after, s.batch));
  return line;
}

const TABLE_ROWS = 10_000;

/** A scenario whose state is partly store items: an app, how to fill it, and its measured batches. */
interface RowsScenario {
  readonly bench: string;
  readonly app: (table: string) => string;
  readonly outputs: string[];
  /** Batches that set the scene before measuring (each one invocation). */
  readonly fill: (next: () => number) => InputRecord[][];
  /** The n-th event measured, at time t. */
  readonly event: (n: number, t: number) => InputRecord;
  readonly extra: Record<string, unknown>;
}

/**
 * A @store table of 10,000 rows, one item each: every order looks one row up by primary key and
 * updates it, with distinct keys spread over the table (every look-up a row the batch has not loaded).
 */
const STORE_TABLE: RowsScenario = {
  bench: 'store-table',
  app: table => `@app:name('StoreTableBench')
define stream Order (sku string, qty int);
define stream Restock (sku string, qty int);
@store(type='dynamodb', table.name='${table}') @PrimaryKey('sku')
define table Stock (sku string, qty int);
from Restock select sku, qty update or insert into Stock on Stock.sku == sku;
from Order join Stock on Order.sku == Stock.sku select Order.sku, Stock.qty - Order.qty as left insert into Left;
from Order select sku, qty update Stock set Stock.qty = Stock.qty - qty on Stock.sku == sku;`,
  outputs: ['Left'],
  // 90 rows per invocation: a DynamoDB transaction holds 100 items.
  fill: next => Array.from({ length: Math.ceil(TABLE_ROWS / 90) }, (_, b) => Array.from({ length: Math.min(90, TABLE_ROWS - b * 90) }, (_, j) => ({ stream: 'Restock', time: next(), data: [`sku${b * 90 + j}`, 1_000_000] }))),
  event: (n, t) => ({ stream: 'Order', time: t, data: [`sku${(n * 7919) % TABLE_ROWS}`, 1] }),
  extra: { tableRows: TABLE_ROWS },
};

/**
 * An @store incremental aggregation, sec ... hour, grouped by 10 symbols, events 10 ms apart: one
 * item per (duration, bucket, symbol). The purge (every 15 minutes of event time) loads them all.
 */
const STORE_AGGREGATION: RowsScenario = {
  bench: 'store-aggregation',
  app: table => `@app:name('StoreAggBench')
define stream Trade (sym string, price double);
@store(type='dynamodb', table.name='${table}')
define aggregation TradeAgg from Trade select sym, sum(price) as total, avg(price) as avgPrice, count() as n group by sym aggregate every sec ... hour;`,
  outputs: [],
  fill: () => [],
  event: (n, t) => ({ stream: 'Trade', time: t, data: [`S${n % 10}`, (n * 7) % 100 + 0.5] }),
  extra: { groups: 10, durations: 4 },
};

/** Per invocation of `batch` events: the store items read and written, and what they cost. */
async function runRowsScenario(backend: string, make: () => Backend, sc: RowsScenario, table: string, batch: number, spacingMs: number): Promise<Record<string, unknown>> {
  const plan = compileApp(sc.app(table));
  const raw = make();
  const timing = { ms: 0 };
  const store = timedStore(raw.store, timing);
  const unitKey = `${sc.bench}/${batch}/global`;
  const outputStreams = new Set(sc.outputs);
  let time = BENCH_START_TIME;
  for (const records of sc.fill(() => time++)) {
    const r = await runInvocation({ plan, store, unitKey, records, outputStreams });
    if (r.failed.length) throw new Error(`setting up ${sc.bench}: ${r.failed.length} records did not commit`);
  }
  const measured = 20;
  const before = raw.counters();
  timing.ms = 0;
  const started = performance.now();
  let failed = 0;
  let n = 0;
  for (let m = 0; m < measured; m++) {
    const records = Array.from({ length: batch }, () => sc.event(n++, (time += spacingMs)));
    failed += (await runInvocation({ plan, store, unitKey, records, outputStreams })).failed.length;
  }
  const elapsed = performance.now() - started;
  const after = raw.counters();
  const per = (name: string) => ((after[name] ?? 0) - (before[name] ?? 0)) / measured;
  const line: Record<string, unknown> = {
    bench: sc.bench,
    backend,
    ...sc.extra,
    batch,
    invocations: measured,
    failedRecordsPerInvocation: failed / measured,
    msPerInvocation: round(elapsed / measured),
    storeMsPerInvocation: round(timing.ms / measured),
    roundTripsPerInvocation: round(per('requests')),
    rowsReadPerInvocation: round(per('rowsRead')),
    rowsWrittenPerInvocation: round(per('rowsWritten')),
    bytesReadPerInvocation: Math.round(per('bytesRead')),
    bytesWrittenPerInvocation: Math.round(per('bytesWritten')),
  };
  // Per committed event: records reported failed are delivered again and paid for then.
  Object.assign(line, storeUnits(per, 'readRequestUnits' in after, batch - failed / measured));
  return line;
}

/**
 * Per invocation: DynamoDB's read and write units and the cost of `events` events at list prices,
 * or Firestore's document operations.
 */
function storeUnits(per: (counter: string) => number, dynamo: boolean, events: number): Record<string, number> {
  if (!dynamo) {
    return {
      documentReadsPerInvocation: round(per('documentReads')),
      documentWritesPerInvocation: round(per('documentWrites')),
      documentDeletesPerInvocation: round(per('documentDeletes')),
    };
  }
  const rru = per('readRequestUnits');
  const wru = per('writeRequestUnits');
  // The larger of what the service reported and the estimate from AWS's rules: DynamoDB Local
  // under-reports transactional writes (it does not double them per item).
  const billedR = Math.max(per('consumedReadUnits'), rru);
  const billedW = Math.max(per('consumedWriteUnits'), wru);
  return {
    readUnitsPerInvocation: round(billedR),
    writeUnitsPerInvocation: round(billedW),
    estimatedReadUnitsPerInvocation: round(rru),
    estimatedWriteUnitsPerInvocation: round(wru),
    usdPerMillionEvents: round(((billedR * USD_PER_RRU + billedW * USD_PER_WRU) * 1e6) / events),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const dynamoMissing = dynamoDBLocalMissing();
  if (dynamoMissing) {
    console.log(JSON.stringify({ bench: 'state-store', backend: 'dynamodb-local', skipped: dynamoMissing }));
  } else {
    const ddb = await startDynamoDBLocal();
    const client = dynamoDBClientFor(ddb);
    try {
      await createStateTable(client, 'bench');
      for (const s of SCENARIOS) {
        const line = await runScenario('dynamodb-local', () => backendOf(new DynamoDBStateStore(client, { tableName: 'bench' })), s);
        console.log(JSON.stringify(line));
      }
      await createRowTable(client, 'bench-stock');
      await createRowTable(client, 'bench-agg');
      const make = () => backendOf(new DynamoDBStateStore(client, { tableName: 'bench' }));
      for (const batch of [10, 50]) console.log(JSON.stringify(await runRowsScenario('dynamodb-local', make, STORE_TABLE, 'bench-stock', batch, 1)));
      for (const batch of [100, 1000]) console.log(JSON.stringify(await runRowsScenario('dynamodb-local', make, STORE_AGGREGATION, 'bench-agg', batch, EVENT_SPACING_MS)));
    } finally {
      client.destroy();
      await ddb.stop();
    }
  }

  const firestoreMissing = firestoreEmulatorMissing();
  if (firestoreMissing) {
    console.log(JSON.stringify({ bench: 'state-store', backend: 'firestore-emulator', skipped: firestoreMissing }));
  } else {
    const emulator = await startFirestoreEmulator();
    const db = new Firestore({ projectId: 'millrace-bench', host: emulator.endpoint, ssl: false });
    try {
      for (const s of SCENARIOS) {
        const line = await runScenario('firestore-emulator', () => backendOf(new FirestoreStateStore(db, { collection: 'bench' })), s);
        console.log(JSON.stringify(line));
      }
      const make = () => backendOf(new FirestoreStateStore(db, { collection: 'bench' }));
      for (const batch of [10, 50]) console.log(JSON.stringify(await runRowsScenario('firestore-emulator', make, STORE_TABLE, 'bench-stock', batch, 1)));
      for (const batch of [100, 1000]) console.log(JSON.stringify(await runRowsScenario('firestore-emulator', make, STORE_AGGREGATION, 'bench-agg', batch, EVENT_SPACING_MS)));
    } finally {
      await db.terminate();
      await emulator.stop();
    }
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
