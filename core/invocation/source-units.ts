import type { Json } from '../state/json';
import { array, dict, num, optional, record, row, str, tuple } from '../state/shape';
import type { StoredUnit } from '../state/state-store';
import type { StoredCheckpoints } from './checkpoints';
import { inUnit } from './global-unit';
import type { InputRecord } from './invocation-types';
import { subUnitKey } from './unit-keys';

/** An outbox as a unit keeps it: `[id, stream, time, row]` per output. */
export type StoredOutbox = [string, string, number, Json[]][];

/**
 * What a source partition (a Kinesis shard, a Pub/Sub subscription, an input file) keeps of an
 * app, apart from the app's global unit (DESIGN.md section 3, step 5): how far into it the app has
 * committed, the outputs of the last invocation that read it (the outbox), and the event clock as
 * that invocation left it. Invocations of different sources write different units, so they
 * commit independently when the state they touch is disjoint (partition keys, say); the global
 * unit is written only when global state changed.
 */
export interface SourceUnit {
  /** The event clock after the last invocation that read this source (the app's clock is at least this). */
  readonly clock: number;
  readonly checkpoints: StoredCheckpoints;
  readonly outbox: StoredOutbox;
}

const SOURCE_UNIT = record({
  clock: num(),
  checkpoints: record({ seq: dict(str()), msg: dict(array(str())) }),
  outbox: optional(array(tuple(str(), str(), num(), row()))),
});

/** A source as loaded for an invocation: its unit as stored (absent for a new source) and its key. */
export interface LoadedSource {
  /** The shard, subscription or file. */
  readonly id: string;
  readonly key: string;
  readonly stored: StoredUnit | undefined;
  readonly unit: SourceUnit | null;
}

/**
 * The key of a source's unit, next to the app's global unit.
 *
 * @example
 *   sourceUnitKey('app/Orders/global', 'shardId-000000000001') // 'app/Orders/global#s:shardId-000000000001'
 */
export function sourceUnitKey(globalKey: string, sourceId: string): string {
  return subUnitKey(globalKey, `s:${encodeURIComponent(sourceId)}`);
}

/** The sources of a batch's records, in the order they first appear. */
export function sourcesOf(records: readonly InputRecord[]): string[] {
  const out = new Set<string>();
  for (const r of records) if (r.source) out.add(r.source.id);
  return [...out];
}

/** Reads a stored source unit; anything else is a StateCodecError naming the unit. */
export function readSourceUnit(key: string, value: Json): SourceUnit {
  inUnit(key, () => SOURCE_UNIT.check(value, ''));
  const v = value as unknown as SourceUnit;
  return v.outbox ? v : { ...v, outbox: [] };
}
