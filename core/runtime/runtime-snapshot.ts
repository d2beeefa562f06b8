import type { Json } from '../state/json';

/** The snapshot of a runtime's registry: every registered piece of state by name, with its layout version. */
export type RuntimeSnapshot = { [name: string]: { v: number; s: Json } };

/** A runtime's state split into the app's global unit and the units kept outside it. */
export interface SplitSnapshot {
  readonly global: RuntimeSnapshot;
  /** Units of the partition keys and aggregation durations touched since the restore. */
  readonly units: ReadonlyMap<string, Json>;
  /** Units of partition keys purged since the restore. */
  readonly removed: readonly string[];
}
