/**
 * The worker of `npm run fuzz` (scripts/fuzz-compile.mjs, which bundles this file): checks
 * generated apps batch after batch and reports to the main thread. Before each input it writes
 * the input's number and text into shared memory, so that the main thread can name the input of a
 * hang (a worker that stops reporting) after stopping it.
 */
import fc from 'fast-check';
import { parentPort, workerData } from 'node:worker_threads';
import { checkCompile, FuzzFailure, grammarApp, stressApp, tokenStream } from './compile-fuzz';

export interface WorkerData {
  readonly seed: number;
  /** The first input to check (inputs are numbered from 0 over the whole run). */
  readonly from: number;
  readonly to: number;
  readonly batch: number;
  /** Int32 [input number, text length, accepted, rejected], then the text as UTF-16 code units. */
  readonly shared: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: 'batch'; readonly upTo: number; readonly slowestMs: number; readonly slowestInput: number }
  | { readonly type: 'failure'; readonly input: number; readonly kind: string; readonly message: string; readonly text: string; readonly stack?: string };

export const HEADER_BYTES = 16;

/** Inputs are made in chunks of this many, each chunk from a seed of its own. */
export const CHUNK = 100;

/** Chunk `c` of a run: even chunks are token streams, odd ones grammar-shaped apps, one in a hundred of those near the limits (they take far longer). */
export function chunkInputs(seed: number, c: number): string[] {
  const arb = c % 2 === 0 ? tokenStream : c % 200 === 1 ? stressApp : grammarApp;
  return fc.sample(arb, { seed: (seed + c) | 0, numRuns: CHUNK });
}

function run(d: WorkerData): void {
  const header = new Int32Array(d.shared, 0, 4);
  const chars = new Uint16Array(d.shared, HEADER_BYTES);
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  let n = d.from;
  while (n < d.to) {
    const end = Math.min(d.to, (Math.floor(n / d.batch) + 1) * d.batch);
    let slowestMs = 0;
    let slowestInput = n;
    let chunk = -1;
    let inputs: string[] = [];
    for (; n < end; n++) {
      if (Math.floor(n / CHUNK) !== chunk) {
        chunk = Math.floor(n / CHUNK);
        inputs = chunkInputs(d.seed, chunk);
      }
      const text = inputs[n - chunk * CHUNK]!;
      const len = Math.min(text.length, chars.length);
      for (let i = 0; i < len; i++) chars[i] = text.charCodeAt(i);
      Atomics.store(header, 1, len);
      Atomics.store(header, 0, n);
      const t0 = performance.now();
      try {
        Atomics.add(header, checkCompile(text) === 'accepted' ? 2 : 3, 1);
      } catch (e) {
        const f = e instanceof FuzzFailure ? e : new FuzzFailure('crash', String(e), text, e);
        const cause = f.error instanceof Error ? f.error.stack : undefined;
        post({ type: 'failure', input: n, kind: f.kind, message: f.message, text, ...(cause !== undefined && { stack: cause }) });
      }
      const ms = performance.now() - t0;
      if (ms > slowestMs) {
        slowestMs = ms;
        slowestInput = n;
      }
    }
    post({ type: 'batch', upTo: n, slowestMs, slowestInput });
  }
}

if (parentPort && workerData) run(workerData as WorkerData);
