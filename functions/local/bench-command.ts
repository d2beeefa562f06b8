import { BENCH_START_TIME, syntheticPool } from '../../adapters/local/synthetic-source';
import { AppRuntime, CompileError, compileApp } from '../../core';

export interface BenchOptions {
  readonly appName: string;
  readonly appText: string;
  readonly events: number;
  readonly warmup: number;
  readonly stream?: string;
  readonly env?: (name: string) => string | undefined;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Called with the runtime before the warm-up, e.g. to fill tables. */
  readonly prepare?: (runtime: AppRuntime) => void;
  /** Called with the runtime after the run, e.g. to measure its state. */
  readonly afterRun?: (runtime: AppRuntime) => void;
}

/**
 * `millrace bench`: sends `warmup` then `events` synthetic events (1 ms apart) into one stream of
 * the app in process and reports the throughput of the counted part. Returns the exit code.
 */
export async function benchCommand(o: BenchOptions): Promise<number> {
  let plan;
  try {
    plan = compileApp(o.appText, { env: o.env });
  } catch (e) {
    if (e instanceof CompileError) {
      o.stderr(e.format(o.appName));
      return 1;
    }
    throw e;
  }
  const stream = o.stream ?? plan.inputStreams[0];
  const schema = stream === undefined ? undefined : plan.streams.get(stream);
  if (!schema || schema.origin === 'fault') {
    o.stderr(`bench: ${stream === undefined ? 'the app has no input stream' : `no stream '${stream}' in the app`}`);
    return 1;
  }
  const pool = syntheticPool(schema.attributes);
  const runtime = new AppRuntime(plan);
  let outputs = 0;
  for (const s of plan.streams.keys()) if (s !== stream) runtime.subscribe(s, (_s, es) => (outputs += es.length));
  o.prepare?.(runtime);
  let t = BENCH_START_TIME;
  let i = 0;
  for (let n = 0; n < o.warmup; n++, i++) runtime.send(stream, t++, pool[i % pool.length]);
  outputs = 0;
  const started = performance.now();
  for (let n = 0; n < o.events; n++, i++) runtime.send(stream, t++, pool[i % pool.length]);
  const seconds = (performance.now() - started) / 1000;
  o.afterRun?.(runtime);
  o.stdout(JSON.stringify({ events: o.events, warmup: o.warmup, outputs, seconds: Number(seconds.toFixed(4)), eventsPerSec: Math.round(o.events / seconds) }));
  return 0;
}
