import { jsonTreeValue, parseJsonTree } from './mappers/json-tree';

/**
 * JSON.parse, except that an integer literal beyond 2^53 becomes an exact bigint instead of the
 * nearest double, so LONG values such as snowflake ids arrive intact. Text without a run of 16
 * digits cannot hold such a literal and takes JSON.parse alone; other text is checked by
 * JSON.parse (same errors for invalid JSON) and read again exactly, through the mappers' JSON tree.
 *
 * @example
 *   parseJsonExact('{"id":9007199254740993}') // { id: 9007199254740993n }
 */
export function parseJsonExact(text: string): unknown {
  const plain = JSON.parse(text);
  if (!/\d{16}/.test(text)) return plain;
  const tree = parseJsonTree(text);
  if (!tree.ok) throw new SyntaxError(tree.message);
  return jsonTreeValue(tree.value);
}
