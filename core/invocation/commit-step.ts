import { CommitTooLargeError, StateConflictError } from '../errors/millrace-error';
import type { Json } from '../state/json';
import type { UnitWrite } from '../state/state-store';
import { encodeRow } from '../state/value-codec';
import type { InvocationContext } from './invocation-context';
import type { GlobalUnit } from './global-unit';
import type { LoadedState } from './load-step';
import type { RunOutcome } from './run-step';
import { subUnitKey } from './unit-keys';

export type CommitOutcome =
  | { readonly kind: 'committed'; readonly version: number; readonly unitsWritten: number; readonly nextDue: number | null }
  | { readonly kind: 'conflict'; readonly error: StateConflictError }
  | { readonly kind: 'too-large'; readonly error: CommitTooLargeError };

/**
 * Step 5: writes the global unit (state, checkpoints, and the outputs as the outbox), every
 * touched unit and the changed `@store` rows in one commit, each unit on the version it was
 * loaded at. The global unit carries the next due timer, so the tick finds due units through the
 * store's index. A purged key's unit is deleted when it was loaded; otherwise the store's expiry
 * removes it.
 */
export async function commitStep(inv: InvocationContext, loaded: LoadedState, run: RunOutcome): Promise<CommitOutcome> {
  const split = run.runtime.snapshotUnits();
  const value: GlobalUnit = {
    app: inv.plan.name,
    nextDue: run.runtime.nextDue(),
    state: split.global,
    checkpoints: run.checkpoints.toStored(),
    outbox: run.outputs.map(o => [o.id, o.stream, o.event.timestamp, encodeRow(o.event.data)]),
  };
  const writes: UnitWrite[] = [{ key: inv.unitKey, value: value as unknown as Json, expectedVersion: loaded.stored ? loaded.stored.version : null, nextDue: value.nextDue }];
  for (const [u, v] of split.units) writes.push({ key: subUnitKey(inv.unitKey, u), value: v, expectedVersion: loaded.units.get(u)?.version ?? null });
  for (const u of split.removed) {
    const stored = loaded.units.get(u);
    if (stored && !split.units.has(u)) writes.push({ key: subUnitKey(inv.unitKey, u), value: null, expectedVersion: stored.version });
  }
  try {
    const versions = await inv.store.commit(writes, run.runtime.rowWrites());
    return { kind: 'committed', version: versions.get(inv.unitKey)!, unitsWritten: writes.length, nextDue: value.nextDue };
  } catch (err) {
    if (err instanceof StateConflictError) return { kind: 'conflict', error: err };
    if (err instanceof CommitTooLargeError) return { kind: 'too-large', error: err };
    throw err;
  }
}
