import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import { javaDoubleToString, javaFloatToString, javaIntToString, javaLongToString } from '../../kernel/java-text';

/** Java's `String.hashCode()`. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** `String.valueOf(value)` in Java for an attribute of `type`. */
export function javaValueString(v: Value, type: AttrType): string {
  if (v === null) return 'null';
  switch (type) {
    case 'INT':
      return javaIntToString(v as number);
    case 'LONG':
      return javaLongToString(v as number);
    case 'FLOAT':
      return javaFloatToString(v as number);
    case 'DOUBLE':
      return javaDoubleToString(v as number);
    default:
      return String(v);
  }
}

/**
 * The key Siddhi's frequent windows count an event under: the Java strings of the chosen
 * attributes (or of all of them) concatenated without a separator.
 */
export function frequencyKey(data: readonly Value[], indices: readonly number[], types: readonly AttrType[]): string {
  let s = '';
  for (const i of indices) s += javaValueString(data[i], types[i]);
  return s;
}

interface Node {
  readonly key: string;
  readonly hash: number;
}

const spread = (h: number) => (h ^ (h >>> 16)) & 0x7fffffff;
const TREEIFY_THRESHOLD = 8;
const MIN_TREEIFY_CAPACITY = 64;

/**
 * The iteration order of the keys of a Java `ConcurrentHashMap<String, ?>` used by one thread:
 * Siddhi's frequent and lossyFrequent windows expire events in the order they walk their count
 * map, so that order is part of their output. Follows the JDK's bins (16 to start; insertion at
 * the tail of a bin; doubling when the size reaches 3/4 of the table, a bin splitting into a
 * reversed prefix and the unchanged last run; a bin reaching 8 keys in a table smaller than 64
 * grows the table). Bins that the JDK turns into trees (8+ keys in one bin of a table of 64 or
 * more, which takes many colliding keys) are kept as lists here.
 */
export class JavaHashOrder {
  private bins: Node[][];
  private count = 0;

  constructor(capacity = 16) {
    this.bins = Array.from({ length: capacity }, () => []);
  }

  get capacity(): number {
    return this.bins.length;
  }

  /**
   * What is wrong with a stored capacity and key order, or null: a capacity is a power of two from
   * 16 (up to 2^24, a bound on what a restore allocates) above the keys under the load factor, and
   * the keys come in the order the map walks them (else `of` would reorder them).
   */
  static problem(capacity: number, keys: readonly string[]): string | null {
    if (!Number.isInteger(capacity) || capacity < 16 || capacity > 2 ** 24 || (capacity & (capacity - 1)) !== 0)
      return `capacity ${capacity} is not a power of two from 16 to 2^24`;
    if (keys.length > capacity * 0.75) return `capacity ${capacity} is too small for ${keys.length} keys`;
    let last = -1;
    for (let i = 0; i < keys.length; i++) {
      const bin = spread(javaStringHash(keys[i])) & (capacity - 1);
      if (bin < last) return `key ${i} is out of the map's order`;
      last = bin;
    }
    return null;
  }

  /** A map of `capacity` holding `keys`, which are in the map's iteration order. */
  static of(capacity: number, keys: readonly string[]): JavaHashOrder {
    const m = new JavaHashOrder(capacity);
    for (const key of keys) {
      const hash = spread(javaStringHash(key));
      m.bins[hash & (capacity - 1)].push({ key, hash });
    }
    m.count = keys.length;
    return m;
  }

  /** `put` of a key that is not in the map. */
  add(key: string): void {
    const hash = spread(javaStringHash(key));
    const bin = this.bins[hash & (this.bins.length - 1)];
    const before = bin.length;
    bin.push({ key, hash });
    if (before >= TREEIFY_THRESHOLD) this.treeifyBin();
    this.count++;
    while (this.count >= this.sizeCtl()) this.transfer();
  }

  /** `put` of a key already in the map (a new value): the key stays where it is. */
  touch(key: string): void {
    const hash = spread(javaStringHash(key));
    const bin = this.bins[hash & (this.bins.length - 1)];
    const position = bin.findIndex(n => n.key === key) + 1;
    if (position >= TREEIFY_THRESHOLD) this.treeifyBin();
  }

  remove(key: string): void {
    const hash = spread(javaStringHash(key));
    const bin = this.bins[hash & (this.bins.length - 1)];
    const i = bin.findIndex(n => n.key === key);
    if (i >= 0) {
      bin.splice(i, 1);
      this.count--;
    }
  }

  /** The keys in iteration order. */
  keys(): string[] {
    const out: string[] = [];
    for (const bin of this.bins) for (const n of bin) out.push(n.key);
    return out;
  }

  private sizeCtl(): number {
    const n = this.bins.length;
    return n - (n >>> 2);
  }

  /** A long bin in a small table makes the table grow (tryPresize(2n)) instead of becoming a tree. */
  private treeifyBin(): void {
    const n = this.bins.length;
    if (n >= MIN_TREEIFY_CAPACITY) return;
    const size = n << 1;
    let c = 1;
    while (c < size + (size >>> 1) + 1) c <<= 1;
    while (c > this.sizeCtl() && this.bins.length < 1 << 30) this.transfer();
  }

  /** Doubles the table the way ConcurrentHashMap.transfer splits each bin. */
  private transfer(): void {
    const n = this.bins.length;
    const next: Node[][] = Array.from({ length: n << 1 }, () => []);
    for (let i = 0; i < n; i++) {
      const bin = this.bins[i];
      if (!bin.length) continue;
      let runBit = bin[0].hash & n;
      let lastRun = 0;
      for (let p = 1; p < bin.length; p++) {
        const b = bin[p].hash & n;
        if (b !== runBit) {
          runBit = b;
          lastRun = p;
        }
      }
      const run = bin.slice(lastRun);
      let low: Node[] = runBit === 0 ? run : [];
      let high: Node[] = runBit === 0 ? [] : run;
      for (let p = 0; p < lastRun; p++) {
        const node = bin[p];
        if ((node.hash & n) === 0) low = [node, ...low];
        else high = [node, ...high];
      }
      next[i] = low;
      next[i + n] = high;
    }
    this.bins = next;
  }
}
