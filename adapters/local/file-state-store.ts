/**
 * A StateStore over a local directory, safe for several processes sharing it.
 *
 * Layout (all in `dir`):
 * - `<name>.json` per unit (`fileNameFor`): a header line `{"version":N,"key":"..."}` (with
 *   `"nextDue":T` when the unit has a timer) then the encoded unit. A deleted unit keeps a header-only tombstone with
 *   `"deleted":true`, so a re-created unit continues the numbering and a stale version can never
 *   match again.
 * - `.lock/`: the commit lock (directory-lock.ts; mkdir is atomic). Its `owner` file names the holder; its mtime is
 *   refreshed while held, and a lock older than `staleLockMs` is taken to be left by a crashed
 *   process and broken.
 * - `.journal`: present only while a multi-unit commit is being applied. It lists the renames
 *   that make up the commit; whoever takes the lock next finishes them, so a crash leaves either
 *   none or all of a commit's units visible.
 * - `.format`: `{"fileNames":2}`, the version of the file names (a directory without it is of
 *   version 1 and is migrated once, see `migrateNames`).
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
  silentLogger,
  StateCodecError,
  StateConflictError,
  storeError,
  StoreError,
  type StateStore,
  type RowWrite,
  type StateStoreStats,
  type StoredRow,
  type StoredUnit,
  type Logger,
  type UnitWrite,
} from '../../core';
import { applyRenames, DirectoryLock, errorCode, syncDir, TMP_PREFIX, type Rename } from './directory-lock';

export interface FileStateStoreOptions {
  /** A lock not refreshed for this long is considered abandoned by a crashed process. Default 10 000. */
  readonly staleLockMs?: number;
  /** Give up waiting for the lock after this long, with StoreError. Default 60 000. */
  readonly lockTimeoutMs?: number;
  /** Where dueUnits reports the files it skips (a damaged header); default silent. */
  readonly logger?: Logger;
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
/** The marker of the directory's format: its `fileNames` is the version of the names below. */
const FORMAT = '.format';
const FILE_NAMES = 2;
/** Windows' device names, which no file may be called even with an extension. */
const DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
/** A hashed name (both versions): a prefix, `~` and 64 hex digits. */
const HASHED = /~[0-9a-f]{64}\.json$/;

function hex(c: string): string {
  return c.charCodeAt(0).toString(16).padStart(2, '0');
}

/** Version 1 of the names: percent-encoding with upper-case letters (and `!'()*~`) escaped too; null for a lone surrogate. */
function encodedV1(key: string): string | null {
  try {
    return encodeURIComponent(key).replace(/%[0-9A-F]{2}|[A-Z!'()*~]/g, m => (m.length === 3 ? m : `%${hex(m).toUpperCase()}`));
  } catch {
    return null;
  }
}

/**
 * The file name of a key (version 2, docs/state-stores.md). The name keeps the POSIX portable
 * characters (`A-Z a-z 0-9 . _ -`) as they are and percent-encodes every other UTF-8 byte with
 * lower-case hex (the empty key is `%`; a leading `.` and the first letter of a Windows device
 * name are escaped too). When it holds upper-case letters, `~` and their positions follow
 * (`InventoryStock~0.9`): two keys differing only in case differ in the positions, so they
 * stay apart on a case-insensitive file system, and an all-lower-case name needs nothing. Keys
 * that were hashed before, and names over 200 characters, are hashed as in version 1: a prefix,
 * `~` and the SHA-256 of the exact key (the same name in both versions).
 *
 * @example
 *   fileNameFor('app/Orders/global') // 'app%2fOrders%2fglobal~6.json'
 */
export function fileNameFor(key: string): string {
  const v1 = encodedV1(key);
  const hashed = () => `${(v1 ?? '').slice(0, 100)}~${sha256Hex(Buffer.from(key, 'utf16le'))}.json`;
  if (v1 === null || v1.length > MAX_NAME) return hashed();
  let body = encodeURIComponent(key).replace(/%[0-9A-F]{2}|[!'()*~]/g, m => (m.length === 3 ? m.toLowerCase() : `%${hex(m)}`));
  if (body === '') body = '%';
  else if (body.startsWith('.')) body = `%2e${body.slice(1)}`;
  else if (DEVICE.test(body)) body = `%${hex(body)}${body.slice(1)}`;
  const upper = [...body.matchAll(/[A-Z]/g)].map(m => m.index);
  const name = upper.length === 0 ? body : `${body}~${upper.join('.')}`;
  return name.length > MAX_NAME ? hashed() : `${name}.json`;
}

/**
 * The key of a file or directory name written by version 1 (not hashed), or of a version 2 name
 * without `~`; null for the names that need no migration (hashed, or version 2 with `~`).
 */
function keyOfOldName(name: string): string | null {
  if (name.includes('~')) return null;
  if (name === '%') return '';
  try {
    return decodeURIComponent(name);
  } catch {
    return null;
  }
}

export class FileStateStore implements StateStore {
  readonly stats: StateStoreStats = { loads: 0, unitsRead: 0, commits: 0, unitsWritten: 0, bytesRead: 0, bytesWritten: 0 };
  readonly dir: string;
  private readonly lock: DirectoryLock;
  private readonly logger: Logger;
  private ready: Promise<void> | undefined;

  constructor(dir: string, options: FileStateStoreOptions = {}) {
    this.dir = path.resolve(dir);
    this.lock = new DirectoryLock(this.dir, options.staleLockMs ?? 10_000, options.lockTimeoutMs ?? 60_000);
    this.logger = options.logger ?? silentLogger;
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
      // No unit file starts with a dot (fileNameFor escapes it): the lock, journal, temp files do.
      const names = (await fs.readdir(this.dir)).filter(n => n.endsWith('.json') && !n.startsWith('.')).sort();
      const read = await Promise.all(names.map(n => this.dueHeader(n)));
      const due: [string, number][] = [];
      // Warnings in file name order, whatever order the reads finished in.
      for (const h of read) {
        if (typeof h === 'string') this.logger.warn(h);
        else if (h !== null && h.deleted !== true && typeof h.nextDue === 'number' && h.nextDue <= now) due.push([h.key, h.nextDue]);
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

  /**
   * The header of a unit file for dueUnits; null for a damaged one (a bad header, a header of
   * another key than the file's name), skipped and logged so that one file does not stop the
   * listing. Loading that unit still fails, naming it.
   */
  /** A unit file's header, null without one, or why the file is skipped. */
  private async dueHeader(name: string): Promise<Header | null | string> {
    const file = path.join(this.dir, name);
    let header: Header | null;
    try {
      header = await this.readHeader(file);
    } catch (e) {
      if (!(e instanceof StateCodecError)) throw e;
      return `dueUnits: skipped ${file}: ${e.message}`;
    }
    if (header !== null && fileNameFor(header.key) !== name) return `dueUnits: skipped ${file}: it holds state unit '${header.key}', whose file is ${fileNameFor(header.key)}`;
    return header;
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

  /** Creates the directory, and brings one written with older file names to today's (once). */
  private ensureDir(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await fs.mkdir(this.dir, { recursive: true });
      } catch (e) {
        throw storeError(`could not create ${this.dir}`, e);
      }
      if ((await this.fileNamesVersion()) === FILE_NAMES) return;
      await this.lock.withLock(async () => {
        if ((await this.fileNamesVersion()) === FILE_NAMES) return; // another process did it
        await this.migrateNames();
      });
    })().catch(e => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  /** The version of the file names in the directory: 1 when it has no marker (written before version 2). */
  private async fileNamesVersion(): Promise<number> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.dir, FORMAT), 'utf8');
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return 1;
      throw storeError(`could not read ${path.join(this.dir, FORMAT)}`, e);
    }
    let version: unknown;
    try {
      version = (JSON.parse(text) as { fileNames?: unknown }).fileNames;
    } catch {
      version = undefined;
    }
    if (version === FILE_NAMES) return FILE_NAMES;
    throw new StoreError(
      `${path.join(this.dir, FORMAT)} says file names of version ${JSON.stringify(version)}; this version of Millrace writes version ${FILE_NAMES} (written by a newer Millrace?)`,
    );
  }

  /**
   * Renames the files of version 1 (and of a migration cut short) to today's names, under the
   * lock, then writes the marker. Version 1 names are percent-encoded keys, so each decodes to
   * its key; hashed names are the same in both versions. Each rename is atomic and the marker is
   * written last, so a crash leaves a directory the next process migrates again.
   */
  private async migrateNames(): Promise<void> {
    try {
      await this.renameToKeys(this.dir, '.json');
      let tables: string[] = [];
      try {
        tables = (await fs.readdir(path.join(this.dir, ROWS), { withFileTypes: true })).filter(d => d.isDirectory()).map(d => d.name);
      } catch (e) {
        if (errorCode(e) !== 'ENOENT') throw e;
      }
      await this.renameToKeys(path.join(this.dir, ROWS), '', tables);
      for (const table of await fs.readdir(path.join(this.dir, ROWS)).catch(() => [] as string[])) {
        await this.renameToKeys(path.join(this.dir, ROWS, table), '.json');
      }
      const tmp = this.tempName();
      await this.writeDurably(tmp, Buffer.from(`${JSON.stringify({ fileNames: FILE_NAMES })}\n`, 'utf8'));
      await fs.rename(path.join(this.dir, tmp), path.join(this.dir, FORMAT));
      await syncDir(this.dir);
    } catch (e) {
      throw storeError(`could not bring the file names of ${this.dir} to version ${FILE_NAMES}`, e);
    }
  }

  /** Renames each entry named after a key (with `ext`) to that key's name today. */
  private async renameToKeys(dir: string, ext: string, entries?: readonly string[]): Promise<void> {
    const names = entries ?? (await fs.readdir(dir)).filter(n => n.endsWith(ext) && !n.startsWith(TMP_PREFIX) && !HASHED.test(n));
    for (const name of names) {
      const key = keyOfOldName(name.slice(0, name.length - ext.length));
      if (key === null) continue;
      const to = fileNameFor(key).slice(0, -'.json'.length) + ext;
      if (to !== name) await fs.rename(path.join(dir, name), path.join(dir, to));
    }
    await syncDir(dir);
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
