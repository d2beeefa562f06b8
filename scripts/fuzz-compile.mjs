// `npm run fuzz`: a long fuzzing run of the parser and planner (not part of `npm test`; the short
// run is test/property/fuzz-compile.property.test.ts). Checks FUZZ_RUNS inputs (default a
// million; half random token streams, half grammar-shaped apps, see
// test/property/fuzz/compile-fuzz.ts), prints progress every 10,000 and a summary, and stores
// every distinct failure in .fuzz/ (crashes, bad positions, round-trip differences, and hangs:
// an input still running after FUZZ_HANG_MS, default 10 s). FUZZ_SEED repeats a run.
// Exit code 1 when anything failed.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const total = Number(process.env.FUZZ_RUNS ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const hangMs = Number(process.env.FUZZ_HANG_MS ?? 10_000);
const BATCH = 10_000;
const OUT = '.fuzz';

await build({
  entryPoints: ['test/property/fuzz/fuzz-worker.ts'],
  outfile: 'dist/fuzz-worker.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
});
mkdirSync(OUT, { recursive: true });

const counts = { inputs: 0, accepted: 0, rejected: 0, crashes: 0, positions: 0, roundTrips: 0, hangs: 0 };
const slowest = { ms: 0, input: -1 };
const seen = new Map(); // failure key -> file
const started = Date.now();
console.log(`fuzzing compileApp: ${total} inputs, seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);

function store(kind, input, message, text, stack) {
  const key = `${kind}: ${message.split('\n')[0].replace(/\d+/g, 'N').slice(0, 160)}`;
  if (seen.has(key)) return;
  const file = join(OUT, `${kind}-${seen.size + 1}.json`);
  seen.set(key, file);
  writeFileSync(file, JSON.stringify({ kind, seed, input, message, text, stack }, null, 2) + '\n');
  console.log(`  ${kind} at input ${input}: ${message.split('\n')[0].slice(0, 200)}\n    stored in ${file}`);
}

function tally(kind) {
  if (kind === 'crash') counts.crashes++;
  else if (kind === 'position') counts.positions++;
  else if (kind === 'round-trip') counts.roundTrips++;
  else if (kind === 'hang') counts.hangs++;
}

/** Runs inputs [from, total) in a worker; resolves with the input to go on from (total when done). */
function runWorker(from) {
  return new Promise(resolve => {
    const shared = new SharedArrayBuffer(16 + 2 * 65536);
    const header = new Int32Array(shared, 0, 4);
    header[0] = from;
    const base = { accepted: counts.accepted, rejected: counts.rejected };
    const readCounts = () => {
      counts.accepted = base.accepted + Atomics.load(header, 2);
      counts.rejected = base.rejected + Atomics.load(header, 3);
    };
    const worker = new Worker('./dist/fuzz-worker.cjs', { workerData: { seed, from, to: total, batch: BATCH, shared } });
    let resumeAt = total;
    let last = -1;
    let since = Date.now();
    const watch = setInterval(() => {
      const now = Atomics.load(header, 0);
      if (now !== last) {
        last = now;
        since = Date.now();
        return;
      }
      if (Date.now() - since < hangMs) return;
      clearInterval(watch);
      const len = Atomics.load(header, 1);
      const text = String.fromCharCode(...new Uint16Array(shared, 16, len));
      readCounts();
      counts.inputs = now + 1;
      counts.hangs++;
      store('hang', now, `no answer after ${hangMs} ms`, text);
      resumeAt = now + 1;
      void worker.terminate();
    }, 500);
    worker.on('message', m => {
      if (m.type === 'failure') {
        tally(m.kind);
        store(m.kind, m.input, m.message, m.text, m.stack);
        return;
      }
      readCounts();
      counts.inputs = m.upTo;
      if (m.slowestMs > slowest.ms) Object.assign(slowest, { ms: m.slowestMs, input: m.slowestInput });
      if (m.upTo % BATCH === 0 || m.upTo === total) {
        const rate = Math.round((counts.inputs - from) / ((Date.now() - since0) / 1000));
        const failed = counts.crashes + counts.positions + counts.roundTrips + counts.hangs;
        console.log(`${counts.inputs} inputs: ${counts.accepted} accepted, ${counts.rejected} rejected, ${failed} failed (${rate}/s)`);
      }
    });
    const since0 = Date.now();
    worker.on('error', e => {
      clearInterval(watch);
      tally('crash');
      store('crash', Atomics.load(header, 0), `the worker died: ${e?.stack ?? e}`, '');
      resumeAt = Atomics.load(header, 0) + 1;
    });
    worker.on('exit', () => {
      clearInterval(watch);
      resolve(resumeAt);
    });
  });
}

let next = 0;
while (next < total) next = await runWorker(next);

const summary = { ...counts, slowestInputMs: Math.round(slowest.ms), slowestInput: slowest.input, seed, seconds: Math.round((Date.now() - started) / 1000), distinctFailures: [...seen.entries()].map(([key, file]) => ({ key, file })) };
writeFileSync(join(OUT, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(
  `\nsummary: ${counts.inputs} inputs, ${counts.accepted} accepted, ${counts.rejected} rejected, ${counts.crashes} crashes, ` +
    `${counts.positions} bad positions, ${counts.roundTrips} round-trip failures, ${counts.hangs} hangs; slowest input ${summary.slowestInputMs} ms (#${slowest.input}); seed ${seed}, ${summary.seconds} s; ${OUT}/summary.json`,
);
process.exit(counts.crashes + counts.positions + counts.roundTrips + counts.hangs > 0 ? 1 : 0);
