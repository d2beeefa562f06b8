// `npm run bench`: every scenario through `millrace bench` (in this process), and beside it the
// same work written by hand as a plain JavaScript loop over the same synthetic rows, with the
// ratio. Figures are events per second; the ratio is engine / hand-written.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_START_TIME, syntheticPool } from '../adapters/local/synthetic-source';
import type { AttributeSchema, Value } from '../core';
import { benchCommand } from '../functions/local/bench-command';

const TRADES: AttributeSchema[] = [
  { name: 'symbol', type: 'STRING' },
  { name: 'price', type: 'DOUBLE' },
  { name: 'volume', type: 'LONG' },
];

interface Scenario {
  name: string;
  file: string;
  events: number;
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
];

async function main() {
  const only = process.argv[2];
  const pool = syntheticPool(TRADES);
  const rows: string[] = [];
  for (const s of scenarios) {
    if (only && !s.name.includes(only)) continue;
    const appText = readFileSync(join(__dirname, '..', 'bench', 'scenarios', s.file), 'utf8');
    let engine: { outputs: number; eventsPerSec: number; seconds: number } | undefined;
    await benchCommand({
      appName: s.file,
      appText,
      events: s.events,
      warmup: Math.min(200_000, s.events / 5),
      stdout: l => (engine = JSON.parse(l)),
      stderr: l => process.stderr.write(l + '\n'),
    });
    if (!engine) throw new Error(`scenario ${s.name} failed`);
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
    };
    rows.push(JSON.stringify(line));
    console.log(JSON.stringify(line));
  }
  void rows;
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
