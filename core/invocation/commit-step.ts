import { CommitTooLargeError, StateConflictError } from '../errors/millrace-error';
import type { RuntimeSnapshot } from '../runtime/app-runtime';
import type { Json } from '../state/json';
import type { UnitWrite } from '../state/state-store';
import { encodeRow } from '../state/value-codec';
import { splitCheckpoints } from './checkpoints';
import type { InvocationContext } from './invocation-context';
import type { GlobalUnit } from './global-unit';
import type { LoadedState } from './load-step';
import { homeOf, type RunOutcome } from './run-step';
import type { SourceUnit, StoredOutbox } from './source-units';
import { subUnitKey } from './unit-keys';

export type CommitOutcome =
  | {
      readonly kind: 'committed';
      /** The unit that keeps the outbox (the first source's, or the global one) and its new version. */
      readonly home: string;
      readonly version: number;
      readonly unitsWritten: number;
      readonly nextDue: number | null;
    }
  | { readonly kind: 'conflict'; readonly error: StateConflictError }
  | { readonly kind: 'too-large'; readonly error: CommitTooLargeError };

/**
 * Step 5: one commit of everything the run changed, each unit on the version it was loaded at:
 * the sources' units (checkpoints, the clock, the outputs as the home source's outbox), every
 * touched partition key and aggregation duration, the changed `@store` rows, and the global unit
 * when global state changed (its state besides the clock, its timers, its own checkpoints and
 * outbox), when the app is new, or when `@store` rows are written (row writes carry no version
 * condition of their own: the global unit's serialises their writers). The global unit carries the
 * next due timer, so the tick finds due units through the store's index. A purged key's unit is
 * deleted when it was loaded; otherwise the store's expiry removes it.
 */
export async function commitStep(inv: InvocationContext, loaded: LoadedState, run: RunOutcome): Promise<CommitOutcome> {
  const split = run.runtime.snapshotUnits();
  const outbox: StoredOutbox = run.outputs.map(o => [o.id, o.stream, o.event.timestamp, encodeRow(o.event.data)]);
  const cps = splitCheckpoints(run.checkpoints.toStored(), new Set(loaded.sources.map(s => s.id)));
  const home = homeOf(inv, loaded);
  const rows = run.runtime.rowWrites();
  const writes: UnitWrite[] = [];
  const global: GlobalUnit = {
    app: inv.plan.name,
    nextDue: run.runtime.nextDue(),
    state: split.global,
    checkpoints: cps.rest,
    outbox: home.key === inv.unitKey ? outbox : [],
  };
  if (!loaded.stored || rows.length || globalChanged(loaded.global, global))
    writes.push({ key: inv.unitKey, value: global as unknown as Json, expectedVersion: loaded.stored ? loaded.stored.version : null, nextDue: global.nextDue });
  const clock = run.runtime.now;
  for (const [i, s] of loaded.sources.entries()) {
    const unit: SourceUnit = { clock, checkpoints: cps.mine.get(s.id)!, outbox: i === 0 ? outbox : [] };
    if (!s.unit || JSON.stringify(unit) !== JSON.stringify(s.unit)) writes.push({ key: s.key, value: unit as unknown as Json, expectedVersion: s.stored?.version ?? null });
  }
  for (const [u, v] of split.units) writes.push({ key: subUnitKey(inv.unitKey, u), value: v, expectedVersion: loaded.units.get(u)?.version ?? null });
  for (const u of split.removed) {
    const stored = loaded.units.get(u);
    if (stored && !split.units.has(u)) writes.push({ key: subUnitKey(inv.unitKey, u), value: null, expectedVersion: stored.version });
  }
  const homeVersion = home.version ?? 0;
  if (!writes.length) return { kind: 'committed', home: home.key, version: homeVersion, unitsWritten: 0, nextDue: global.nextDue };
  try {
    const versions = await inv.store.commit(writes, rows);
    return { kind: 'committed', home: home.key, version: versions.get(home.key) ?? homeVersion, unitsWritten: writes.length, nextDue: global.nextDue };
  } catch (err) {
    if (err instanceof StateConflictError) return { kind: 'conflict', error: err };
    if (err instanceof CommitTooLargeError) return { kind: 'too-large', error: err };
    throw err;
  }
}

/** Whether the global unit must be written: anything in it changed but the clock (a source's unit keeps that). */
function globalChanged(was: GlobalUnit | null, now: GlobalUnit): boolean {
  if (!was) return true;
  const { clock: _a, ...before } = was.state as RuntimeSnapshot & { clock?: unknown };
  const { clock: _b, ...after } = now.state as RuntimeSnapshot & { clock?: unknown };
  if (was.app !== now.app || was.nextDue !== now.nextDue || (was.outbox?.length ?? 0) + (now.outbox?.length ?? 0) > 0) return true;
  return JSON.stringify(before) !== JSON.stringify(after) || JSON.stringify(was.checkpoints ?? { seq: {}, msg: {} }) !== JSON.stringify(now.checkpoints);
}
