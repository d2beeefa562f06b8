import { EngineUsageError, StoreError } from '../errors/millrace-error';
import type { Logger } from '../io/logger';
import type { AppPlan, OnDemandPlan } from '../plan/plan';
import type { QueryResult } from '../runtime/app-runtime';
import type { StateStore } from '../state/state-store';
import { BufferedLogger } from './buffered-logger';
import { readGlobalUnit } from './global-unit';
import { invocationContext } from './invocation-context';
import { loadMissing, type LoadedState } from './load-step';
import { routeStep } from './run-step';

/** How many times a read may load more state and answer again. */
const MAX_ROUNDS = 16;

export interface ReadQueryRequest {
  readonly plan: AppPlan;
  readonly store: StateStore;
  /** The app's global unit; default `appUnitKey(plan.name)`. */
  readonly unitKey?: string;
  readonly query: string;
  readonly logger?: Logger;
}

export interface ReadQueryResult extends QueryResult {
  /** Whether the app's global unit was read (not for a query on a `@store` table or aggregation alone). */
  readonly globalUnitRead: boolean;
  /** State units read besides the global one (aggregation durations). */
  readonly unitsRead: number;
}

/**
 * Answers an on-demand query that only reads (the Store API's `from T ... select ...`) from the
 * state as committed, and writes nothing: no new version of any unit, no checkpoint, no outbox.
 * It loads only what the query reaches: a query on a `@store` table or `@store` aggregation reads
 * that table's items and not the app's global unit; any other reads the global unit and, as the
 * runtime asks for them, the units of aggregation durations and `@store` rows. Throws
 * CompileError for a query with errors (positions in the query text) and EngineUsageError for a
 * query that writes (use runInvocation's `queries` for those: they must commit).
 *
 * @example
 *   const r = await runReadQuery({ plan, store, query: 'from Stock select sku, qty' });
 *   r.records; r.details; // [['a', 3]], [{ name: 'sku', dataType: 'STRING' }, ...]
 */
export async function runReadQuery(req: ReadQueryRequest): Promise<ReadQueryResult> {
  const planned = req.plan.planQuery(req.query);
  if (planned.kind === 'write') throw new EngineUsageError('runReadQuery answers queries that read; this one writes (insert, update or delete)');
  const inv = invocationContext({ plan: req.plan, store: req.store, unitKey: req.unitKey, records: [], outputStreams: new Set(), logger: req.logger });
  const globalUnitRead = !readsStoreAlone(req.plan, planned);
  const stored = globalUnitRead ? (await req.store.load([inv.unitKey])).get(inv.unitKey) : undefined;
  const loaded: LoadedState = { stored, global: stored ? readGlobalUnit(inv.unitKey, stored.value) : null, sources: [], units: new Map(), rows: new Map() };
  for (let round = 1; ; round++) {
    const logs = new BufferedLogger();
    const runtime = await routeStep(inv, loaded, [], logs);
    const result = runtime.query(req.query);
    const missing = runtime.missingState();
    if (!missing) {
      if (req.logger) logs.flushTo(req.logger);
      return { ...result, globalUnitRead, unitsRead: [...loaded.units.values()].filter(Boolean).length };
    }
    if (round >= MAX_ROUNDS) throw new StoreError(`the query kept needing more state after ${MAX_ROUNDS} rounds`);
    await loadMissing(inv, loaded, missing);
  }
}

/** A read of a `@store` table or aggregation needs nothing of the global unit: its rows are items of their own. */
function readsStoreAlone(plan: AppPlan, q: Extract<OnDemandPlan, { kind: 'find' }>): boolean {
  const s = q.store;
  if (s.kind === 'table') return plan.tables.some(t => t.id === s.table && t.store !== undefined);
  if (s.kind === 'aggregation') return plan.aggregations.some(a => a.id === s.aggregation && a.store !== undefined);
  return false;
}
