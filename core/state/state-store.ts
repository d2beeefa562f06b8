/**
 * The port through which the engine keeps state units between invocations. Versions give
 * optimistic concurrency: a commit names the version each unit was loaded at and fails as a whole
 * if any of them moved on.
 *
 * @example
 *   const loaded = await store.load(['q1/window']);
 *   const unit = loaded.get('q1/window');
 *   await store.commit([{ key: 'q1/window', value: next, expectedVersion: unit?.version ?? null }]);
 */
import { StoreError } from '../errors/millrace-error';
import type { Json } from './json';

export interface StoredUnit {
  readonly key: string;
  /** 1 for a fresh unit, +1 on every commit that writes it. */
  readonly version: number;
  readonly value: Json;
}

/**
 * expectedVersion: the version the unit was loaded at, or null if it did not exist (then the
 * write must create it). value null deletes the unit (so a unit's value itself is never null).
 */
export interface UnitWrite {
  readonly key: string;
  readonly value: Json | null;
  readonly expectedVersion: number | null;
}

export interface StateStore {
  /** One read for all keys; keys that do not exist are absent from the result. */
  load(keys: readonly string[]): Promise<Map<string, StoredUnit>>;
  /**
   * All-or-nothing. If any unit's current version differs from expectedVersion, nothing is
   * written and StateConflictError (carrying key, expected and current version) is thrown.
   * Returns the new version of each written key (previous version + 1, or 1 for a new unit).
   *
   * Deleted keys are absent from the result: write them next with expectedVersion null. A unit
   * created again after a delete continues the old numbering rather than restarting at 1, so a
   * writer still holding a version from before the delete gets a conflict instead of a lost update.
   * A key may appear once per commit (StoreError otherwise); a value that is not JSON-safe
   * fails the whole commit with StateCodecError.
   */
  commit(writes: readonly UnitWrite[]): Promise<Map<string, number>>;
}

/** What a store counts, for tests and benchmarks. Bytes are UTF-8 bytes moved to or from storage. */
export interface StateStoreStats {
  /** load() calls. */
  loads: number;
  /** Units returned by load(). */
  unitsRead: number;
  /** Successful commit() calls. */
  commits: number;
  /** Units written or deleted by successful commits. */
  unitsWritten: number;
  bytesRead: number;
  bytesWritten: number;
}

/**
 * Rejects malformed batches before a store touches anything: duplicate keys (their order would
 * decide the outcome) and expected versions that no unit can have.
 *
 * @example
 *   checkUnitWrites([{ key: 'a', value: 1, expectedVersion: null }]); // ok
 */
export function checkUnitWrites(writes: readonly UnitWrite[]): void {
  const seen = new Set<string>();
  for (const w of writes) {
    if (typeof w.key !== 'string') throw new StoreError(`state unit key must be a string, got ${typeof w.key}`);
    if (seen.has(w.key)) throw new StoreError(`state unit '${w.key}' is written twice in one commit`);
    seen.add(w.key);
    const v = w.expectedVersion;
    if (v !== null && !(Number.isSafeInteger(v) && v > 0)) {
      throw new StoreError(`state unit '${w.key}': expectedVersion must be null or a positive integer, got ${String(v)}`);
    }
  }
}
