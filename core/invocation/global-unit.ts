import { StateCodecError } from '../errors/millrace-error';
import type { RuntimeSnapshot } from '../runtime/app-runtime';
import type { Json } from '../state/json';
import type { StoredCheckpoints } from './checkpoints';

/** What the global unit holds in the store. */
export interface GlobalUnit {
  readonly app: string;
  readonly nextDue: number | null;
  readonly state: RuntimeSnapshot;
  /** Per shard: the last committed sequence number; per subscription: recent message ids. */
  readonly checkpoints?: StoredCheckpoints;
  /** The outputs of the invocation that wrote this unit: `[id, stream, time, row]`. */
  readonly outbox?: [string, string, number, Json[]][];
}

/** Reads a stored global unit; anything else is a StateCodecError naming the unit. */
export function readGlobalUnit(key: string, value: Json): GlobalUnit {
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { state?: unknown }).state !== 'object')
    throw new StateCodecError(`state unit '${key}' does not hold a Millrace runtime snapshot`);
  return value as unknown as GlobalUnit;
}
