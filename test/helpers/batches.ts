/**
 * Splits `items` into consecutive batches at the cut points (taken modulo `items.length + 1`,
 * duplicates and empty batches dropped), for properties that run any input in any batching.
 *
 * @example
 *   batches([1, 2, 3, 4], [2]) // [[1, 2], [3, 4]]
 */
export function batches<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map(c => c % (items.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const c of [...at, items.length]) {
    if (c > from) out.push(items.slice(from, c));
    from = Math.max(from, c);
  }
  return out;
}
