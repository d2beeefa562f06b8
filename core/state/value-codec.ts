import { ProcessingError } from '../errors/millrace-error';
import type { Json } from './json';
import type { Value } from '../kernel/event';
import { longOf } from '../kernel/java-num';

/**
 * Turns attribute values into JSON-safe values for snapshots and back. Plain strings, booleans,
 * finite numbers and null pass through untouched (the common case costs one typeof); the rest
 * (LONGs beyond 2^53 as `{"$long":"digits"}`, sets, lists, maps, non-finite numbers, errors) get a
 * one-key tagged object.
 *
 * @example
 *   decodeValue(encodeValue(new Set(['a']))) // Set {'a'}
 */
export function encodeValue(v: Value): Json {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      // JSON has no -0: Java's -0.0 is kept as text, like the infinities and NaN.
      return Number.isFinite(v) && !Object.is(v, -0) ? v : { $num: Object.is(v, -0) ? '-0' : String(v) };
    case 'bigint':
      return { $long: v.toString() };
    case 'object':
      if (v === null) return null;
      if (v instanceof Set) return { $set: [...v].map(x => encodeValue(x as Value)) };
      if (v instanceof Map) return { $map: [...v].map(([k, x]) => [encodeValue(k as Value), encodeValue(x as Value)]) };
      if (Array.isArray(v)) return { $list: v.map(x => encodeValue(x as Value)) };
      if (v instanceof Error) return { $error: v.message };
      return { $obj: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x as Value)])) };
    default:
      return null;
  }
}

export function decodeValue(j: Json): Value {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map(decodeValue);
  if ('$num' in j) return Number(j.$num);
  if ('$long' in j) return longOf(BigInt(String(j.$long)));
  if ('$set' in j) return new Set((j.$set as Json[]).map(decodeValue));
  if ('$map' in j) return new Map((j.$map as [Json, Json][]).map(([k, x]) => [decodeValue(k), decodeValue(x)]));
  if ('$list' in j) return (j.$list as Json[]).map(decodeValue);
  if ('$error' in j) return new ProcessingError(String(j.$error));
  if ('$obj' in j) return Object.fromEntries(Object.entries(j.$obj as Record<string, Json>).map(([k, x]) => [k, decodeValue(x)]));
  return j;
}

export function encodeRow(data: readonly Value[]): Json[] {
  const out = new Array<Json>(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = typeof v === 'object' || typeof v === 'bigint' || (typeof v === 'number' && !Number.isFinite(v)) ? encodeValue(v) : (v as Json);
  }
  return out;
}

export function decodeRow(data: readonly Json[]): Value[] {
  const out = new Array<Value>(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = v !== null && typeof v === 'object' ? decodeValue(v) : v;
  }
  return out;
}

/**
 * A value as it should appear in JSON output: sets and lists as arrays, maps as objects, a LONG
 * beyond 2^53 as its bigint (write it with `jsonText`, which prints it as an exact JSON number),
 * NaN and infinities as null (as the Siddhi oracle prints them; JSON has no such numbers).
 */
export function toOutputJson(v: Value): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  if (v instanceof Set || Array.isArray(v)) return [...v].map(x => toOutputJson(x as Value));
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toOutputJson(x as Value)]));
  if (v instanceof Error) return v.message;
  return v;
}

/**
 * JSON text of an output value (see toOutputJson), with bigints written as exact JSON numbers:
 * JSON.stringify cannot write them, and a double could not hold them.
 *
 * @example
 *   jsonText([1, 9007199254740993n, 'a']) === '[1,9007199254740993,"a"]'
 */
export function jsonText(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  // JSON.stringify writes Java's -0.0 as 0; `-0` is a JSON number too.
  if (v === 0 && Object.is(v, -0)) return '-0';
  if (v === null || typeof v !== 'object') return v === undefined ? 'null' : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(`${JSON.stringify(k)}:${jsonText(x)}`);
  return `{${parts.join(',')}}`;
}
