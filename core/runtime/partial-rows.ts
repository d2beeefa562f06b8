/**
 * What a `@store` table or aggregation knows of its store items in one run of a batch: the row
 * keys whose item (or absence) was loaded, whether all were, what the run touched without having
 * it, and what it changed. A run that needed anything answered from incomplete rows; the
 * invocation runner loads what `wanted()` lists and runs the batch again.
 *
 * @example
 *   const rows = new PartialRows<Value[]>('Stock');
 *   rows.changed('["ACME"]', ['ACME']); // not loaded yet: wanted() === ['["ACME"]']
 */
export class PartialRows<D> {
  private complete = false;
  private readonly known = new Set<string>();
  /** Row keys touched without being loaded; '*' when every row was needed. */
  private readonly needed = new Set<string>();
  /** Row key -> where the changed row lives in memory. */
  readonly dirty = new Map<string, D>();

  constructor(readonly table: string) {}

  /** A row read (or written) by key: noted as needed unless loaded. */
  touch(rowKey: string): void {
    if (!this.complete && !this.known.has(rowKey)) this.needed.add(rowKey);
  }

  /** A row this run changes. */
  changed(rowKey: string, where: D): void {
    this.touch(rowKey);
    this.dirty.set(rowKey, where);
  }

  /** A scan, read or purge that needs every row. */
  touchAll(): void {
    if (!this.complete) this.needed.add('*');
  }

  /** Rows given from the store (`complete`: all of them). */
  loaded(rowKeys: Iterable<string>, complete: boolean): void {
    for (const k of rowKeys) this.known.add(k);
    if (complete) this.complete = true;
  }

  /** What to load before running again: row keys, null for every row, undefined for nothing. */
  wanted(): string[] | null | undefined {
    if (this.complete || !this.needed.size) return undefined;
    return this.needed.has('*') ? null : [...this.needed];
  }
}
