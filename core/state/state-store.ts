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
 *
 * nextDue and expiresAt are stored with the unit and replaced by every write: a write that omits
 * them leaves the unit without them. A deleted unit has neither.
 *
 * @example
 *   { key: 'app/A/global', value: snapshot, expectedVersion: 3, nextDue: 1_700_000_060_000 }
 */
export interface UnitWrite {
  readonly key: string;
  readonly value: Json | null;
  readonly expectedVersion: number | null;
  /**
   * When the unit's earliest timer fires (event-time milliseconds), so that a scheduled tick can
   * find units that need one without traffic (see StateStore.dueUnits). Null or absent: no timer.
   */
  readonly nextDue?: number | null;
  /**
   * Epoch milliseconds after which the backend may delete the unit (DynamoDB TTL, a Firestore TTL
   * policy), for units an app no longer needs. A hint: the unit loads as usual until a backend
   * removes it, and stores without expiry keep it. Once removed its numbering is forgotten too.
   */
  readonly expiresAt?: number | null;
}

/**
 * One row of a `@store` table (DESIGN.md section 4): attribute name -> value, values in the
 * snapshot codec's JSON form (plain strings, finite numbers, booleans and null as they are).
 */
export type StoredRow = { readonly [attribute: string]: Json };

/**
 * A row of a `@store` table written with a commit: one item (document) per row in the backend
 * table (collection) `table`, under the row's primary key encoded by the engine. Row writes carry
 * no version condition: every invocation of an app also commits its global unit on its loaded
 * version, which serialises the app's writers, rows included.
 *
 * @example
 *   { table: 'Stock', key: '["ACME"]', row: { symbol: 'ACME', qty: 10 } }
 */
export interface RowWrite {
  readonly table: string;
  readonly key: string;
  /** Null deletes the row (deleting a missing row is no error). */
  readonly row: StoredRow | null;
}

/**
 * The attribute (field) under which a store item of a `@store` row keeps the row's key. It cannot
 * be a SiddhiQL attribute name, so a row's own attributes never clash with it.
 */
export const ROW_KEY = 'millrace:key';

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
  commit(writes: readonly UnitWrite[], rows?: readonly RowWrite[]): Promise<Map<string, number>>;
  /**
   * Rows of a `@store` table, strongly consistent with the last commit: the given keys (missing
   * ones absent from the result), or with `keys` null every row of the table.
   *
   * @example
   *   const rows = await store.loadRows('Stock', ['["ACME"]']);
   */
  loadRows(table: string, keys: readonly string[] | null): Promise<Map<string, StoredRow>>;
  /**
   * Keys of live units whose nextDue is at or before `now`, earliest first, at most `limit` of
   * them. For the scheduled tick; stores backed by an index may answer from a slightly stale view
   * (a unit committed a moment ago may be missing, or listed once more after its timer fired), so a
   * caller loads each unit and re-checks its own due time before acting on it.
   *
   * @example
   *   for (const key of await store.dueUnits(clock.now(), 100)) await tick(key);
   */
  dueUnits(now: number, limit: number): Promise<string[]>;
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
  /** `@store` table rows returned by loadRows. */
  rowsRead?: number;
  /** `@store` table rows written or deleted by successful commits. */
  rowsWritten?: number;
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
    // Stores index these as numbers: a NaN or Infinity would be lost or rejected by the backend.
    for (const [name, t] of [['nextDue', w.nextDue], ['expiresAt', w.expiresAt]] as const) {
      if (t !== undefined && t !== null && !Number.isFinite(t)) {
        throw new StoreError(`state unit '${w.key}': ${name} must be null or a finite number, got ${String(t)}`);
      }
    }
  }
}

/**
 * Rejects malformed row writes the same way in every store: an empty table name or key, a row
 * written twice in one commit, a row that is not an object of attributes.
 *
 * @example
 *   checkRowWrites([{ table: 'T', key: '[1]', row: { id: 1 } }]); // ok
 */
export function checkRowWrites(rows: readonly RowWrite[]): void {
  const seen = new Set<string>();
  for (const r of rows) {
    if (typeof r.table !== 'string' || r.table === '') throw new StoreError(`a row write needs a table name, got ${JSON.stringify(r.table)}`);
    if (typeof r.key !== 'string' || r.key === '') throw new StoreError(`a row of '${r.table}' needs a non-empty key, got ${JSON.stringify(r.key)}`);
    const id = JSON.stringify([r.table, r.key]);
    if (seen.has(id)) throw new StoreError(`row ${r.key} of '${r.table}' is written twice in one commit`);
    seen.add(id);
    if (r.row !== null && (typeof r.row !== 'object' || Array.isArray(r.row)))
      throw new StoreError(`row ${r.key} of '${r.table}' must be an object of attributes or null`);
  }
}

/**
 * Rejects a bad dueUnits request the same way in every store.
 *
 * @example
 *   checkDueQuery(clock.now(), 100); // ok
 */
export function checkDueQuery(now: number, limit: number): void {
  if (!Number.isFinite(now)) throw new StoreError(`dueUnits: now must be a finite number, got ${String(now)}`);
  if (!(Number.isSafeInteger(limit) && limit >= 0)) throw new StoreError(`dueUnits: limit must be a non-negative integer, got ${String(limit)}`);
}
