import { StateConflictError, StoreError } from '../errors/millrace-error';
import { BufferedLogger } from './buffered-logger';
import { commitStep } from './commit-step';
import { invocationContext, type InvocationContext } from './invocation-context';
import type { InputRecord, InvocationRequest, InvocationResult } from './invocation-types';
import { loadMissing, loadStep, type LoadedState } from './load-step';
import { publishStep } from './publish-step';
import { routeStep, runStep, type RunOutcome } from './run-step';

/** How many times one attempt may load more state and run again before the batch fails. */
const MAX_ROUNDS = 64;

/**
 * Runs one invocation (DESIGN.md section 3, steps 2 to 7) as five steps: load the app's global
 * unit; route the batch to the units it touches (partition keys, aggregation durations) and load
 * them; run the records in order on a runtime restored from them; commit everything on the
 * versions it was loaded at; publish the outputs. A run that reached state it did not have (keys
 * of an intermediate stream, `@store` rows) loads it and runs again; a conflict at commit loads
 * everything again and redoes the batch (bounded, with jittered backoff). A record that cannot be
 * processed, or a batch whose effects do not fit in one commit, commits the records before it and
 * reports it and every later one in `failed` (step 7).
 *
 * @example
 *   const r = await runInvocation({ plan, store, records, outputStreams: new Set(['Out']) });
 *   for (const o of r.outputs) publish(o);
 */
export async function runInvocation(req: InvocationRequest): Promise<InvocationResult> {
  const inv = invocationContext(req);
  let loaded = await loadStep(inv);
  let records = req.records;
  let failure: unknown;
  for (let attempt = 1; ; ) {
    const run = await execute(inv, loaded, records);
    const logs = run.logs;
    if (run.records.length < records.length) failure = run.failure;
    records = run.records;
    const outcome = await commitStep(inv, loaded, run.outcome);
    if (outcome.kind === 'committed') {
      logs.flushTo(inv.logger);
      await publishStep(inv, outcome.home, run.outcome.outputs, outcome.version);
      const failed = req.records.map((_, i) => i).slice(records.length);
      const o = run.outcome;
      return { outputs: o.outputs, version: outcome.version, attempts: attempt, nextDue: outcome.nextDue, queryResults: o.queryResults, unitsWritten: outcome.unitsWritten, skipped: o.skipped, failed, failure: failed.length ? failure : undefined };
    }
    if (outcome.kind === 'too-large' && records.length > 1) {
      // Step 7: commit what fits and let the platform redeliver the rest.
      const keep = Math.ceil(records.length / 2);
      inv.logger?.warn(`the effects of ${records.length} records do not fit in one commit (${outcome.error.message}); committing the first ${keep}, the rest are reported as failed`);
      failure = outcome.error;
      records = records.slice(0, keep);
      continue;
    }
    if (outcome.kind === 'too-large' || attempt >= inv.maxAttempts) {
      // The batch fails as a whole: what its last run logged helps to see why.
      logs.flushTo(inv.logger);
      if (outcome.kind === 'too-large') throw outcome.error;
      const e = outcome.error;
      throw new StateConflictError(inv.unitKey, e.expectedVersion, e.currentVersion, { cause: new StoreError(`gave up after ${attempt} attempts`) });
    }
    inv.logger?.debug(`state unit '${outcome.error.key}' changed under us (attempt ${attempt}); redoing the batch`);
    await inv.sleep(Math.min(1000, 10 * 2 ** (attempt - 1)) * (0.5 + inv.random()));
    attempt++;
    // Everything may have changed with the unit: load it all again.
    loaded = await loadStep(inv);
  }
}

/**
 * Route and run until the run had all the state it used; a record that could not be processed
 * shortens the batch to the records before it (their run is redone from the loaded state).
 */
async function execute(
  inv: InvocationContext,
  loaded: LoadedState,
  batch: readonly InputRecord[],
): Promise<{ outcome: RunOutcome; records: readonly InputRecord[]; logs: BufferedLogger; failure?: unknown }> {
  let records = batch;
  let failure: unknown;
  for (let round = 1; ; round++) {
    // What a run logs is held until its commit: a run redone logs nothing.
    const logs = new BufferedLogger();
    const runtime = await routeStep(inv, loaded, records, logs);
    const outcome = runStep(inv, loaded, runtime, records);
    if (outcome.missing) {
      if (round > MAX_ROUNDS)
        throw new StoreError(`the batch kept needing more state after ${MAX_ROUNDS} rounds (units: ${outcome.missing.units.join(', ') || 'none'}; rows of: ${outcome.missing.rows.map(r => r.table).join(', ') || 'none'})`);
      await loadMissing(inv, loaded, outcome.missing);
      continue;
    }
    if (outcome.failedAt >= 0) {
      const src = records[outcome.failedAt].source;
      const total = inv.records.length;
      failure = outcome.failure;
      inv.logger?.error(
        `record ${outcome.failedAt + 1} of ${total}${src ? ` (${src.id}:${src.position})` : ''} could not be processed: ${failure instanceof Error ? failure.message : String(failure)}; ` +
          `the ${outcome.failedAt} before it are committed, it and the ${total - outcome.failedAt - 1} after it are reported as failed`,
      );
      records = records.slice(0, outcome.failedAt);
      continue;
    }
    return { outcome, records, logs, failure };
  }
}
