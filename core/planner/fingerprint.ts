/**
 * A short stable hash of an AST node, ignoring positions, so that moving a query around the file
 * keeps its state but changing its text does not.
 *
 * @example
 *   fingerprint(query) // 'a3f09c1e'
 */
export function fingerprint(node: unknown): string {
  const text = jsonWithoutPositions(node);
  // FNV-1a, 32 bits: collisions only matter between two versions of the same query.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const SKIPPED_KEYS = new Set(['pos', 'periodsPos']);

type Frame = { readonly items: readonly unknown[]; i: number } | { readonly obj: Record<string, unknown>; readonly keys: readonly string[]; i: number; wrote: boolean };

/**
 * Exactly `JSON.stringify(node, (k, v) => (k === 'pos' || k === 'periodsPos' ? undefined : v))`
 * (the text fingerprints have always hashed: state names depend on it), written with a stack of
 * its own instead of recursion: a chain of thousands of binary operators is that deep. A bigint
 * (a LONG literal beyond 2^53, which older code held as a double) is written as `"<digits>n"`.
 */
export function jsonWithoutPositions(node: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const write = (v: unknown, inArray: boolean): void => {
    if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) {
        out.push('[');
        stack.push({ items: v, i: 0 });
      } else {
        out.push('{');
        stack.push({ obj: v as Record<string, unknown>, keys: Object.keys(v), i: 0, wrote: false });
      }
      return;
    }
    // A LONG literal beyond 2^53 is a bigint, which JSON.stringify cannot write.
    const text = typeof v === 'bigint' ? `"${v}n"` : JSON.stringify(v);
    out.push(text === undefined ? (inArray ? 'null' : '') : text);
  };
  const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';
  write(node, true);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if ('items' in top) {
      if (top.i >= top.items.length) {
        out.push(']');
        stack.pop();
        continue;
      }
      if (top.i > 0) out.push(',');
      write(top.items[top.i++], true);
      continue;
    }
    let key: string | undefined;
    while (top.i < top.keys.length) {
      const k = top.keys[top.i++]!;
      if (!SKIPPED_KEYS.has(k) && !omitted(top.obj[k])) {
        key = k;
        break;
      }
    }
    if (key === undefined) {
      out.push('}');
      stack.pop();
      continue;
    }
    if (top.wrote) out.push(',');
    top.wrote = true;
    out.push(`${JSON.stringify(key)}:`);
    write(top.obj[key], false);
  }
  return out.join('');
}
