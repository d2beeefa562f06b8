import type { Logger } from '../io/logger';
import type { StoreConditionPlan, TablePlan } from '../plan/plan';
import type { Json } from '../state/json';
import type { RowWrite, StoredRow } from '../state/state-store';
import type { StateCell, StateSpec } from '../state/state-spec';
import type { Value } from '../kernel/event';
import type { EvalCtx, TableAccess } from '../kernel/eval-context';
import { PartialRows } from './partial-rows';
import { array, row } from '../state/shape';
import { StateCodecError } from '../errors/millrace-error';
import { decodeRow, decodeValue, encodeRow, encodeValue, jsonText } from '../state/value-codec';

type Row = Value[];

const NO_ROWS: readonly Row[] = [];

type Key = Value | string;

/**
 * A map key for key values. One value is its own key (Map's SameValueZero keeps 5 and "5"
 * apart, and 5 and 5.0 together, as `==` does); several join into a string.
 */
function keyOf(vals: readonly Value[]): Key {
  if (vals.length === 1) return vals[0];
  return vals.map(v => (typeof v === 'string' ? `s${v}` : String(v))).join('\u0001');
}

/**
 * The store's key of a row: its primary-key values in the codec's form, as JSON text.
 *
 * @example
 *   rowKeyOf(['ACME', 3]) // '["ACME",3]'
 */
export function rowKeyOf(values: readonly Value[]): string {
  return JSON.stringify(encodeRow(values));
}

/**
 * A table's rows in insertion order, with the primary-key map and secondary indexes derived from
 * them. Only the rows are snapshotted; the indexes are rebuilt on restore.
 *
 * A `@store` table holds only the rows loaded for this invocation: a look-up of a key it has not
 * loaded, or a scan before all rows are loaded, is answered from what it has and noted in
 * `partial` (see PartialRows); the invocation runner then loads those rows and runs again.
 */
export class TableData {
  readonly rows = new Set<Row>();
  readonly byKey = new Map<Key, Row>();
  /** Attribute index -> value -> rows. */
  readonly byIndex = new Map<number, Map<Key, Set<Row>>>();
  /** Set for a `@store` table run by the invocation runner; null when the table holds all its rows. */
  partial: PartialRows<Value[]> | null = null;

  constructor(private readonly plan: TablePlan) {
    for (const i of plan.indexes) this.byIndex.set(i, new Map());
  }

  /** From now on the rows live in the store: this table holds only those provided (see class doc). */
  beginPartial(table: string): void {
    this.partial = new PartialRows(table);
  }

  keyOfRow(row: Row): Key {
    const pk = this.plan.primaryKey;
    return pk.length === 1 ? row[pk[0]] : keyOf(pk.map(i => row[i]));
  }

  /** Adds a row; false when the primary key is already taken. */
  add(row: Row): boolean {
    if (!this.partial) return this.put(row);
    const values = this.plan.primaryKey.map(i => row[i]);
    const rk = rowKeyOf(values);
    this.partial.touch(rk);
    if (!this.put(row)) return false;
    this.partial.changed(rk, values);
    return true;
  }

  remove(row: Row): void {
    if (!this.rows.delete(row)) return;
    if (this.partial) {
      const values = this.plan.primaryKey.map(i => row[i]);
      this.partial.changed(rowKeyOf(values), values);
    }
    if (this.plan.primaryKey.length) this.byKey.delete(this.keyOfRow(row));
    for (const [i, m] of this.byIndex) {
      const k = row[i];
      const set = m.get(k);
      if (set) {
        set.delete(row);
        if (!set.size) m.delete(k);
      }
    }
  }

  /** The rows that may satisfy the condition: a look-up when it allows one, else all rows. */
  candidates(ctx: EvalCtx, cond: StoreConditionPlan): Iterable<Row> {
    const l = cond.lookup;
    if (!l) return this.all();
    if (l.kind === 'primaryKey') {
      const values = l.keys.map(k => k(ctx));
      this.partial?.touch(rowKeyOf(values));
      const r = this.byKey.get(values.length === 1 ? values[0] : keyOf(values));
      return r ? [r] : NO_ROWS;
    }
    this.partial?.touchAll();
    const key = l.keys.length === 1 ? l.keys[0](ctx) : keyOf(l.keys.map(k => k(ctx)));
    return this.byIndex.get(l.attributes[0])?.get(key) ?? NO_ROWS;
  }

  /** Every row (for a scan). */
  all(): Iterable<Row> {
    this.partial?.touchAll();
    return this.rows;
  }

  /** Rows loaded from the store: they are the store's truth, not changes. */
  provide(rows: ReadonlyMap<string, Row | null>, complete: boolean): void {
    for (const row of rows.values()) if (row) this.put(row);
    this.partial!.loaded(rows.keys(), complete);
  }

  /** The rows this run changed, as store writes. */
  rowWrites(attributes: readonly { name: string }[]): RowWrite[] {
    const p = this.partial;
    if (!p) return [];
    const out: RowWrite[] = [];
    for (const [key, values] of p.dirty) {
      const row = this.byKey.get(values.length === 1 ? values[0] : keyOf(values));
      out.push({ table: p.table, key, row: row ? rowToStored(row, attributes) : null });
    }
    return out;
  }

  private put(row: Row): boolean {
    if (this.plan.primaryKey.length) {
      const k = this.keyOfRow(row);
      if (this.byKey.has(k)) return false;
      this.byKey.set(k, row);
    }
    this.rows.add(row);
    for (const [i, m] of this.byIndex) {
      const k = row[i];
      let set = m.get(k);
      if (!set) m.set(k, (set = new Set()));
      set.add(row);
    }
    return true;
  }
}

/** A row as the store keeps it: attribute name -> value in the codec's form. */
export function rowToStored(row: Row, attributes: readonly { name: string }[]): StoredRow {
  const out: Record<string, Json> = {};
  attributes.forEach((a, i) => (out[a.name] = encodeValue(row[i])));
  return out;
}

/** A stored row back as a row of the table's attributes (a missing attribute reads as null). */
export function rowFromStored(stored: StoredRow, attributes: readonly { name: string }[]): Row {
  return attributes.map(a => decodeValue(stored[a.name] ?? null));
}

export function tableSpec(plan: TablePlan): StateSpec<TableData> {
  return {
    version: 1,
    shape: array(row(plan.attributes.map(a => a.type))),
    create: () => new TableData(plan),
    // A @store table run by the invocation runner keeps its rows as items of their own (rowWrites).
    snapshot: t => (t.partial ? [] : ([...t.rows].map(encodeRow) as Json)),
    restore: j => {
      const t = new TableData(plan);
      (j as Json[][]).forEach((r, i) => {
        if (!t.add(decodeRow(r))) throw new StateCodecError(`row ${i} repeats the primary key of an earlier row, at .s[${i}]`);
      });
      return t;
    },
  };
}

/**
 * The operations queries and on-demand queries perform on one table. Conditions read the probe
 * from the context and each stored row from `ctx.row`.
 */
export class TableRuntime implements TableAccess {
  constructor(
    readonly plan: TablePlan,
    private readonly cell: StateCell<TableData>,
    private readonly logger: Logger,
    private readonly appName: string,
  ) {}

  get data(): TableData {
    return this.cell.value;
  }

  insert(row: Row): void {
    if (!this.cell.value.add(row.slice()))
      this.logger.error(
        `Error in '${this.appName}': dropping event ${jsonText(row)} inserted into table '${this.plan.id}', as there is already an event stored with primary key ${JSON.stringify(this.plan.primaryKey.map(i => row[i]))}`,
      );
  }

  /** Every stored row satisfying the condition (a copy of the list, safe to modify the table after). */
  find(ctx: EvalCtx, cond: StoreConditionPlan): Row[] {
    const out: Row[] = [];
    const saved = ctx.row;
    for (const r of this.cell.value.candidates(ctx, cond)) {
      ctx.row = r;
      if (cond.matches(ctx) === true) out.push(r);
    }
    ctx.row = saved;
    return out;
  }

  exists(ctx: EvalCtx, cond: StoreConditionPlan): boolean {
    const saved = ctx.row;
    try {
      for (const r of this.cell.value.candidates(ctx, cond)) {
        ctx.row = r;
        if (cond.matches(ctx) === true) return true;
      }
      return false;
    } finally {
      ctx.row = saved;
    }
  }

  delete(ctx: EvalCtx, cond: StoreConditionPlan): number {
    const rows = this.find(ctx, cond);
    for (const r of rows) this.cell.value.remove(r);
    return rows.length;
  }

  /** Updates every matching row; returns how many matched. */
  update(ctx: EvalCtx, cond: StoreConditionPlan, set: readonly { index: number; value: (ctx: EvalCtx) => Value }[]): number {
    const rows = this.find(ctx, cond);
    const saved = ctx.row;
    for (const r of rows) {
      ctx.row = r;
      const next = r.slice();
      for (const s of set) next[s.index] = s.value(ctx);
      this.cell.value.remove(r);
      if (!this.cell.value.add(next)) {
        this.cell.value.add(r);
        this.logger.error(`Error in '${this.appName}': update of table '${this.plan.id}' would give two rows the primary key ${jsonText(this.plan.primaryKey.map(i => next[i]))}; row left unchanged`);
      }
    }
    ctx.row = saved;
    return rows.length;
  }
}
