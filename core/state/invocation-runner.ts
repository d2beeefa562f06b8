import { StateCodecError, StateConflictError } from '../errors/millrace-error';
import type { Logger } from '../io/logger';
import type { AppPlan } from '../planner/plan';
import { AppRuntime, type QueryResult, type RuntimeSnapshot } from '../runtime/app-runtime';
import type { StreamEvent, Value } from '../runtime/event';
import type { Json } from './json';
import type { StateStore } from './state-store';

/** One decoded input record: an event for a stream, or (without stream) only a move of the clock. */
export interface InputRecord {
  readonly stream?: string;
  readonly time: number;
  readonly data?: Value[];
}

export interface OutputEvent {
  readonly stream: string;
  readonly event: StreamEvent;
}

export interface InvocationRequest {
  readonly plan: AppPlan;
  readonly store: StateStore;
  /** The state unit this invocation works on (the app's global unit). */
  readonly unitKey: string;
  readonly records: readonly InputRecord[];
  /** On-demand queries run after the records, in this invocation (their writes are committed). */
  readonly queries?: readonly string[];
  /** Streams whose events are collected as outputs. */
  readonly outputStreams: ReadonlySet<string>;
  readonly logger?: Logger;
  /** Attempts on version conflicts before giving up (default 8). */
  readonly maxAttempts?: number;
  /** Waits between attempts; injected so that tests need no real time. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface InvocationResult {
  /** Outputs in emission order; publish them only after this resolves (they are committed). */
  readonly outputs: readonly OutputEvent[];
  readonly version: number;
  readonly attempts: number;
  readonly nextDue: number | null;
  /** One answer per query, in order. */
  readonly queryResults: readonly QueryResult[];
}

/** What a state unit holds in the store. */
interface UnitValue {
  readonly app: string;
  readonly nextDue: number | null;
  readonly state: RuntimeSnapshot;
}

const defaultSleep = (ms: number): Promise<void> => {
  const st = (globalThis as unknown as { setTimeout?: (f: () => void, ms: number) => unknown }).setTimeout;
  return new Promise(resolve => (st ? st(resolve, ms) : resolve()));
};

function readUnit(key: string, value: Json): UnitValue {
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { state?: unknown }).state !== 'object')
    throw new StateCodecError(`state unit '${key}' does not hold a Millrace runtime snapshot`);
  return value as unknown as UnitValue;
}

/**
 * Runs one invocation on one state unit (DESIGN.md section 3, steps 3 to 5): load the unit,
 * restore a fresh runtime from it, move the clock and process the records in order, then commit
 * the new state on the condition that nobody committed since the load. On a conflict the whole
 * batch is redone from a fresh load, with jittered backoff, a bounded number of times.
 *
 * @example
 *   const r = await runInvocation({ plan, store, unitKey: 'app/Orders', records, outputStreams: new Set(['Out']) });
 *   for (const o of r.outputs) publish(o);
 */
export async function runInvocation(req: InvocationRequest): Promise<InvocationResult> {
  const maxAttempts = req.maxAttempts ?? 8;
  const sleep = req.sleep ?? defaultSleep;
  const random = req.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    const loaded = (await req.store.load([req.unitKey])).get(req.unitKey);
    const runtime = new AppRuntime(req.plan, { logger: req.logger });
    if (loaded) {
      const unit = readUnit(req.unitKey, loaded.value);
      if (unit.app !== req.plan.name)
        req.logger?.warn(`state unit '${req.unitKey}' was written by app '${unit.app}', now read by '${req.plan.name}'`);
      runtime.restore(unit.state);
    }
    const outputs: OutputEvent[] = [];
    for (const s of req.outputStreams) runtime.subscribe(s, (stream, events) => {
      for (const event of events) outputs.push({ stream, event });
    });
    for (const r of req.records) {
      if (r.stream === undefined) runtime.advanceTime(r.time);
      else runtime.send(r.stream, r.time, r.data ?? []);
    }
    const queryResults = (req.queries ?? []).map(q => runtime.query(q));
    const value: UnitValue = { app: req.plan.name, nextDue: runtime.nextDue(), state: runtime.snapshot() };
    try {
      const versions = await req.store.commit([{ key: req.unitKey, value: value as unknown as Json, expectedVersion: loaded ? loaded.version : null }]);
      return { outputs, version: versions.get(req.unitKey)!, attempts: attempt, nextDue: value.nextDue, queryResults };
    } catch (err) {
      if (!(err instanceof StateConflictError) || attempt >= maxAttempts) {
        if (err instanceof StateConflictError)
          throw new StateConflictError(req.unitKey, err.expectedVersion, err.currentVersion, { cause: new Error(`gave up after ${attempt} attempts`) });
        throw err;
      }
      req.logger?.debug(`state unit '${req.unitKey}' changed under us (attempt ${attempt}); redoing the batch`);
      await sleep(Math.min(1000, 10 * 2 ** (attempt - 1)) * (0.5 + random()));
    }
  }
}
