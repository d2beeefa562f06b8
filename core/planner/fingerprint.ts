/**
 * A short stable hash of an AST node, ignoring positions, so that moving a query around the file
 * keeps its state but changing its text does not.
 *
 * @example
 *   fingerprint(query) // 'a3f09c1e'
 */
export function fingerprint(node: unknown): string {
  const text = JSON.stringify(node, (k, v) => (k === 'pos' || k === 'periodsPos' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
  // FNV-1a, 32 bits: collisions only matter between two versions of the same query.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
