/**
 * A StateStore over a local directory, safe for several processes sharing it.
 *
 * Layout (all in `dir`):
 * - `<name>.json` per unit: a header line `{"version":N,"key":"..."}` (with `"nextDue":T` when the
 *   unit has a timer) then the encoded unit. A deleted unit keeps a header-only tombstone with
 *   `"deleted":true`, so a re-created unit continues the numbering and a stale version can never
 *   match again.
 * - `.lock/`: the commit lock (directory-lock.ts; mkdir is atomic). Its `owner` file names the holder; its mtime is
 *   refreshed while held, and a lock older than `staleLockMs` is taken to be left by a crashed
 *   process and broken.
 * - `.journal`: present only while a multi-unit commit is being applied. It lists the renames
 *   that make up the commit; whoever takes the lock next finishes them, so a crash leaves either
 *   none or all of a commit's units visible.
 * - `.tmp-*`: files being written; every file is written to a temp file, fsynced and renamed.
 * - `rows/<table>/<row key>.json` per row of a `@store` table: a header line `{"key":"..."}` then
 *   the encoded row; a deleted row is a header `{"key":"...","deleted":true}`. Row files are
 *   renamed into place by the same (journaled) commit as the units.
 *
 * Loads of several keys take the lock, so they see a consistent snapshot; a single-key load
 * reads without it (each file is replaced atomically). dueUnits reads every header: fine for
 * development, where a directory holds a few units. expiresAt is ignored: nothing expires here.
 *
 * @example
 *   const store = new FileStateStore('.millrace-state');
 *   const v = await store.commit([{ key: 'q1/window', value: [], expectedVersion: null }]);
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  checkDueQuery,
  checkRowWrites,
  checkUnitWrites,
  decodeUnit,
  encodeUnit,
  sha256Hex,
  StateCodecError,
  StateConflictError,
  storeError,
  StoreError,
  type StateStore,
  type RowWrite,
  type StateStoreStats,
  type StoredRow,
  type StoredUnit,
  type UnitWrite,
} from '../../core';
import { applyRenames, DirectoryLock, errorCode, syncDir, TMP_PREFIX, type Rename } from './directory-lock';

export interface FileStateStoreOptions {
  /** A lock not refreshed for this long is considered abandoned by a crashed process. Default 10 000. */
  readonly staleLockMs?: number;
  /** Give up waiting for the lock after this long, with StoreError. Default 60 000. */
  readonly lockTimeoutMs?: number;
}

interface Header {
  readonly version: number;
  readonly key: string;
  readonly deleted?: boolean;
  readonly nextDue?: number;
}

/** What is on disk for a key: the live version (null if absent or deleted) and the last one used. */
interface Current {
  readonly live: number | null;
  readonly last: number;
}

const ROWS = 'rows';
const MAX_NAME = 200;

/**
 * The file name for a key: percent-encoded so any key is a safe, distinct name, with upper-case
 * letters escaped too so keys differing only in case stay apart on case-insensitive file systems.
 * Long keys (and keys with lone surrogates) are shortened with a hash of the exact key.
 */
function fileNameFor(key: string): string {
  let encoded: string | null;
  try {
    encoded = encodeURIComponent(key).replace(/%[0-9A-F]{2}|[A-Z!'()*~]/g, m =>
      m.length === 3 ? m : `%${m.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch {
    encoded = null; // lone surrogate
  }
  if (encoded !== null && encoded.length <= MAX_NAME) return `${encoded}.json`;
  // '~' is always escaped above, so hashed names cannot collide with encoded ones.
  const hash = sha256Hex(Buffer.from(key, 'utf16le'));
  return `${(encoded ?? '').slice(0, 100)}~${hash}.json`;
}

export class FileStateStore implements StateStore {
  readonly stats: StateStoreStats = { loads: 0, unitsRead: 0, commits: 0, unitsWritten: 0, bytesRead: 0, bytesWritten: 0 };
  readonly dir: string;
  private readonly lock: DirectoryLock;
  private ready: Promise<void> | undefined;

  constructor(dir: string, options: FileStateStoreOptions = {}) {
    this.dir = path.resolve(dir);
    this.lock = new DirectoryLock(this.dir, options.staleLockMs ?? 10_000, options.lockTimeoutMs ?? 60_000);
  }

  async load(keys: readonly string[]): Promise<Map<string, StoredUnit>> {
    this.stats.loads++;
    const unique = [...new Set(keys)];
    if (unique.length === 0) return new Map();
    await this.ensureDir();
    // A journal means a commit is half applied: reading around it could see part of that commit.
    if (unique.length > 1 || (await this.exists(this.lock.journalPath))) {
      return this.lock.withLock(() => this.readUnits(unique));
    }
    return this.readUnits(unique);
  }

  async loadRows(table: string, keys: readonly string[] | null): Promise<Map<string, StoredRow>> {
    await this.ensureDir();
    const dir = this.rowDir(table);
    const read = async (): Promise<Map<string, StoredRow>> => {
      let names: string[];
      if (keys === null) {
        try {
          names = (await fs.readdir(path.join(this.dir, dir))).filter(n => n.endsWith('.json'));
        } catch (e) {
          if (errorCode(e) === 'ENOENT') return new Map();
          throw storeError(`could not list the rows of '${table}' in ${this.dir}`, e);
        }
      } else names = [...new Set(keys)].map(fileNameFor);
      const out = new Map<string, StoredRow>();
      for (const name of names) {
        const file = path.join(this.dir, dir, name);
        let text: string;
        try {
          text = await fs.readFile(file, 'utf8');
        } catch (e) {
          if (errorCode(e) === 'ENOENT') continue;
          throw storeError(`could not read ${file}`, e);
        }
        const nl = text.indexOf('\n');
        let header: { key?: unknown; deleted?: unknown };
        try {
          header = JSON.parse(nl < 0 ? text : text.slice(0, nl)) as typeof header;
        } catch (e) {
          throw new StateCodecError(`${file} is not a Millrace row file (bad header line)`, { cause: e });
        }
        if (typeof header?.key !== 'string') throw new StateCodecError(`${file} is not a Millrace row file (no key)`);
        if (header.deleted === true) continue;
        out.set(header.key, decodeUnit(text.slice(nl + 1)) as StoredRow);
        this.stats.rowsRead = (this.stats.rowsRead ?? 0) + 1;
        this.stats.bytesRead += Buffer.byteLength(text, 'utf8');
      }
      return out;
    };
    // As in load: a journal means a half-applied commit; several rows must come from one commit.
    return keys === null || keys.length > 1 || (await this.exists(this.lock.journalPath)) ? this.lock.withLock(read) : read();
  }

  async commit(writes: readonly UnitWrite[], rows: readonly RowWrite[] = []): Promise<Map<string, number>> {
    checkUnitWrites(writes);
    checkRowWrites(rows);
    // Encoding is CPU work and may reject an engine bug: do it before taking the lock.
    const texts = writes.map(w => (w.value === null ? null : encodeUnit(w.value)));
    const rowTexts = rows.map(r => (r.row === null ? null : encodeUnit(r.row)));
    if (writes.length === 0 && rows.length === 0) {
      this.stats.commits++;
      return new Map();
    }
    await this.ensureDir();
    return this.lock.withLock(async held => {
      const names = writes.map(w => fileNameFor(w.key));
      const current = await Promise.all(writes.map((w, i) => this.readCurrent(names[i], w.key)));
      writes.forEach((w, i) => {
        if (current[i].live !== w.expectedVersion) throw new StateConflictError(w.key, w.expectedVersion, current[i].live);
      });

      const versions = new Map<string, number>();
      const renames: Rename[] = [];
      const contents: string[] = [];
      writes.forEach((w, i) => {
        const text = texts[i];
        const { live, last } = current[i];
        if (text === null && live === null) return; // deleting what does not exist changes nothing
        const header: Header =
          text === null
            ? { version: last + 1, key: w.key, deleted: true }
            : w.nextDue === undefined || w.nextDue === null
              ? { version: last + 1, key: w.key }
              : { version: last + 1, key: w.key, nextDue: w.nextDue };
        contents.push(`${JSON.stringify(header)}\n${text ?? ''}`);
        renames.push({ from: this.tempName(), to: names[i] });
        if (text !== null) versions.set(w.key, last + 1);
      });
      const rowDirs = new Set<string>();
      rows.forEach((r, i) => {
        const dir = this.rowDir(r.table);
        rowDirs.add(dir);
        const text = rowTexts[i];
        contents.push(text === null ? `${JSON.stringify({ key: r.key, deleted: true })}\n` : `${JSON.stringify({ key: r.key })}\n${text}`);
        renames.push({ from: this.tempName(), to: path.join(dir, fileNameFor(r.key)) });
      });

      let bytes = 0;
      const journaled = renames.length > 1;
      const temps = renames.map(r => r.from);
      try {
        await Promise.all([...rowDirs].map(d => fs.mkdir(path.join(this.dir, d), { recursive: true })));
        await Promise.all(
          renames.map(async (r, i) => {
            const data = Buffer.from(contents[i], 'utf8');
            bytes += data.length;
            await this.writeDurably(r.from, data);
          }),
        );
        // Last chance to back out: past this point the commit is decided.
        await this.lock.verify(held);
        if (journaled) {
          const tmp = this.tempName();
          temps.push(tmp);
          await this.writeDurably(tmp, Buffer.from(JSON.stringify(renames), 'utf8'));
          await fs.rename(path.join(this.dir, tmp), this.lock.journalPath);
          await syncDir(this.dir);
        }
      } catch (e) {
        await Promise.all(temps.map(t => fs.unlink(path.join(this.dir, t)).catch(() => {})));
        throw storeError(`could not write state to ${this.dir}`, e);
      }

      try {
        await applyRenames(this.dir, renames);
        await syncDir(this.dir);
        if (journaled) await fs.unlink(this.lock.journalPath);
      } catch (e) {
        if (!journaled) {
          await fs.unlink(path.join(this.dir, renames[0].from)).catch(() => {});
          throw storeError(`could not write state to ${this.dir}`, e);
        }
        throw new StoreError(
          `commit to ${this.dir} is journaled but not fully applied; the next load or commit completes it: ${(e as Error).message}`,
          { cause: e },
        );
      }

      this.stats.commits++;
      this.stats.unitsWritten += renames.length - rows.length;
      this.stats.rowsWritten = (this.stats.rowsWritten ?? 0) + rows.length;
      this.stats.bytesWritten += bytes;
      return versions;
    });
  }

  async dueUnits(now: number, limit: number): Promise<string[]> {
    checkDueQuery(now, limit);
    await this.ensureDir();
    const scan = async (): Promise<string[]> => {
      const names = (await fs.readdir(this.dir)).filter(n => n.endsWith('.json') && !n.startsWith('.'));
      const headers = await Promise.all(names.map(n => this.readHeader(path.join(this.dir, n))));
      const due: [string, number][] = [];
      for (const h of headers) {
        if (h !== null && h.deleted !== true && typeof h.nextDue === 'number' && h.nextDue <= now) due.push([h.key, h.nextDue]);
      }
      due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return due.slice(0, limit).map(([key]) => key);
    };
    try {
      // As in load: a journal means a half-applied commit that a lock-free scan could see half of.
      return (await this.exists(this.lock.journalPath)) ? await this.lock.withLock(scan) : await scan();
    } catch (e) {
      throw storeError(`could not list due units in ${this.dir}`, e);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  private async readUnits(keys: readonly string[]): Promise<Map<string, StoredUnit>> {
    const units = await Promise.all(keys.map(key => this.readUnit(key)));
    const out = new Map<string, StoredUnit>();
    for (const u of units) if (u !== undefined) out.set(u.key, u);
    return out;
  }

  private async readUnit(key: string): Promise<StoredUnit | undefined> {
    const file = path.join(this.dir, fileNameFor(key));
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return undefined;
      throw storeError(`could not read ${file}`, e);
    }
    const nl = data.indexOf(10);
    const header = this.parseHeader(file, nl < 0 ? '' : data.toString('utf8', 0, nl), key);
    if (header.deleted === true) return undefined;
    let value;
    try {
      value = decodeUnit(data.toString('utf8', nl + 1));
    } catch (e) {
      throw new StateCodecError(`state unit '${key}': ${file}: ${(e as Error).message}`, { cause: e });
    }
    this.stats.unitsRead++;
    this.stats.bytesRead += data.length;
    return { key, version: header.version, value };
  }

  /** Reads only the header line: a commit needs versions, not the (possibly large) units. */
  private async readCurrent(name: string, key: string): Promise<Current> {
    const file = path.join(this.dir, name);
    const header = await this.readHeader(file, key);
    if (header === null) return { live: null, last: 0 };
    return { live: header.deleted === true ? null : header.version, last: header.version };
  }

  /** The header line of a unit file, null if there is no such file; checks the key when given. */
  private async readHeader(file: string, key?: string): Promise<Header | null> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(file, 'r');
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return null;
      throw storeError(`could not read ${file}`, e);
    }
    try {
      let buf = Buffer.alloc(512);
      let len = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, len, buf.length - len, len);
        if (bytesRead === 0) break;
        const nl = buf.indexOf(10, len);
        len += bytesRead;
        if (nl >= 0 && nl < len) return this.parseHeader(file, buf.toString('utf8', 0, nl), key);
        if (len === buf.length) {
          const bigger = Buffer.alloc(buf.length * 4);
          buf.copy(bigger);
          buf = bigger;
        }
      }
      throw new StateCodecError(`${file} is not a Millrace state file (no header line)`);
    } catch (e) {
      throw storeError(`could not read ${file}`, e);
    } finally {
      await fh.close();
    }
  }

  private parseHeader(file: string, line: string, key?: string): Header {
    let header: Partial<Header> | null = null;
    try {
      header = JSON.parse(line) as Partial<Header>;
    } catch {
      // reported below
    }
    if (header === null || typeof header !== 'object' || !Number.isSafeInteger(header.version) || (header.version as number) < 1) {
      throw new StateCodecError(`${key === undefined ? '' : `state unit '${key}': `}${file} is not a Millrace state file (bad header line)`);
    }
    if (key === undefined ? typeof header.key !== 'string' : header.key !== key) {
      throw new StoreError(`${file} holds state unit '${String(header.key)}', not '${key}'`);
    }
    return header as Header;
  }

  /** The directory of a `@store` table's rows, relative to the store's directory. */
  private rowDir(table: string): string {
    return path.join(ROWS, fileNameFor(table).slice(0, -'.json'.length));
  }

  // -------------------------------------------------------------------------------------------
  // Writing

  private tempName(): string {
    return `${TMP_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`;
  }

  private async writeDurably(name: string, data: Buffer): Promise<void> {
    const fh = await fs.open(path.join(this.dir, name), 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  // -------------------------------------------------------------------------------------------
  // The directory

  private ensureDir(): Promise<void> {
    this.ready ??= fs.mkdir(this.dir, { recursive: true }).then(
      () => undefined,
      e => {
        this.ready = undefined;
        throw storeError(`could not create ${this.dir}`, e);
      },
    );
    return this.ready;
  }

  private async exists(file: string): Promise<boolean> {
    try {
      await fs.access(file);
      return true;
    } catch {
      return false;
    }
  }


}
