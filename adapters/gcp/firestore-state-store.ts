/**
 * A StateStore over one Firestore collection (DESIGN.md section 3): one document per state unit.
 *
 * A commit is one atomic batched write whose unit writes carry preconditions: `create` for a unit
 * expected absent, and for an existing document the update time it had at the version the writer
 * loaded (the store remembers it from the load, or reads it first). Why not a read-write
 * transaction: Firestore's server-side transactions lock what they read, so concurrent commits to
 * one unit wait on each other until a lock times out (2 s on the emulator, one retry per second in
 * the client); with preconditions the loser fails at once, and a commit after a load is one round
 * trip instead of two. A failed precondition is read back into a StateConflictError carrying the
 * current version.
 *
 * Document layout (collection `collection`, id = the unit key escaped, see `unitDocId`):
 * - `version` (integer), `data` (bytes: the encoded unit gzipped, or its first part), `parts`
 *   (only when the unit is split), `nextDue` (number) when the unit has a timer, `expireAt`
 *   (timestamp) when the write gave `expiresAt`, `k` (the escaped key) when the key was too long
 *   for an id and the id is a hash of it.
 * - tombstone: a deleted unit keeps `version` and `deleted: true`, so a re-created unit continues
 *   the numbering and a writer holding an old version always gets a conflict.
 * - chunks: a unit that compresses to more than 900 KiB (documents are limited to 1 MiB) keeps
 *   its further parts in `<unit doc>/chunks/<n>` (n = 1, 2, ...), each with `version` and `data`,
 *   written in the unit's batch; on load their version must match the unit's, which catches
 *   a read torn by a concurrent commit (getAll is not a snapshot) and is then simply re-read.
 *
 * Rows of `@store` tables and aggregations are documents of the collection `table.name` (id: the
 * row key escaped like a unit key, hashed when long), with `millrace:key` and one field per row
 * attribute (values Firestore cannot hold as they are, such as nested lists, as JSON text under
 * `millrace:json`); a commit writes them in the same batch as the units.
 *
 * `dueUnits` is a query on `nextDue` (Firestore indexes single fields automatically). For expiry,
 * add TTL policies on `expireAt` for the collection group of the units and for `chunks`.
 *
 * @example
 *   const store = new FirestoreStateStore(new Firestore(), { collection: 'millrace-state' });
 *   const loaded = await store.load(['app/Orders/global']);
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type WriteResult,
} from '@google-cloud/firestore';
import {
  checkDueQuery,
  checkRowWrites,
  checkUnitWrites,
  CommitTooLargeError,
  decodeUnit,
  encodeUnit,
  ROW_KEY,
  StateCodecError,
  StateConflictError,
  StoreError,
  type StateStore,
  type Json,
  type RowWrite,
  type StateStoreStats,
  type StoredRow,
  type StoredUnit,
  type UnitWrite,
} from '../../core';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The part of the client this store calls: a port narrow enough to fake in a unit test. */
export type FirestoreClient = Pick<Firestore, 'collection' | 'getAll' | 'batch'>;

export interface FirestoreStateStoreOptions {
  /** Collection path of the unit documents, e.g. `millrace-state` or `apps/orders/state`. */
  readonly collection: string;
  /**
   * Compressed bytes per document; a unit above this is split into chunk documents. Default
   * 900 KiB, leaving room under Firestore's 1 MiB document limit for the name and other fields.
   */
  readonly chunkBytes?: number;
}

/** The store's counters, in Firestore's billing terms besides the common ones. */
export interface FirestoreStateStoreStats extends StateStoreStats {
  /** Calls to Firestore. */
  requests: number;
  /** Documents read, or asked for and missing (Firestore bills both). */
  documentReads: number;
  documentWrites: number;
  documentDeletes: number;
}

/**
 * What this instance last saw of a unit document: what a commit's preconditions need, and which
 * chunks a load can ask for together with the unit.
 */
type Known =
  | { readonly state: 'absent' }
  | { readonly state: 'tombstone'; readonly version: number; readonly updateTime: Timestamp }
  | { readonly state: 'live'; readonly version: number; readonly parts: number; readonly updateTime: Timestamp };

const DEFAULT_CHUNK_BYTES = 900 * 1024;
const MAX_CHUNK_BYTES = 1000 * 1024;
/** Ids above this (UTF-8) become hashes: Firestore allows 1500 bytes. */
const MAX_PLAIN_ID_BYTES = 1000;
const KNOWN_LIMIT = 10_000;
const ATTEMPTS = 5;
/** Firestore refuses a commit request above 10 MiB; leave room for names and fields. */
const MAX_COMMIT_BYTES = 9.5 * 1024 * 1024;
/** gRPC codes of a failed precondition: the update time moved, the document exists, or is gone. */
const PRECONDITION_CODES = new Set([9, 6, 5]);

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * The document id of a unit: the key with `%`, `/` and lone surrogates escaped (ids are UTF-8
 * path segments), and the ids Firestore reserves (``, `.`, `..`, `__x__`) escaped too; a key too
 * long for an id becomes a readable prefix, `%~` and a SHA-256 of the key.
 *
 * @example
 *   unitDocId('app/Orders/global') // { id: 'app%2FOrders%2Fglobal', hashed: false, ... }
 */
export function unitDocId(key: string): { id: string; escaped: string; hashed: boolean } {
  const escaped = key.replace(/[%/]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, c =>
    c === '%' ? '%25' : c === '/' ? '%2F' : `%u${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  if (Buffer.byteLength(escaped, 'utf8') > MAX_PLAIN_ID_BYTES) {
    const prefix = escaped.slice(0, 64).replace(/[\ud800-\udbff]$/, '');
    return { id: `${prefix}%~${createHash('sha256').update(escaped, 'utf8').digest('hex')}`, escaped, hashed: true };
  }
  let id = escaped;
  if (id === '') id = '%';
  else if (id === '.') id = '%2E';
  else if (id === '..') id = '%2E%2E';
  else if (/^__.*__$/.test(id)) id = `%5F${id.slice(1)}`;
  return { id, escaped, hashed: false };
}

function unescapeKey(escaped: string): string {
  return escaped.replace(/%(25|2F|2E|5F|u[0-9A-F]{4})/g, (_, code: string) =>
    code === '25' ? '%' : code === '2F' ? '/' : code === '2E' ? '.' : code === '5F' ? '_' : String.fromCharCode(parseInt(code.slice(1), 16)),
  );
}

function keyOfDoc(id: string, k: unknown): string {
  if (id === '%') return '';
  if (id.includes('%~')) return unescapeKey(typeof k === 'string' ? k : '');
  return unescapeKey(id);
}

function split(data: Buffer, size: number): Buffer[] {
  if (data.length <= size) return [data];
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) parts.push(data.subarray(at, at + size));
  return parts;
}

function storeError(what: string, e: unknown): Error {
  if (e instanceof StoreError || e instanceof StateConflictError || e instanceof StateCodecError) return e;
  return new StoreError(`${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

function bytesOf(v: unknown): Buffer {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return Buffer.alloc(0);
}

function knownOf(snap: DocumentSnapshot | undefined): Known {
  if (snap === undefined || !snap.exists || snap.updateTime === undefined) return { state: 'absent' };
  const version = snap.get('version') as number;
  if (snap.get('deleted') === true) return { state: 'tombstone', version, updateTime: snap.updateTime };
  return { state: 'live', version, parts: (snap.get('parts') as number | undefined) ?? 1, updateTime: snap.updateTime };
}

/** A row value Firestore cannot hold as it is (nested lists, tagged values) is kept as JSON text under this field. */
const JSON_FIELD = 'millrace:json';

function rowDoc(key: string, row: StoredRow): DocumentData {
  const doc: DocumentData = { [ROW_KEY]: key };
  for (const [name, v] of Object.entries(row)) doc[name] = v !== null && typeof v === 'object' ? { [JSON_FIELD]: JSON.stringify(v) } : v;
  return doc;
}

function rowOf(table: string, doc: DocumentData): StoredRow {
  const row: Record<string, Json> = {};
  for (const [name, v] of Object.entries(doc)) {
    if (name === ROW_KEY) continue;
    if (v !== null && typeof v === 'object') {
      const text = (v as Record<string, unknown>)[JSON_FIELD];
      if (typeof text !== 'string') throw new StateCodecError(`a document of ${table} holds field '${name}' in a form Millrace did not write`);
      row[name] = JSON.parse(text) as Json;
    } else row[name] = v as Json;
  }
  return row;
}

export class FirestoreStateStore implements StateStore {
  readonly stats: FirestoreStateStoreStats = {
    loads: 0,
    unitsRead: 0,
    commits: 0,
    unitsWritten: 0,
    bytesRead: 0,
    bytesWritten: 0,
    requests: 0,
    documentReads: 0,
    documentWrites: 0,
    documentDeletes: 0,
    rowsRead: 0,
    rowsWritten: 0,
  };
  readonly collectionPath: string;
  private readonly chunkBytes: number;
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly db: FirestoreClient,
    options: FirestoreStateStoreOptions,
  ) {
    this.collectionPath = options.collection;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!(Number.isSafeInteger(this.chunkBytes) && this.chunkBytes > 0 && this.chunkBytes <= MAX_CHUNK_BYTES)) {
      throw new StoreError(`chunkBytes must be an integer from 1 to ${MAX_CHUNK_BYTES}, got ${String(options.chunkBytes)}`);
    }
  }

  async load(keys: readonly string[]): Promise<Map<string, StoredUnit>> {
    this.stats.loads++;
    const unique = [...new Set(keys)];
    const out = new Map<string, StoredUnit>();
    try {
      // One round trip in the usual case: chunks of units this instance knows to be split are
      // asked for together with the unit documents.
      let pending = unique;
      for (let round = 1; pending.length > 0; round++) {
        const refs: DocumentReference[] = [];
        for (const key of pending) {
          const ref = this.unitRef(key);
          refs.push(ref);
          const k = this.known.get(key);
          if (k?.state === 'live') for (let n = 1; n < k.parts; n++) refs.push(this.chunkRef(ref, n));
        }
        const snaps = new Map<string, DocumentSnapshot>();
        this.stats.requests++;
        this.stats.documentReads += refs.length;
        for (const snap of await this.db.getAll(...refs)) snaps.set(snap.ref.path, snap);
        const again: string[] = [];
        let inconsistent = false;
        for (const key of pending) {
          const ref = this.unitRef(key);
          const { escaped, hashed } = unitDocId(key);
          const snap = snaps.get(ref.path);
          const state = knownOf(snap);
          if (state.state !== 'absent' && hashed && snap!.get('k') !== escaped) {
            throw new StoreError(`document ${ref.path} holds another state unit (hash collision?)`);
          }
          this.remember(key, state);
          if (state.state !== 'live') continue;
          const data = [bytesOf(snap!.get('data'))];
          let complete = true;
          for (let n = 1; n < state.parts; n++) {
            const chunk = snaps.get(this.chunkRef(ref, n).path);
            if (chunk?.exists === true && chunk.get('version') === state.version) {
              data.push(bytesOf(chunk.get('data')));
              continue;
            }
            // A chunk not asked for only means this instance did not know the unit was split.
            if (chunk !== undefined) inconsistent = true;
            complete = false;
            break;
          }
          if (!complete) {
            again.push(key);
            continue;
          }
          const bytes = Buffer.concat(data);
          out.set(key, { key, version: state.version, value: await this.decode(ref.path, bytes) });
          this.stats.unitsRead++;
          this.stats.bytesRead += bytes.length;
        }
        if (again.length > 0 && round >= ATTEMPTS) {
          throw new StateCodecError(
            `state unit '${again[0]}' in ${this.collectionPath} has missing or mismatched chunk documents after ${round} reads (expired by TTL, or written outside Millrace?)`,
          );
        }
        if (inconsistent) await sleep(10 * 2 ** round * (0.5 + Math.random()));
        pending = again;
      }
      return out;
    } catch (e) {
      throw storeError(`could not load state from ${this.collectionPath}`, e);
    }
  }

  /**
   * Rows of a `@store` table, one document each in the collection named like the table (id: the
   * row key, escaped like a unit key): getAll for keys, the whole collection for all rows.
   */
  async loadRows(table: string, keys: readonly string[] | null): Promise<Map<string, StoredRow>> {
    const out = new Map<string, StoredRow>();
    try {
      let docs: DocumentSnapshot[];
      this.stats.requests++;
      if (keys === null) docs = (await this.db.collection(table).get()).docs;
      else {
        const unique = [...new Set(keys)];
        docs = unique.length ? await this.db.getAll(...unique.map(k => this.rowRef(table, k))) : [];
        this.stats.documentReads += unique.length;
      }
      for (const d of docs) {
        if (!d.exists) continue;
        const data = d.data()!;
        const key = data[ROW_KEY];
        if (typeof key !== 'string') throw new StateCodecError(`document ${d.ref.path} has no '${ROW_KEY}' field: not a Millrace @store table`);
        out.set(key, rowOf(table, data));
        this.stats.rowsRead = (this.stats.rowsRead ?? 0) + 1;
        this.stats.bytesRead += Buffer.byteLength(JSON.stringify(data), 'utf8');
        if (keys === null) this.stats.documentReads++;
      }
      return out;
    } catch (e) {
      throw storeError(`could not load rows of ${table}`, e);
    }
  }

  async commit(writes: readonly UnitWrite[], rows: readonly RowWrite[] = []): Promise<Map<string, number>> {
    checkUnitWrites(writes);
    checkRowWrites(rows);
    // Encoding may reject an engine bug: do it before anything is sent.
    const texts = writes.map(w => (w.value === null ? null : encodeUnit(w.value)));
    const rowDocs = rows.map(r => (r.row === null ? null : rowDoc(r.key, r.row)));
    if (writes.length === 0 && rows.length === 0) {
      this.stats.commits++;
      return new Map();
    }
    const payloads = await Promise.all(texts.map(t => (t === null ? null : gzipAsync(Buffer.from(t, 'utf8')))));
    for (let attempt = 1; ; attempt++) {
      const prior = await this.priorStates(writes);
      const plan = this.plan(writes, payloads, prior);
      // Rows of @store tables: unconditional (the global unit's precondition serialises the app's writers).
      rows.forEach((r, i) => {
        const doc = rowDocs[i];
        if (doc === null) {
          plan.batch.delete(this.rowRef(r.table, r.key));
          plan.deletes++;
        } else {
          plan.batch.set(this.rowRef(r.table, r.key), doc);
          plan.writes++;
          plan.bytes += Buffer.byteLength(JSON.stringify(doc), 'utf8');
        }
      });
      if (plan.bytes > MAX_COMMIT_BYTES) {
        throw new CommitTooLargeError(
          `a commit of ${writes.length} state units and ${rows.length} table rows writes ${plan.bytes} bytes; one Firestore commit request holds at most 10 MiB`,
        );
      }
      let results: WriteResult[];
      try {
        this.stats.requests++;
        results = await plan.batch.commit();
      } catch (e) {
        if (!PRECONDITION_CODES.has((e as { code?: unknown } | null)?.code as number)) {
          throw storeError(`could not commit state to ${this.collectionPath}`, e);
        }
        // Who moved? Read the versions back: a real conflict names the unit and the version
        // found; otherwise what this instance knew was stale (say, a tombstone rewritten) and the
        // commit is planned again.
        for (const w of writes) this.known.delete(w.key);
        await this.priorStates(writes); // throws the StateConflictError, if that is what it was
        if (attempt >= ATTEMPTS) {
          throw new StoreError(`could not commit state to ${this.collectionPath}: the documents kept changing (${attempt} attempts)`, { cause: e });
        }
        continue;
      }
      for (const [key, { index, known }] of plan.after) {
        // The unit's new update time is its write time: the next commit needs no read.
        const updateTime = results[index].writeTime;
        if (known === null) this.known.delete(key);
        else if (known.parts === null) this.remember(key, { state: 'tombstone', version: known.version, updateTime });
        else this.remember(key, { state: 'live', version: known.version, parts: known.parts, updateTime });
      }
      this.stats.commits++;
      this.stats.unitsWritten += plan.unitsWritten;
      this.stats.rowsWritten = (this.stats.rowsWritten ?? 0) + rows.length;
      this.stats.bytesWritten += plan.bytes;
      this.stats.documentWrites += plan.writes;
      this.stats.documentDeletes += plan.deletes;
      return plan.versions;
    }
  }

  async dueUnits(now: number, limit: number): Promise<string[]> {
    checkDueQuery(now, limit);
    if (limit === 0) return [];
    try {
      this.stats.requests++;
      const r = await this.db.collection(this.collectionPath).where('nextDue', '<=', now).orderBy('nextDue').limit(limit).select('k').get();
      // A query bills one read per document returned, and at least one.
      this.stats.documentReads += Math.max(1, r.size);
      return r.docs.map(d => keyOfDoc(d.id, d.get('k')));
    } catch (e) {
      throw storeError(`could not query due units in ${this.collectionPath}`, e);
    }
  }

  /**
   * What each written unit's document is now, as far as the preconditions need: what this
   * instance saw last when that fits the write, otherwise read in one getAll. A unit read here
   * that does not match its expected version is a conflict right away, without a write.
   */
  private async priorStates(writes: readonly UnitWrite[]): Promise<Map<string, Known>> {
    const prior = new Map<string, Known>();
    const unknown: UnitWrite[] = [];
    for (const w of writes) {
      const k = this.known.get(w.key);
      const fits =
        k !== undefined && (w.expectedVersion === null ? k.state !== 'live' : k.state === 'live' && k.version === w.expectedVersion);
      if (fits) prior.set(w.key, k);
      else unknown.push(w);
    }
    if (unknown.length === 0) return prior;
    let snaps: DocumentSnapshot[];
    try {
      this.stats.requests++;
      this.stats.documentReads += unknown.length;
      snaps = await this.db.getAll(...unknown.map(w => this.unitRef(w.key)));
    } catch (e) {
      throw storeError(`could not read state versions from ${this.collectionPath}`, e);
    }
    unknown.forEach((w, i) => {
      const k = knownOf(snaps[i]);
      this.remember(w.key, k);
      prior.set(w.key, k);
    });
    for (const w of unknown) {
      const k = prior.get(w.key)!;
      const live = k.state === 'live' ? k.version : null;
      if (live !== w.expectedVersion) throw new StateConflictError(w.key, w.expectedVersion, live);
    }
    return prior;
  }

  private plan(writes: readonly UnitWrite[], payloads: readonly (Buffer | null)[], prior: Map<string, Known>): CommitPlan {
    const batch = this.db.batch();
    const plan: CommitPlan = { batch, versions: new Map(), after: new Map(), bytes: 0, unitsWritten: 0, writes: 0, deletes: 0 };
    let index = 0;
    const del = FieldValue.delete();
    writes.forEach((w, i) => {
      const ref = this.unitRef(w.key);
      const { escaped, hashed } = unitDocId(w.key);
      const p = prior.get(w.key)!;
      const data = payloads[i];
      if (data === null && p.state !== 'live') {
        // Deleting what does not exist changes nothing, but must still find it so at commit time.
        if (p.state === 'absent') batch.delete(ref, { exists: false });
        else batch.update(ref, { version: p.version }, { lastUpdateTime: p.updateTime });
        // Rewriting a tombstone may or may not move its update time: forget it.
        plan.after.set(w.key, { index: index++, known: null });
        return;
      }
      const version = (p.state === 'absent' ? 0 : p.version) + 1;
      const oldParts = p.state === 'live' ? p.parts : 1;
      const expireAt = w.expiresAt === undefined || w.expiresAt === null ? undefined : Timestamp.fromMillis(w.expiresAt);
      let parts = 0;
      // Every field is named: an update keeps fields it does not mention, a create has no old ones.
      const doc: DocumentData = { version, k: hashed ? escaped : del, expireAt: expireAt ?? del };
      if (data === null) {
        Object.assign(doc, { deleted: true, data: del, parts: del, nextDue: del });
      } else {
        const pieces = split(data, this.chunkBytes);
        parts = pieces.length;
        const nextDue = w.nextDue === undefined || w.nextDue === null ? del : w.nextDue;
        Object.assign(doc, { deleted: del, data: pieces[0], parts: parts > 1 ? parts : del, nextDue });
        for (let n = 1; n < parts; n++) {
          const chunk: DocumentData = { version, data: pieces[n] };
          if (expireAt !== undefined) chunk.expireAt = expireAt;
          batch.set(this.chunkRef(ref, n), chunk);
          index++;
          plan.writes++;
        }
        plan.versions.set(w.key, version);
        plan.bytes += data.length;
      }
      if (p.state === 'absent') {
        batch.create(ref, Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== del)));
      } else {
        batch.update(ref, doc, { lastUpdateTime: p.updateTime });
      }
      plan.after.set(w.key, { index: index++, known: { version, parts: data === null ? null : parts } });
      plan.writes++;
      // Chunks the unit no longer needs go in the same batch, so none is left behind.
      for (let n = Math.max(1, parts); n < oldParts; n++) {
        batch.delete(this.chunkRef(ref, n));
        index++;
        plan.deletes++;
      }
      plan.unitsWritten++;
    });
    return plan;
  }

  private rowRef(table: string, key: string): DocumentReference {
    return this.db.collection(table).doc(unitDocId(key).id);
  }

  private unitRef(key: string): DocumentReference {
    return this.db.collection(this.collectionPath).doc(unitDocId(key).id);
  }

  private chunkRef(unit: DocumentReference, n: number): DocumentReference {
    return unit.collection('chunks').doc(String(n));
  }

  private async decode(path: string, bytes: Buffer) {
    let text: string;
    try {
      text = (await gunzipAsync(bytes)).toString('utf8');
    } catch (e) {
      throw new StateCodecError(`document ${path} does not hold gzipped state: ${(e as Error).message}`, { cause: e });
    }
    try {
      return decodeUnit(text);
    } catch (e) {
      throw new StateCodecError(`document ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  private remember(key: string, k: Known): void {
    this.known.delete(key);
    this.known.set(key, k);
    if (this.known.size > KNOWN_LIMIT) this.known.delete(this.known.keys().next().value as string);
  }
}

interface CommitPlan {
  readonly batch: ReturnType<FirestoreClient['batch']>;
  readonly versions: Map<string, number>;
  /**
   * Per written unit: the index of its write in the batch, and its version and parts after the
   * commit (parts null: now a tombstone; known null: forget what was known).
   */
  readonly after: Map<string, { index: number; known: { version: number; parts: number | null } | null }>;
  bytes: number;
  unitsWritten: number;
  writes: number;
  deletes: number;
}
