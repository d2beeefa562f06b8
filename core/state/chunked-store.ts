/**
 * The base of the stores that keep a unit as compressed bytes in one record (a DynamoDB item, a
 * Firestore document) with version preconditions, split into chunk records when it is large
 * (docs/state-stores.md). It owns what does not depend on the backend: the snapshot codec and the
 * compression port, chunk splitting and joining (with the check that a read was not torn by a
 * concurrent commit), key escaping and the hashing of long keys, the cache of what this instance
 * last saw of each unit (so a commit after a load needs no read), and the commit's retry loop.
 * A backend implements the primitives: read unit and chunk records, read versions, plan and send
 * one conditional write, and its rows and due query.
 *
 * @example
 *   class MyStore extends ChunkedStateStore<{}, MyPlan, MyRow> { ... }
 */
import { CommitTooLargeError, StateCodecError, StateConflictError, StoreError } from '../errors/millrace-error';
import { sha256Hex, utf8Decode, utf8Encode } from './bytes';
import type { Json } from './json';
import { decodeUnit, encodeUnit } from './snapshot-codec';
import {
  checkRowWrites,
  checkUnitWrites,
  type RowWrite,
  type StateStore,
  type StateStoreStats,
  type StoredRow,
  type StoredUnit,
  type UnitWrite,
} from './state-store';

/** Where a store reports what it skipped: any Logger (core/io/logger.ts; state sits below io, so only this much of it). */
export interface StoreLogger {
  warn(message: string): void;
}

const silent: StoreLogger = { warn() {} };

/** The port to a compressor: gzip in every store today (adapters/node/gzip-compression.ts). */
export interface Compression {
  compress(bytes: Uint8Array): Promise<Uint8Array>;
  /** Rejects what it cannot decompress; the store reports that as a StateCodecError. */
  decompress(bytes: Uint8Array): Promise<Uint8Array>;
}

/**
 * How the retry loops wait: injected (core has no timers); adapters/node/retry-timing.ts gives
 * real time and Math.random, a test may give a fake clock.
 */
export interface RetryTiming {
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/**
 * What an instance last saw of a unit's record: absent, a tombstone (a deleted unit keeps its
 * version) or live with its number of parts; `E` is what the backend's preconditions need besides
 * (Firestore: the update time).
 */
export type Known<E extends object = object> =
  | { readonly state: 'absent' }
  | ({ readonly state: 'tombstone'; readonly version: number } & E)
  | ({ readonly state: 'live'; readonly version: number; readonly parts: number } & E);

/** A unit's id in its backend: `escaped` is the escaped key, `hashed` says the id is a hash of it. */
export interface RecordId {
  readonly id: string;
  readonly escaped: string;
  readonly hashed: boolean;
}

/**
 * A unit record's fields as read, unchecked: the base checks them, and a damaged record is a
 * StateCodecError naming the unit (a version that is not a positive integer, `deleted` other than
 * true, `parts` out of range, `data` that is not bytes, a hashed id whose `k` is not the key).
 * A field of the wrong type is given as found (DynamoDB: the attribute value), for the message.
 * `extra` is what the backend's preconditions need besides (Firestore: the update time).
 */
export interface UnitRecord<E extends object> {
  readonly version: unknown;
  readonly deleted?: unknown;
  readonly parts?: unknown;
  readonly storedKey?: unknown;
  /** The first part; not read by readKnown. */
  readonly data?: unknown;
  readonly extra: E;
}

/** A chunk record as read (absent: undefined), unchecked like a unit record. */
export interface ChunkRecord {
  readonly version: unknown;
  readonly data: unknown;
}

/** One unit's records from one read: the unit, and the chunks asked for (index 0 is chunk 1). */
export interface UnitRead<E extends object> {
  readonly unit: UnitRecord<E>;
  readonly chunks: readonly (ChunkRecord | undefined)[];
}

/** What a planned commit says independently of the backend. */
export interface PlannedCommit {
  readonly versions: Map<string, number>;
  readonly bytes: number;
  readonly unitsWritten: number;
  readonly rowsWritten: number;
}

/** Names in messages: `place` the table or collection, `records` 'items' or 'documents'. */
export interface StoreNames {
  readonly place: string;
  readonly records: string;
}

/** Passes our own errors through; anything else (an SDK's, a file system's) becomes a StoreError. */
export function storeError(what: string, e: unknown): Error {
  if (e instanceof StoreError || e instanceof StateConflictError || e instanceof StateCodecError) return e;
  return new StoreError(`${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

/** The patterns of escapeKey and unescapeKey, built once per backend's set of characters. */
const escapes = new Map<string, RegExp>();
const unescapes = new Map<string, RegExp>();

/**
 * A key escaped for a backend's ids: `%`, the characters in `reserved` and lone surrogates
 * become `%XX` / `%uXXXX` (upper-case hex), so the result is valid UTF-8, free of `reserved`, and
 * (as `%` is escaped too) maps back to exactly one key.
 *
 * @example
 *   escapeKey('a#b', '#') // 'a%23b'
 */
export function escapeKey(key: string, reserved: string): string {
  let pattern = escapes.get(reserved);
  if (pattern === undefined) {
    const chars = `%${reserved}`.replace(/[\\\]^-]/g, c => `\\${c}`);
    pattern = new RegExp(`[${chars}]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]`, 'g');
    escapes.set(reserved, pattern);
  }
  return key.replace(pattern, c =>
    c >= '\ud800' && c <= '\udfff' ? `%u${c.charCodeAt(0).toString(16).toUpperCase()}` : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** The key of an escaped key; `codes` are the `%XX` escapes the backend uses besides `%uXXXX`. */
export function unescapeKey(escaped: string, codes: readonly string[]): string {
  const id = codes.join('|');
  let pattern = unescapes.get(id);
  if (pattern === undefined) {
    pattern = new RegExp(`%(${id}|u[0-9A-F]{4})`, 'g');
    unescapes.set(id, pattern);
  }
  return escaped.replace(pattern, (_, code: string) => String.fromCharCode(parseInt(code.startsWith('u') ? code.slice(1) : code, 16)));
}

/**
 * The id of an escaped key longer than `maxBytes` (UTF-8): a readable prefix, `%~` (which no
 * escaped key contains) and the SHA-256 of the escaped key; null when the key fits as it is.
 */
export function hashedId(escaped: string, maxBytes: number): string | null {
  const bytes = utf8Encode(escaped);
  if (bytes.length <= maxBytes) return null;
  const prefix = escaped.slice(0, 64).replace(/[\ud800-\udbff]$/, '');
  return `${prefix}%~${sha256Hex(bytes)}`;
}

/** The key of a unit id, given the escaped key stored with a hashed one (`%` is the empty key). */
export function keyOfId(id: string, storedKey: unknown, codes: readonly string[]): string {
  if (id === '%') return '';
  if (id.includes('%~')) return unescapeKey(typeof storedKey === 'string' ? storedKey : '', codes);
  return unescapeKey(id, codes);
}

/** Splits bytes into parts of at most `size`; always at least one part. */
export function splitBytes(data: Uint8Array, size: number): Uint8Array[] {
  if (data.length <= size) return [data];
  const parts: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) parts.push(data.subarray(at, at + size));
  return parts;
}

function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The last state seen of each key, oldest dropped first: a warm function keeps the recent ones. */
export class KnownVersions<E extends object> {
  private readonly map = new Map<string, Known<E>>();

  constructor(private readonly limit = 10_000) {}

  get(key: string): Known<E> | undefined {
    return this.map.get(key);
  }

  remember(key: string, k: Known<E>): void {
    this.map.delete(key);
    this.map.set(key, k);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
  }

  forget(key: string): void {
    this.map.delete(key);
  }
}

export interface ChunkedStoreOptions {
  readonly names: StoreNames;
  readonly compression: Compression;
  /** The chunkBytes option as given, its default and its maximum. */
  readonly chunkBytes: number | undefined;
  readonly defaultChunkBytes: number;
  readonly maxChunkBytes: number;
  /** Base of the jittered backoff between commit attempts (ms * 2^attempt); 0: retry at once. */
  readonly commitBackoffMs: number;
  readonly timing: RetryTiming;
  /**
   * The most parts a unit can have (a unit record claiming more is damaged; a commit needing more
   * is a CommitTooLargeError): what one commit of the backend can write.
   */
  readonly maxParts: number;
  /** Where dueUnits reports the due records it skips (default: silent). */
  readonly logger?: StoreLogger;
}

/** A value as found, short, for the message about a damaged record. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  let text: string;
  try {
    text = typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isVersion(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

/** Reads and commits that fail on records changing under them give up after this many tries. */
const ATTEMPTS = 5;

export abstract class ChunkedStateStore<E extends object, P extends PlannedCommit, R> implements StateStore {
  abstract readonly stats: StateStoreStats;
  protected readonly chunkBytes: number;
  protected readonly known = new KnownVersions<E>();
  protected readonly timing: RetryTiming;
  protected readonly maxParts: number;
  protected readonly logger: StoreLogger;
  private readonly names: StoreNames;
  private readonly compression: Compression;
  private readonly commitBackoffMs: number;

  constructor(options: ChunkedStoreOptions) {
    this.names = options.names;
    this.compression = options.compression;
    this.commitBackoffMs = options.commitBackoffMs;
    this.timing = options.timing;
    this.maxParts = options.maxParts;
    this.logger = options.logger ?? silent;
    this.chunkBytes = options.chunkBytes ?? options.defaultChunkBytes;
    if (!(Number.isSafeInteger(this.chunkBytes) && this.chunkBytes > 0 && this.chunkBytes <= options.maxChunkBytes)) {
      throw new StoreError(`chunkBytes must be an integer from 1 to ${options.maxChunkBytes}, got ${String(options.chunkBytes)}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The primitives of a backend

  /** The id of a unit's record. */
  protected abstract unitId(key: string): RecordId;
  /** How messages name the record of a unit, e.g. `item 'pk' in table`. */
  protected abstract describe(key: string): string;
  /** One read of the units' records and the chunks asked for; a unit's read is absent if missing. */
  protected abstract readUnits(wanted: readonly { key: string; chunks: number }[]): Promise<Map<string, UnitRead<E>>>;
  /** Each key's unit record (versions, parts and `k`; no data needed), in order; undefined if missing. */
  protected abstract readKnown(keys: readonly string[]): Promise<(UnitRecord<E> | undefined)[]>;
  /** A `@store` row in the backend's form, before anything is sent. */
  protected abstract encodeRow(key: string, row: StoredRow): R;
  /** The writes of one commit (throws CommitTooLargeError when it cannot be one). */
  protected abstract planCommit(
    writes: readonly UnitWrite[],
    payloads: readonly (Uint8Array | null)[],
    prior: ReadonlyMap<string, Known<E>>,
    rows: readonly RowWrite[],
    encodedRows: readonly (R | null)[],
  ): P;
  /** Sends a planned commit; returns what each written unit is now (null: forget it). */
  protected abstract sendCommit(plan: P): Promise<Map<string, Known<E> | null>>;
  /** Whether a failed send is a precondition that did not hold (or a transaction that lost a race). */
  protected abstract isPreconditionFailure(e: unknown): boolean;

  abstract loadRows(table: string, keys: readonly string[] | null): Promise<Map<string, StoredRow>>;
  abstract dueUnits(now: number, limit: number): Promise<string[]>;

  // -------------------------------------------------------------------------------------------
  // Loading

  async load(keys: readonly string[]): Promise<Map<string, StoredUnit>> {
    this.stats.loads++;
    const out = new Map<string, StoredUnit>();
    try {
      // One round trip in the usual case: the chunks of units this instance knows to be split are
      // asked for together with the units. The read is not a snapshot, so a chunk of another
      // version than its unit means a commit ran during the read: read both again, a bounded
      // number of times (a chunk missing or of another version for good is damage).
      let pending = [...new Set(keys)];
      for (let round = 1; pending.length > 0; round++) {
        const wanted = pending.map(key => {
          const k = this.known.get(key);
          return { key, chunks: k?.state === 'live' ? k.parts - 1 : 0 };
        });
        const reads = await this.readUnits(wanted);
        const again: [string, string][] = [];
        let inconsistent = false;
        for (const key of pending) {
          const result = await this.loadOne(key, reads.get(key));
          if (result !== null && 'retry' in result) {
            again.push([key, result.retry]);
            inconsistent ||= result.torn;
          } else if (result !== null) out.set(key, result);
        }
        if (again.length > 0 && round >= ATTEMPTS) {
          const [key, why] = again[0];
          throw this.damage(key, `${why}, still after ${round} reads (expired by TTL, or written outside Millrace?)`);
        }
        if (inconsistent) await this.timing.sleep(10 * 2 ** round * (0.5 + this.timing.random()));
        pending = again.map(([key]) => key);
      }
      return out;
    } catch (e) {
      throw storeError(`could not load state from ${this.names.place}`, e);
    }
  }

  /** A damaged record of a unit: names the unit's key, its record and what is wrong. */
  protected damage(key: string, problem: string, cause?: unknown): StateCodecError {
    return new StateCodecError(`state unit '${key}': ${this.describe(key)}: ${problem}`, cause === undefined ? undefined : { cause });
  }

  /**
   * What a unit record says, checked: a version that is a positive integer, `deleted` absent or
   * true, `parts` absent or from 1 to maxParts, and for a hashed id the key stored with it.
   */
  protected knownOf(key: string, rec: UnitRecord<E> | undefined): Known<E> {
    if (rec === undefined) return { state: 'absent' };
    const { escaped, hashed } = this.unitId(key);
    if (hashed && rec.storedKey !== escaped) {
      throw this.damage(key, `its id is a hash of a long key, but its 'k' is not this key (found ${shown(rec.storedKey)}): a hash collision, or a damaged 'k'`);
    }
    if (!isVersion(rec.version)) throw this.damage(key, `'version' is not a positive integer (found ${shown(rec.version)})`);
    if (rec.deleted === true) return { state: 'tombstone', version: rec.version, ...rec.extra };
    if (rec.deleted !== undefined) throw this.damage(key, `'deleted' is not true (found ${shown(rec.deleted)})`);
    const parts = rec.parts ?? 1;
    if (!(typeof parts === 'number' && Number.isSafeInteger(parts) && parts >= 1 && parts <= this.maxParts)) {
      throw this.damage(key, `'parts' is not an integer from 1 to ${this.maxParts} (found ${shown(rec.parts)})`);
    }
    return { state: 'live', version: rec.version, parts, ...rec.extra };
  }

  /**
   * One unit from its read: the unit, null if there is none, or a retry: when it has more chunks
   * than were asked for (this instance did not know it was split), or `torn` when a chunk asked
   * for is missing or of another version (`retry` says which, for the message if it stays so).
   */
  private async loadOne(key: string, read: UnitRead<E> | undefined): Promise<StoredUnit | null | { retry: string; torn: boolean }> {
    let known: Known<E>;
    try {
      known = this.knownOf(key, read?.unit);
    } catch (e) {
      this.known.forget(key);
      throw e;
    }
    this.known.remember(key, known);
    if (known.state !== 'live') return null;
    const first = read!.unit.data;
    if (!(first instanceof Uint8Array)) throw this.damage(key, `'data' is not bytes (found ${shown(first)})`);
    const parts = [first];
    for (let n = 1; n < known.parts; n++) {
      if (n - 1 >= read!.chunks.length) return { retry: `it has ${known.parts} parts, and changed on every read`, torn: false };
      const chunk = read!.chunks[n - 1];
      if (chunk === undefined) return { retry: `chunk ${n} of its ${known.parts} parts is missing`, torn: true };
      if (!isVersion(chunk.version)) throw this.damage(key, `the 'version' of chunk ${n} is not a positive integer (found ${shown(chunk.version)})`);
      if (chunk.version !== known.version) {
        return { retry: `chunk ${n} of its ${known.parts} parts is of version ${chunk.version}, the unit of version ${known.version}`, torn: true };
      }
      if (!(chunk.data instanceof Uint8Array)) throw this.damage(key, `the 'data' of chunk ${n} is not bytes (found ${shown(chunk.data)})`);
      parts.push(chunk.data);
    }
    const bytes = joinBytes(parts);
    const value = await this.decode(key, bytes, parts.length);
    this.stats.unitsRead++;
    this.stats.bytesRead += bytes.length;
    return { key, version: known.version, value };
  }

  private async decode(key: string, bytes: Uint8Array, parts: number): Promise<Json> {
    let text: string;
    try {
      text = utf8Decode(await this.compression.decompress(bytes));
    } catch (e) {
      throw this.damage(key, `its ${parts === 1 ? 'data is' : `${parts} parts are`} not gzipped state (${(e as Error).message})`, e);
    }
    try {
      return decodeUnit(text);
    } catch (e) {
      throw this.damage(key, (e as Error).message, e);
    }
  }

  /**
   * The key of a due record (`key` as the backend read it from the record's id and `k`), or null
   * when the record is not the one of that key (a damaged `k`, an id Millrace does not write):
   * skipped and logged, so one damaged record does not stop the listing of the others.
   */
  protected dueKey(id: string, key: string): string | null {
    if (this.unitId(key).id === id) return key;
    this.logger.warn(`dueUnits: skipped a due record of ${this.names.place} with id '${id}': it is not the record of any key (a damaged 'k', or written outside Millrace)`);
    return null;
  }

  // -------------------------------------------------------------------------------------------
  // Committing

  async commit(writes: readonly UnitWrite[], rows: readonly RowWrite[] = []): Promise<Map<string, number>> {
    checkUnitWrites(writes);
    checkRowWrites(rows);
    // Encoding may reject an engine bug: do it before anything is sent.
    const texts = writes.map(w => (w.value === null ? null : encodeUnit(w.value)));
    const encodedRows = rows.map(r => (r.row === null ? null : this.encodeRow(r.key, r.row)));
    if (writes.length === 0 && rows.length === 0) {
      this.stats.commits++;
      return new Map();
    }
    const payloads = await Promise.all(texts.map(t => (t === null ? null : this.compression.compress(utf8Encode(t)))));
    payloads.forEach((p, i) => {
      const parts = p === null ? 0 : Math.ceil(p.length / this.chunkBytes);
      if (parts > this.maxParts) {
        throw new CommitTooLargeError(
          `state unit '${writes[i].key}' compresses to ${p!.length} bytes, ${parts} parts of ${this.chunkBytes}; one commit to ${this.names.place} holds at most ${this.maxParts}`,
        );
      }
    });
    for (let attempt = 1; ; attempt++) {
      const prior = await this.priorStates(writes);
      const plan = this.planCommit(writes, payloads, prior, rows, encodedRows);
      let after: Map<string, Known<E> | null>;
      try {
        after = await this.sendCommit(plan);
      } catch (e) {
        if (!this.isPreconditionFailure(e)) throw storeError(`could not commit state to ${this.names.place}`, e);
        // Who moved? Read the versions back: a real conflict names the unit and the version
        // found; otherwise what this instance knew was stale (a tombstone rewritten, a concurrent
        // transaction on the record) and the commit is planned again.
        for (const w of writes) this.known.forget(w.key);
        await this.priorStates(writes); // throws the StateConflictError, if that is what it was
        if (attempt >= ATTEMPTS) {
          throw new StoreError(`could not commit state to ${this.names.place}: the ${this.names.records} kept changing (${attempt} attempts)`, { cause: e });
        }
        if (this.commitBackoffMs > 0) await this.timing.sleep(this.commitBackoffMs * 2 ** attempt * (0.5 + this.timing.random()));
        continue;
      }
      for (const [key, k] of after) {
        if (k === null) this.known.forget(key);
        else this.known.remember(key, k);
      }
      this.stats.commits++;
      this.stats.unitsWritten += plan.unitsWritten;
      this.stats.rowsWritten = (this.stats.rowsWritten ?? 0) + plan.rowsWritten;
      this.stats.bytesWritten += plan.bytes;
      return plan.versions;
    }
  }

  /**
   * What each written unit's record is now, as far as the preconditions need: what this instance
   * saw last when that fits the write, otherwise read in one request. A unit read here that does
   * not match its expected version is a conflict right away, without a write.
   */
  private async priorStates(writes: readonly UnitWrite[]): Promise<Map<string, Known<E>>> {
    const prior = new Map<string, Known<E>>();
    const unknown: UnitWrite[] = [];
    for (const w of writes) {
      const k = this.known.get(w.key);
      const fits = k !== undefined && (w.expectedVersion === null ? k.state !== 'live' : k.state === 'live' && k.version === w.expectedVersion);
      if (fits) prior.set(w.key, k);
      else unknown.push(w);
    }
    if (unknown.length === 0) return prior;
    let read: Known<E>[];
    try {
      const records = await this.readKnown(unknown.map(w => w.key));
      read = unknown.map((w, i) => this.knownOf(w.key, records[i]));
    } catch (e) {
      throw storeError(`could not read state versions from ${this.names.place}`, e);
    }
    unknown.forEach((w, i) => {
      this.known.remember(w.key, read[i]);
      prior.set(w.key, read[i]);
    });
    for (const w of unknown) {
      const k = prior.get(w.key)!;
      const live = k.state === 'live' ? k.version : null;
      if (live !== w.expectedVersion) throw new StateConflictError(w.key, w.expectedVersion, live);
    }
    return prior;
  }
}
