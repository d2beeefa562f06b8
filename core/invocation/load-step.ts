import type { MissingState } from '../runtime/app-runtime';
import type { Json } from '../state/json';
import type { StoredRow, StoredUnit } from '../state/state-store';
import { checkNoOrphanRows, readGlobalUnit, type GlobalUnit } from './global-unit';
import type { InvocationContext } from './invocation-context';
import { republishOutbox } from './publish-step';
import { readSourceUnit, sourcesOf, sourceUnitKey, type LoadedSource } from './source-units';
import { subUnitKey } from './unit-keys';

/** Rows of one `@store` table or aggregation loaded for the batch: all of them, or by key (null: no row). */
export interface LoadedRows {
  complete: boolean;
  rows: Map<string, StoredRow | null>;
}

/**
 * Everything an invocation has loaded from the store, at the versions it will commit against.
 * A run redone to load more state adds to it; only a conflict starts a new one.
 */
export interface LoadedState {
  /** The global unit as stored, absent for an app's first invocation. */
  readonly stored: StoredUnit | undefined;
  readonly global: GlobalUnit | null;
  /**
   * The units of the batch's sources, in the order their records first appear: their checkpoints,
   * and the first one (the home) takes the outbox. Without sources, the global unit keeps both.
   */
  readonly sources: readonly LoadedSource[];
  /** Units outside the global one, by the runtime's unit name (null: not in the store). */
  readonly units: Map<string, StoredUnit | null>;
  /** `@store` rows, by holder (`t:<table>`, `a:<aggregation>`). */
  readonly rows: Map<string, LoadedRows>;
}

/**
 * Step 3, first read, in one read: the app's global unit (it says which partition keys exist and
 * which timers are due) and the units of the batch's sources (checkpoints and outboxes); then the
 * publication of each outbox that the invocation that wrote it may not have published.
 */
export async function loadStep(inv: InvocationContext): Promise<LoadedState> {
  const ids = sourcesOf(inv.records);
  const got = await inv.store.load([inv.unitKey, ...ids.map(id => sourceUnitKey(inv.unitKey, id))]);
  const stored = got.get(inv.unitKey);
  const global = stored ? readGlobalUnit(inv.unitKey, stored.value) : null;
  if (!stored) await checkNoOrphanRows(inv.unitKey, inv.plan, inv.store);
  if (global && global.app !== inv.plan.name) inv.logger?.warn(`state unit '${inv.unitKey}' was written by app '${global.app}', now read by '${inv.plan.name}'`);
  const sources = ids.map(id => {
    const key = sourceUnitKey(inv.unitKey, id);
    const s = got.get(key);
    return { id, key, stored: s, unit: s ? readSourceUnit(key, s.value) : null };
  });
  if (stored && global?.outbox) await republishOutbox(inv, inv.unitKey, stored.version, global.outbox);
  for (const s of sources) if (s.stored && s.unit) await republishOutbox(inv, s.key, s.stored.version, s.unit.outbox);
  return { stored, global, sources, units: new Map(), rows: new Map() };
}

/** Step 3, further reads: units not loaded yet, in one read. */
export async function loadUnits(inv: InvocationContext, loaded: LoadedState, units: readonly string[]): Promise<void> {
  const toLoad = units.filter(u => !loaded.units.has(u));
  if (!toLoad.length) return;
  const got = await inv.store.load(toLoad.map(u => subUnitKey(inv.unitKey, u)));
  for (const u of toLoad) loaded.units.set(u, got.get(subUnitKey(inv.unitKey, u)) ?? null);
}

/** Loads what a run found missing: its units, and its `@store` rows (one read per table). */
export async function loadMissing(inv: InvocationContext, loaded: LoadedState, missing: MissingState): Promise<void> {
  await Promise.all([
    loadUnits(inv, loaded, missing.units),
    ...missing.rows.map(async w => {
      const rows = await inv.store.loadRows(w.table, w.keys);
      let c = loaded.rows.get(w.holder);
      if (!c) loaded.rows.set(w.holder, (c = { complete: false, rows: new Map() }));
      if (w.keys === null) {
        c.complete = true;
        c.rows = new Map(rows);
      } else for (const k of w.keys) c.rows.set(k, rows.get(k) ?? null);
    }),
  ]);
}

/** The loaded units' values, for a runtime's restore. */
export function loadedUnitValues(loaded: LoadedState): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [u, stored] of loaded.units) if (stored) out.set(u, stored.value);
  return out;
}
