import type { QueryResult } from '../runtime/app-runtime';
import { EventKind } from '../kernel/event';
import { AppRuntime, type MissingState } from '../runtime/app-runtime';
import { Checkpoints, mergeCheckpoints } from './checkpoints';
import type { BufferedLogger } from './buffered-logger';
import type { InvocationContext } from './invocation-context';
import type { InputRecord, OutputEvent } from './invocation-types';
import { loadedUnitValues, loadUnits, type LoadedState } from './load-step';
import { inUnit } from './global-unit';
import type { Json } from '../state/json';
import { subUnitKey } from './unit-keys';

/** What one run of a batch did, on a runtime that nothing has committed yet. */
export interface RunOutcome {
  readonly runtime: AppRuntime;
  readonly outputs: OutputEvent[];
  readonly checkpoints: Checkpoints;
  readonly queryResults: QueryResult[];
  readonly skipped: number;
  /** The state the run reached without having it loaded: load it and run again. */
  readonly missing: MissingState | null;
  /** The first record that could not be processed, -1 when all were. */
  readonly failedAt: number;
  readonly failure?: unknown;
}

/**
 * Step 2, route: a fresh runtime restored from what is loaded, and the units the batch will touch
 * (its partition keys, keys with timers due, aggregation durations) loaded into it before it runs.
 */
export async function routeStep(inv: InvocationContext, loaded: LoadedState, records: readonly InputRecord[], logs: BufferedLogger): Promise<AppRuntime> {
  const runtime = new AppRuntime(inv.plan, { logger: logs });
  inUnit(inv.unitKey, () => runtime.restoreUnits(loaded.global?.state ?? null));
  for (const s of loaded.sources) if (s.unit) runtime.resumeClock(s.unit.clock);
  loadNamed(inv, runtime, loadedUnitValues(loaded));
  for (const [holder, c] of loaded.rows) runtime.provideRows(holder, c.rows, c.complete);
  const needed = runtime.unitsFor(records).filter(u => !loaded.units.has(u));
  if (needed.length) {
    await loadUnits(inv, loaded, needed);
    const values = loadedUnitValues(loaded);
    loadNamed(inv, runtime, new Map(needed.flatMap(u => (values.has(u) ? [[u, values.get(u)!]] : []))));
  }
  return runtime;
}

/** Loads units into the runtime one by one, so that a damaged one is named by its store key. */
function loadNamed(inv: InvocationContext, runtime: AppRuntime, units: ReadonlyMap<string, Json>): void {
  for (const [u, v] of units) inUnit(subUnitKey(inv.unitKey, u), () => runtime.loadUnits(new Map([[u, v]])));
}

/** The unit that keeps this invocation's outbox: its first source's, or the global one without sources. */
export function homeOf(inv: InvocationContext, loaded: LoadedState): { key: string; version: number | undefined } {
  const s = loaded.sources[0];
  return s ? { key: s.key, version: s.stored?.version } : { key: inv.unitKey, version: loaded.stored?.version };
}

/**
 * Step 4, run: skips records at or below their source's checkpoint (a replay), moves the clock
 * and processes the rest in order, then runs the queries. A record that throws (a fault outside
 * the app's own `@OnError` handling) stops the run there: what came before it can still commit.
 */
export function runStep(inv: InvocationContext, loaded: LoadedState, runtime: AppRuntime, records: readonly InputRecord[]): RunOutcome {
  const outputs: OutputEvent[] = [];
  let recordId = '';
  let rank = 0;
  for (const s of inv.outputStreams)
    runtime.subscribe(s, (stream, events) => {
      for (const event of events) outputs.push({ id: `${recordId}/${rank++}`, stream, event });
    });
  const checkpoints = new Checkpoints(mergeCheckpoints([loaded.global?.checkpoints, ...loaded.sources.map(s => s.unit?.checkpoints)]), inv.rewind);
  // Outputs without a source position are numbered by the next version of the unit that keeps the outbox.
  const home = homeOf(inv, loaded);
  const version = (home.version ?? 0) + 1;
  let skipped = 0;
  let failedAt = -1;
  let failure: unknown;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r.source && !checkpoints.pass(r.source)) {
      skipped++;
      continue;
    }
    const id = r.source ? `${r.source.id}:${r.source.position}` : `${home.key}@${version}.${i}`;
    if (id !== recordId || !r.source) rank = 0;
    recordId = id;
    try {
      if (r.stream === undefined) runtime.advanceTime(r.time);
      else if (r.chunk) runtime.sendChunk(r.stream, r.chunk.map(data => ({ timestamp: r.time, data: [...data], type: EventKind.CURRENT })));
      else runtime.send(r.stream, r.time, r.data ?? []);
    } catch (err) {
      failedAt = i;
      failure = err;
      break;
    }
    inv.progress?.(i + 1, records.length);
  }
  let queryResults: QueryResult[] = [];
  if (failedAt < 0) {
    recordId = `${home.key}@${version}.q`;
    rank = 0;
    queryResults = inv.queries.map(q => runtime.query(q));
  }
  return { runtime, outputs, checkpoints, queryResults, skipped, missing: runtime.missingState(), failedAt, failure };
}
