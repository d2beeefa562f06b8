import { StateCodecError } from '../errors/millrace-error';
import type { AppPlan } from '../plan/plan';
import type { RuntimeSnapshot } from '../runtime/app-runtime';
import type { Json } from '../state/json';
import { array, dict, json, nullable, num, optional, record, row, str, tuple } from '../state/shape';
import type { StateStore } from '../state/state-store';
import type { StoredCheckpoints } from './checkpoints';

/** What the global unit holds in the store. */
export interface GlobalUnit {
  readonly app: string;
  readonly nextDue: number | null;
  readonly state: RuntimeSnapshot;
  /**
   * Checkpoints of sources without a unit of their own: those an earlier version kept here (moved
   * to the source's unit by the first invocation that reads that source).
   */
  readonly checkpoints?: StoredCheckpoints;
  /** The outputs of the last invocation without a source that wrote this unit: `[id, stream, time, row]`. */
  readonly outbox?: [string, string, number, Json[]][];
}

/** The layout commitStep writes (`state` is checked against the app's state specs on restore). */
const GLOBAL_UNIT = record({
  app: str(),
  nextDue: nullable(num()),
  state: dict(json()),
  checkpoints: optional(record({ seq: dict(str()), msg: dict(array(str())) })),
  outbox: optional(array(tuple(str(), str(), num(), row()))),
});

/** Runs `f`; a StateCodecError it throws is thrown again naming the unit (`state unit '<key>': ...`). */
export function inUnit<T>(key: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof StateCodecError && !e.message.startsWith('state unit ')) throw new StateCodecError(`state unit '${key}': ${e.message}`, { cause: e });
    throw e;
  }
}

/** Reads a stored global unit; anything else is a StateCodecError naming the unit and what is wrong. */
export function readGlobalUnit(key: string, value: Json): GlobalUnit {
  inUnit(key, () => GLOBAL_UNIT.check(value, ''));
  return value as unknown as GlobalUnit;
}

/**
 * An app without a global unit is new, unless its `@store` tables or aggregations hold rows: they
 * are only ever written in the same commit as the global unit, so the unit was deleted (or the
 * rows are another app's). Starting afresh next to them would mix a new run's state with an old
 * run's rows, so that is a StateCodecError saying what to do.
 */
export async function checkNoOrphanRows(key: string, plan: AppPlan, store: StateStore): Promise<void> {
  const holders = [
    ...plan.tables.flatMap(t => (t.store ? [`table '${t.id}'`, t.store.table] : [])),
    ...plan.aggregations.flatMap(a => (a.store ? [`aggregation '${a.id}'`, a.store.table] : [])),
  ];
  for (let i = 0; i < holders.length; i += 2) {
    const rows = await store.loadRows(holders[i + 1], null);
    if (rows.size)
      throw new StateCodecError(
        `state unit '${key}' is missing, but the @store ${holders[i]} holds ${rows.size} row(s) in '${holders[i + 1]}', which are only written with that unit: ` +
          'the unit was deleted or the rows belong to another app; restore the unit, or delete the rows to start afresh',
      );
  }
}
