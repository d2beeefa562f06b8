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
  ChunkedStateStore,
  checkDueQuery,
  CommitTooLargeError,
  escapeKey,
  hashedId,
  keyOfId,
  ROW_KEY,
  splitBytes,
  StateCodecError,
  storeError,
  type Json,
  type Known as ChunkedKnown,
  type PlannedCommit,
  type RecordId,
  type RetryTiming,
  type RowWrite,
  type StateStoreStats,
  type StoredRow,
  type Logger,
  type UnitRead,
  type UnitRecord,
  type UnitWrite,
} from '../../core';
import { gzipCompression } from '../node/gzip-compression';
import { nodeTiming } from '../node/retry-timing';

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
  /** How retries wait (a fake clock in tests); default real time. */
  readonly timing?: RetryTiming;
  /** Where dueUnits reports a due document it skips (one that is no unit's document); default silent. */
  readonly logger?: Logger;
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
 * What this instance last saw of a unit document: what a commit's preconditions need (the
 * update time besides the version), and which chunks a load can ask for together with the unit.
 */
type Known = ChunkedKnown<{ readonly updateTime: Timestamp }>;

const DEFAULT_CHUNK_BYTES = 900 * 1024;
const MAX_CHUNK_BYTES = 1000 * 1024;
/** Ids above this (UTF-8) become hashes: Firestore allows 1500 bytes. */
const MAX_PLAIN_ID_BYTES = 1000;
/** Firestore refuses a commit request above 10 MiB; leave room for names and fields. */
const MAX_COMMIT_BYTES = 9.5 * 1024 * 1024;
/** The most parts of a unit: a bound for a damaged `parts` (a commit of 10 MiB in 1 KiB chunks has fewer). */
const MAX_PARTS = 10_000;
/** gRPC codes of a failed precondition: the update time moved, the document exists, or is gone. */
const PRECONDITION_CODES = new Set([9, 6, 5]);
/** What escapeKey escapes besides `%` (ids are path segments), and the escapes ids use. */
const RESERVED = '/';
const ESCAPES = ['25', '2F', '2E', '5F'];

/**
 * The document id of a unit: the key with `%`, `/` and lone surrogates escaped (ids are UTF-8
 * path segments), and the ids Firestore reserves (``, `.`, `..`, `__x__`) escaped too; a key too
 * long for an id becomes a readable prefix, `%~` and a SHA-256 of the key.
 *
 * @example
 *   unitDocId('app/Orders/global') // { id: 'app%2FOrders%2Fglobal', hashed: false, ... }
 */
export function unitDocId(key: string): { id: string; escaped: string; hashed: boolean } {
  const escaped = escapeKey(key, RESERVED);
  const hashed = hashedId(escaped, MAX_PLAIN_ID_BYTES);
  if (hashed !== null) return { id: hashed, escaped, hashed: true };
  let id = escaped;
  if (id === '') id = '%';
  else if (id === '.') id = '%2E';
  else if (id === '..') id = '%2E%2E';
  else if (/^__.*__$/.test(id)) id = `%5F${id.slice(1)}`;
  return { id, escaped, hashed: false };
}

/** The key of a unit document (from the due query, which selects `k` for hashed ids). */
function keyOfDoc(id: string, k: unknown): string {
  return keyOfId(id, k, ESCAPES);
}

/** A unit document's fields, unchecked (the chunked base checks them). */
function unitRecordOf(snap: DocumentSnapshot | undefined): UnitRecord<{ readonly updateTime: Timestamp }> | undefined {
  if (snap === undefined || !snap.exists || snap.updateTime === undefined) return undefined;
  return {
    version: snap.get('version'),
    deleted: snap.get('deleted'),
    parts: snap.get('parts'),
    storedKey: snap.get('k'),
    data: snap.get('data'),
    extra: { updateTime: snap.updateTime },
  };
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

export class FirestoreStateStore extends ChunkedStateStore<{ readonly updateTime: Timestamp }, CommitPlan, DocumentData> {
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

  constructor(
    private readonly db: FirestoreClient,
    options: FirestoreStateStoreOptions,
  ) {
    super({
      names: { place: options.collection, records: 'documents' },
      compression: gzipCompression,
      chunkBytes: options.chunkBytes,
      defaultChunkBytes: DEFAULT_CHUNK_BYTES,
      maxChunkBytes: MAX_CHUNK_BYTES,
      // A failed precondition fails at once (no lock was waited for): plan again right away.
      commitBackoffMs: 0,
      timing: options.timing ?? nodeTiming,
      maxParts: MAX_PARTS,
      logger: options.logger,
    });
    this.collectionPath = options.collection;
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

  async dueUnits(now: number, limit: number): Promise<string[]> {
    checkDueQuery(now, limit);
    if (limit === 0) return [];
    try {
      this.stats.requests++;
      const r = await this.db.collection(this.collectionPath).where('nextDue', '<=', now).orderBy('nextDue').limit(limit).select('k').get();
      // A query bills one read per document returned, and at least one.
      this.stats.documentReads += Math.max(1, r.size);
      return r.docs.map(d => this.dueKey(d.id, keyOfDoc(d.id, d.get('k')))).filter((k): k is string => k !== null);
    } catch (e) {
      throw storeError(`could not query due units in ${this.collectionPath}`, e);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The primitives of the chunked store

  protected unitId(key: string): RecordId {
    return unitDocId(key);
  }

  protected describe(key: string): string {
    return `document ${this.unitRef(key).path}`;
  }

  /** The unit documents and the chunk documents asked for, in one getAll. */
  protected async readUnits(wanted: readonly { key: string; chunks: number }[]): Promise<Map<string, UnitRead<{ readonly updateTime: Timestamp }>>> {
    const refs: DocumentReference[] = [];
    for (const { key, chunks } of wanted) {
      const ref = this.unitRef(key);
      refs.push(ref);
      for (let n = 1; n <= chunks; n++) refs.push(this.chunkRef(ref, n));
    }
    const snaps = new Map<string, DocumentSnapshot>();
    this.stats.requests++;
    this.stats.documentReads += refs.length;
    for (const snap of await this.db.getAll(...refs)) snaps.set(snap.ref.path, snap);
    const out = new Map<string, UnitRead<{ readonly updateTime: Timestamp }>>();
    for (const { key, chunks } of wanted) {
      const ref = this.unitRef(key);
      const unit = unitRecordOf(snaps.get(ref.path));
      if (unit === undefined) continue;
      out.set(key, {
        unit,
        chunks: Array.from({ length: chunks }, (_, i) => {
          const chunk = snaps.get(this.chunkRef(ref, i + 1).path);
          return chunk?.exists === true ? { version: chunk.get('version'), data: chunk.get('data') } : undefined;
        }),
      });
    }
    return out;
  }

  protected async readKnown(keys: readonly string[]): Promise<(UnitRecord<{ readonly updateTime: Timestamp }> | undefined)[]> {
    this.stats.requests++;
    this.stats.documentReads += keys.length;
    const snaps = await this.db.getAll(...keys.map(k => this.unitRef(k)));
    return snaps.map(s => unitRecordOf(s));
  }

  protected encodeRow(key: string, row: StoredRow): DocumentData {
    return rowDoc(key, row);
  }

  protected planCommit(
    writes: readonly UnitWrite[],
    payloads: readonly (Uint8Array | null)[],
    prior: ReadonlyMap<string, Known>,
    rows: readonly RowWrite[],
    rowDocs: readonly (DocumentData | null)[],
  ): CommitPlan {
    const batch = this.db.batch();
    const plan: CommitPlan = { batch, versions: new Map(), after: new Map(), bytes: 0, unitsWritten: 0, rowsWritten: rows.length, writes: 0, deletes: 0 };
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
        const pieces = splitBytes(data, this.chunkBytes);
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
    // Rows of @store tables: unconditional (the global unit's precondition serialises the app's writers).
    rows.forEach((r, i) => {
      const doc = rowDocs[i];
      if (doc === null) {
        batch.delete(this.rowRef(r.table, r.key));
        plan.deletes++;
      } else {
        batch.set(this.rowRef(r.table, r.key), doc);
        plan.writes++;
        plan.bytes += Buffer.byteLength(JSON.stringify(doc), 'utf8');
      }
    });
    if (plan.bytes > MAX_COMMIT_BYTES) {
      throw new CommitTooLargeError(
        `a commit of ${writes.length} state units and ${rows.length} table rows writes ${plan.bytes} bytes; one Firestore commit request holds at most 10 MiB`,
      );
    }
    return plan;
  }

  protected async sendCommit(plan: CommitPlan): Promise<Map<string, Known | null>> {
    this.stats.requests++;
    const results: WriteResult[] = await plan.batch.commit();
    const after = new Map<string, Known | null>();
    for (const [key, { index, known }] of plan.after) {
      // The unit's new update time is its write time: the next commit needs no read.
      const updateTime = results[index].writeTime;
      if (known === null) after.set(key, null);
      else if (known.parts === null) after.set(key, { state: 'tombstone', version: known.version, updateTime });
      else after.set(key, { state: 'live', version: known.version, parts: known.parts, updateTime });
    }
    this.stats.documentWrites += plan.writes;
    this.stats.documentDeletes += plan.deletes;
    return after;
  }

  protected isPreconditionFailure(e: unknown): boolean {
    return PRECONDITION_CODES.has((e as { code?: unknown } | null)?.code as number);
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
}

interface CommitPlan extends PlannedCommit {
  readonly batch: ReturnType<FirestoreClient['batch']>;
  readonly versions: Map<string, number>;
  /**
   * Per written unit: the index of its write in the batch, and its version and parts after the
   * commit (parts null: now a tombstone; known null: forget what was known).
   */
  readonly after: Map<string, { index: number; known: { version: number; parts: number | null } | null }>;
  bytes: number;
  unitsWritten: number;
  readonly rowsWritten: number;
  writes: number;
  deletes: number;
}
