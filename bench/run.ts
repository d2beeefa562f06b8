// `npm run bench`: every scenario through `millrace bench` (in this process), and beside it the
// same work written by hand as a plain JavaScript loop over the same synthetic rows, with the
// ratio. Figures are events per second; the ratio is engine / hand-written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_START_TIME, syntheticPool } from '../adapters/local/synthetic-source';
import { encodeUnit, type AppRuntime, type AttributeSchema, type Json, type Value } from '../core';
import { benchCommand } from '../functions/local/bench-command';
import { functionBundles, TARGET_BYTES, TARGET_COLD_MS } from './function-bundles';

const TRADES: AttributeSchema[] = [
  { name: 'symbol', type: 'STRING' },
  { name: 'price', type: 'DOUBLE' },
  { name: 'volume', type: 'LONG' },
];

interface Scenario {
  name: string;
  file: string;
  events: number;
  /** Run before the warm-up (fills tables). */
  prepare?: (rt: AppRuntime) => void;
  /** Partition keys, for the state size per key. */
  partitionKeys?: number;
  /** Events a full window holds, for the state size per windowed event. */
  windowed?: number;
  /** The same result computed by hand; returns the number of output rows. */
  hand(pool: Value[][], events: number, first: number): number;
}

const sink: unknown[] = [];
const keep = (x: unknown) => {
  if (sink.length > 1000) sink.length = 0;
  sink.push(x);
};

const scenarios: Scenario[] = [
  {
    name: 'filter',
    file: 'filter.siddhi',
    events: 2_000_000,
    hand(pool, events, first) {
      let outputs = 0;
      for (let i = first; i < first + events; i++) {
        const row = pool[i % pool.length];
        const price = row[1] as number | null;
        if (price !== null && price > 50) {
          keep({ timestamp: BENCH_START_TIME + i, data: [row[0], price] });
          outputs++;
        }
      }
      return outputs;
    },
  },
  {
    name: 'projection',
    file: 'projection.siddhi',
    events: 2_000_000,
    hand(pool, events, first) {
      for (let i = first; i < first + events; i++) {
        const row = pool[i % pool.length];
        const price = row[1] as number;
        const volume = row[2] as number;
        keep({ timestamp: BENCH_START_TIME + i, data: [row[0], price * volume, volume > 50 ? 'big' : 'small', price / 2] });
      }
      return events;
    },
  },
  {
    name: 'lengthBatch(100) sum/avg/count',
    file: 'length-batch-sum.siddhi',
    events: 1_000_000,
    hand(pool, events, first) {
      let outputs = 0;
      let vol = 0;
      let price = 0;
      let n = 0;
      for (let i = first; i < first + events; i++) {
        const row = pool[i % pool.length];
        vol += row[2] as number;
        price += row[1] as number;
        n++;
        if (n === 100) {
          keep({ timestamp: BENCH_START_TIME + i, data: [vol, price / n, n] });
          outputs++;
          vol = price = n = 0;
        }
      }
      return outputs;
    },
  },
  {
    name: 'length(1000) sum/avg',
    file: 'length-sliding-sum-avg.siddhi',
    events: 1_000_000,
    windowed: 1000,
    hand(pool, events, first) {
      const ring: number[][] = [];
      let head = 0;
      let vol = 0;
      let price = 0;
      for (let i = first; i < first + events; i++) {
        const row = pool[i % pool.length];
        if (ring.length - head === 1000) {
          const old = ring[head++];
          vol -= old[2] as number;
          price -= old[1] as number;
          if (head > 4096) {
            ring.splice(0, head);
            head = 0;
          }
        }
        ring.push(row as number[]);
        vol += row[2] as number;
        price += row[1] as number;
        keep({ timestamp: BENCH_START_TIME + i, data: [row[0], vol, price / (ring.length - head)] });
      }
      return events;
    },
  },
  {
    name: 'time(1 min) group by 1,000 keys',
    file: 'time-group-by-1000-keys.siddhi',
    events: 1_000_000,
    windowed: 60_000,
    hand(pool, events, first) {
      // A queue of (time, key, price) and per-key running sum and count, like the window does.
      const times: number[] = [];
      const keys: number[] = [];
      const prices: number[] = [];
      let head = 0;
      const sum = new Map<number, number>();
      const cnt = new Map<number, number>();
      for (let i = first; i < first + events; i++) {
        const t = BENCH_START_TIME + i;
        while (head < times.length && times[head] + 60_000 <= t) {
          const k = keys[head];
          sum.set(k, sum.get(k)! - prices[head]);
          cnt.set(k, cnt.get(k)! - 1);
          head++;
        }
        if (head > 65_536) {
          times.splice(0, head);
          keys.splice(0, head);
          prices.splice(0, head);
          head = 0;
        }
        const row = pool[i % pool.length];
        const k = t % 1000;
        const p = row[1] as number;
        times.push(t);
        keys.push(k);
        prices.push(p);
        sum.set(k, (sum.get(k) ?? 0) + p);
        cnt.set(k, (cnt.get(k) ?? 0) + 1);
        keep({ timestamp: t, data: [k, p] });
        keep({ timestamp: t, data: [k, sum.get(k), cnt.get(k)] });
      }
      // Counted like the engine's: the intermediate Keyed rows and the per-account rows.
      return 2 * events;
    },
  },
  {
    name: 'lengthBatch(100) order by, limit 5',
    file: 'length-batch-top5.siddhi',
    events: 1_000_000,
    hand(pool, events, first) {
      let outputs = 0;
      let batch: Value[][] = [];
      for (let i = first; i < first + events; i++) {
        batch.push(pool[i % pool.length]);
        if (batch.length === 100) {
          const top = batch
            .slice()
            .sort((a, b) => (b[1] as number) - (a[1] as number) || (a[2] as number) - (b[2] as number))
            .slice(0, 5);
          for (const r of top) keep({ timestamp: BENCH_START_TIME + i, data: r });
          outputs += top.length;
          batch = [];
        }
      }
      return outputs;
    },
  },
  {
    name: 'stream-table join, 10,000-row table by primary key',
    file: 'stream-table-join.siddhi',
    events: 1_000_000,
    prepare: rt => {
      for (let id = 0; id < ACCOUNTS; id++) rt.send('AccountUpdates', BENCH_START_TIME - 1, [id, `owner${id}`, (id % 50) * 100]);
    },
    hand(pool, events, first) {
      const accounts = new Map<number, [number, string, number]>();
      for (let id = 0; id < ACCOUNTS; id++) accounts.set(id, [id, `owner${id}`, (id % 50) * 100]);
      let outputs = 0;
      for (let i = first; i < first + events; i++) {
        const row = pool[i % pool.length];
        const t = BENCH_START_TIME + i;
        const account = t % ACCOUNTS;
        const notional = (row[1] as number) * (row[2] as number);
        const acc = accounts.get(account);
        keep({ timestamp: t, data: [account, notional] });
        outputs++;
        if (acc) {
          keep({ timestamp: t, data: [account, acc[1], notional, notional > acc[2]] });
          outputs++;
        }
      }
      // Counted like the engine's: the intermediate Keyed rows and the joined rows.
      return outputs;
    },
  },
  {
    name: 'windowed self join, length(10) both sides',
    file: 'windowed-self-join.siddhi',
    events: 1_000_000,
    hand(pool, events, first) {
      const left: Value[][] = [];
      const right: Value[][] = [];
      let outputs = 0;
      // Start 10 rows early, so the windows are as full as the engine's after its warm-up.
      for (let i = Math.max(0, first - 10); i < first + events; i++) {
        const row = pool[i % pool.length];
        const t = BENCH_START_TIME + i;
        const counted = i >= first;
        // The left side takes the event first and matches the right window, then the right side.
        if (left.length === 10) left.shift();
        left.push(row);
        for (const r of right)
          if (r[0] === row[0] && counted) {
            keep({ timestamp: t, data: [row[0], row[1], r[1]] });
            outputs++;
          }
        if (right.length === 10) right.shift();
        right.push(row);
        for (const l of left)
          if (l[0] === row[0] && counted) {
            keep({ timestamp: t, data: [l[0], l[1], row[1]] });
            outputs++;
          }
      }
      return outputs;
    },
  },
  {
    name: 'partition over 10,000 keys, length(10) sum per key',
    file: 'partition-10000-keys.siddhi',
    events: 1_000_000,
    partitionKeys: 10_000,
    hand(pool, events, first) {
      // Per key: the last 10 prices and their running sum, like one partition instance each.
      const rings = new Map<number, { prices: number[]; sum: number }>();
      for (let i = Math.max(0, first - 100_000); i < first + events; i++) {
        const row = pool[i % pool.length];
        const t = BENCH_START_TIME + i;
        const k = t % 10_000;
        const p = row[1] as number;
        let r = rings.get(k);
        if (!r) rings.set(k, (r = { prices: [], sum: 0 }));
        if (r.prices.length === 10) r.sum -= r.prices.shift()!;
        r.prices.push(p);
        r.sum += p;
        if (i >= first) {
          keep({ timestamp: t, data: [k, p] });
          keep({ timestamp: t, data: [k, r.sum, r.prices.length] });
        }
      }
      return 2 * events;
    },
  },
  {
    name: 'incremental aggregation sec ... hour, group by symbol',
    file: 'incremental-aggregation.siddhi',
    events: 1_000_000,
    hand(pool, events, first) {
      // Per duration: bucket start -> symbol -> [volume, price sum, count, high].
      const units = [1000, 60_000, 3_600_000];
      const buckets = units.map(() => new Map<number, Map<string, number[]>>());
      for (let i = first; i < first + events; i++) {
        const row = pool[i % pool.length];
        const t = BENCH_START_TIME + i;
        for (let u = 0; u < units.length; u++) {
          const start = Math.floor(t / units[u]) * units[u];
          let rows = buckets[u].get(start);
          if (!rows) buckets[u].set(start, (rows = new Map()));
          const sym = row[0] as string;
          let a = rows.get(sym);
          if (!a) rows.set(sym, (a = [0, 0, 0, -Infinity]));
          a[0] += row[2] as number;
          a[1] += row[1] as number;
          a[2]++;
          if ((row[1] as number) > a[3]) a[3] = row[1] as number;
        }
        // Seconds buckets older than two minutes are dropped, as the engine's default retention does.
        if (i % 60_000 === 0) for (const start of buckets[0].keys()) if (start < t - 120_000) buckets[0].delete(start);
      }
      keep(buckets);
      return 0;
    },
  },
  {
    name: 'pattern every e1 -> e2[e2.price > e1.price] within 1 min',
    file: 'pattern-rise-within.siddhi',
    events: 1_000_000,
    hand(pool, events, first) {
      // Open partial matches (e1 waiting for a higher price), oldest first.
      let open: { t: number; row: Value[] }[] = [];
      let outputs = 0;
      for (let i = Math.max(0, first - 60_000); i < first + events; i++) {
        const row = pool[i % pool.length];
        const t = BENCH_START_TIME + i;
        const price = row[1] as number;
        const still: { t: number; row: Value[] }[] = [];
        for (const m of open) {
          if (m.t + 60_000 < t) continue;
          if (price > (m.row[1] as number)) {
            if (i >= first) {
              keep({ timestamp: t, data: [m.row[0], m.row[1], price] });
              outputs++;
            }
          } else still.push(m);
        }
        still.push({ t, row });
        open = still;
      }
      lastOpenMatches = open.length;
      return outputs;
    },
  },
];

/** Open partial matches left by the last pattern hand loop, for the state size per match. */
let lastOpenMatches = 0;

const ACCOUNTS = 10_000;

async function main() {
  const only = process.argv[2];
  const pool = syntheticPool(TRADES);
  const rows: string[] = [];
  const failed: string[] = [];
  for (const s of scenarios) {
    if (only && !s.name.includes(only)) continue;
    const appText = readFileSync(join(__dirname, '..', 'bench', 'scenarios', s.file), 'utf8');
    let engine: { outputs: number; eventsPerSec: number; seconds: number } | undefined;
    let stateBytes = 0;
    await benchCommand({
      appName: s.file,
      appText,
      events: s.events,
      warmup: Math.min(200_000, s.events / 5),
      stdout: l => (engine = JSON.parse(l)),
      stderr: l => process.stderr.write(l + '\n'),
      prepare: s.prepare,
      afterRun: rt => (stateBytes = Buffer.byteLength(encodeUnit(rt.snapshot() as unknown as Json))),
    });
    if (!engine) {
      failed.push(s.name);
      console.log(JSON.stringify({ scenario: s.name, error: 'the app did not run (see above)' }));
      continue;
    }
    // Same rows as the engine: warm up on the first ones, count the ones after them.
    const warmup = Math.min(200_000, s.events / 5);
    s.hand(pool, warmup, 0);
    const started = performance.now();
    const handOutputs = s.hand(pool, s.events, warmup);
    const handSeconds = (performance.now() - started) / 1000;
    const handRate = Math.round(s.events / handSeconds);
    if (handOutputs !== engine.outputs) process.stderr.write(`warning: ${s.name}: engine emitted ${engine.outputs} rows, the hand-written loop ${handOutputs}\n`);
    const line = {
      scenario: s.name,
      events: s.events,
      outputs: engine.outputs,
      eventsPerSec: engine.eventsPerSec,
      handEventsPerSec: handRate,
      ratio: Number((engine.eventsPerSec / handRate).toFixed(3)),
      stateBytes,
      ...(s.windowed ? { stateBytesPerWindowedEvent: Number((stateBytes / s.windowed).toFixed(1)) } : {}),
      ...(s.partitionKeys ? { stateBytesPerPartitionKey: Number((stateBytes / s.partitionKeys).toFixed(1)) } : {}),
      ...(s.file.startsWith('pattern') && lastOpenMatches ? { openMatches: lastOpenMatches, stateBytesPerOpenMatch: Number((stateBytes / lastOpenMatches).toFixed(1)) } : {}),
    };
    rows.push(JSON.stringify(line));
    console.log(JSON.stringify(line));
  }
  void rows;
  if (!only || 'bundles'.includes(only)) {
    // One app with every kind of function (bench/apps/every-function.siddhi).
    for (const b of functionBundles(join(__dirname, '..'), 'bench/apps/every-function.siddhi')) {
      console.log(JSON.stringify({ bundle: b.function, bytes: b.bytes, kb: Number((b.bytes / 1024).toFixed(1)), underTargetSize: b.bytes < TARGET_BYTES, ...(b.error ? { error: b.error } : { coldInitMs: b.coldInitMs, sdkRequireMs: b.sdkRequireMs, underTargetColdInit: b.coldInitMs! < TARGET_COLD_MS }) }));
      if (b.error) failed.push(b.function);
    }
  }
  if (failed.length) process.exitCode = 1;
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
