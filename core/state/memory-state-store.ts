/**
 * A StateStore in memory, for tests, benchmarks and single-process runs. Units are kept as
 * encoded text, so every load goes through the codec exactly like a real store would, and state
 * that does not survive encoding fails here too.
 *
 * @example
 *   const store = new MemoryStateStore();
 *   await store.commit([{ key: 'k', value: { n: 1 }, expectedVersion: null }]); // Map { 'k' => 1 }
 *   store.stats.unitsWritten === 1;
 */
import { StateConflictError } from '../errors/millrace-error';
import { decodeUnit, encodeUnit } from './snapshot-codec';
import {
  checkDueQuery,
  checkRowWrites,
  checkUnitWrites,
  type RowWrite,
  type StateStore,
  type StateStoreStats,
  type StoredRow,
  type StoredUnit,
  type UnitWrite,
} from './state-store';

interface Slot {
  /** Last version written; kept after a delete so a re-created unit never reuses a version. */
  version: number;
  /** Null once deleted. */
  text: string | null;
  nextDue: number | null;
}

/** UTF-8 length without TextEncoder (core has no DOM or Node globals). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: two UTF-16 units, four bytes
      i++;
    } else {
      n += 2;
    }
  }
  return n;
}

export class MemoryStateStore implements StateStore {
  readonly stats: StateStoreStats = { loads: 0, unitsRead: 0, commits: 0, unitsWritten: 0, bytesRead: 0, bytesWritten: 0, rowsRead: 0, rowsWritten: 0 };
  private readonly slots = new Map<string, Slot>();
  /** `@store` tables: table -> row key -> encoded row. */
  private readonly tables = new Map<string, Map<string, string>>();

  async loadRows(table: string, keys: readonly string[] | null): Promise<Map<string, StoredRow>> {
    const rows = this.tables.get(table);
    const out = new Map<string, StoredRow>();
    if (!rows) return out;
    for (const key of keys ?? rows.keys()) {
      const text = rows.get(key);
      if (text === undefined) continue;
      out.set(key, decodeUnit(text) as StoredRow);
      this.stats.rowsRead!++;
      this.stats.bytesRead += utf8Length(text);
    }
    return out;
  }

  async load(keys: readonly string[]): Promise<Map<string, StoredUnit>> {
    this.stats.loads++;
    const out = new Map<string, StoredUnit>();
    for (const key of keys) {
      const slot = this.slots.get(key);
      if (slot === undefined || slot.text === null || out.has(key)) continue;
      out.set(key, { key, version: slot.version, value: decodeUnit(slot.text) });
      this.stats.unitsRead++;
      this.stats.bytesRead += utf8Length(slot.text);
    }
    return out;
  }

  async commit(writes: readonly UnitWrite[], rows: readonly RowWrite[] = []): Promise<Map<string, number>> {
    checkUnitWrites(writes);
    checkRowWrites(rows);
    // Encode everything before touching a slot: a bad value must leave every unit as it was.
    const texts = writes.map(w => (w.value === null ? null : encodeUnit(w.value)));
    const rowTexts = rows.map(r => (r.row === null ? null : encodeUnit(r.row)));
    for (const w of writes) {
      const slot = this.slots.get(w.key);
      const current = slot === undefined || slot.text === null ? null : slot.version;
      if (current !== w.expectedVersion) throw new StateConflictError(w.key, w.expectedVersion, current);
    }
    const versions = new Map<string, number>();
    let written = 0;
    let bytes = 0;
    writes.forEach((w, i) => {
      const text = texts[i];
      const slot = this.slots.get(w.key);
      if (text === null) {
        // Deleting what does not exist changes nothing.
        if (slot === undefined || slot.text === null) return;
        slot.version++;
        slot.text = null;
        slot.nextDue = null;
      } else {
        const version = (slot?.version ?? 0) + 1;
        this.slots.set(w.key, { version, text, nextDue: w.nextDue ?? null });
        versions.set(w.key, version);
        bytes += utf8Length(text);
      }
      written++;
    });
    rows.forEach((r, i) => {
      let table = this.tables.get(r.table);
      if (!table) this.tables.set(r.table, (table = new Map()));
      const text = rowTexts[i];
      if (text === null) table.delete(r.key);
      else {
        table.set(r.key, text);
        bytes += utf8Length(text);
      }
    });
    this.stats.rowsWritten! += rows.length;
    this.stats.commits++;
    this.stats.unitsWritten += written;
    this.stats.bytesWritten += bytes;
    return versions;
  }

  /** A scan: fine for the few units a test or a single process holds. */
  async dueUnits(now: number, limit: number): Promise<string[]> {
    checkDueQuery(now, limit);
    const due: [string, number][] = [];
    for (const [key, slot] of this.slots) {
      if (slot.text !== null && slot.nextDue !== null && slot.nextDue <= now) due.push([key, slot.nextDue]);
    }
    due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return due.slice(0, limit).map(([key]) => key);
  }
}
