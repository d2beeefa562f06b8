/**
 * Turns a state unit's snapshot into stored text and back, inside a versioned envelope
 * `{"format":1,"state":...}` so that a later Millrace can recognise (or refuse) what an earlier
 * one wrote.
 *
 * Encoding walks the value once before JSON.stringify: JSON.stringify silently turns NaN and
 * Infinity into null, drops undefined and functions and flattens class instances, which would
 * store corrupt state without a trace. Such values are engine bugs, so they fail loudly with the
 * path of the culprit.
 *
 * @example
 *   const text = encodeUnit({ count: 2 }); // '{"format":1,"state":{"count":2}}'
 *   decodeUnit(text); // { count: 2 }
 */
import { StateCodecError } from '../errors/millrace-error';
import type { Json } from './json';

const FORMAT = 1;
const PREFIX = `{"format":${FORMAT},"state":`;
const MAX_DEPTH = 1000;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Path from the root to the value being checked; only turned into text on failure. */
const path: (string | number)[] = [];
const ancestors: object[] = [];

function fail(what: string): never {
  let where = 'state';
  for (const seg of path) {
    if (typeof seg === 'number') where += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) where += `.${seg}`;
    else where += `[${JSON.stringify(seg)}]`;
  }
  throw new StateCodecError(`${where} ${what}; state must be JSON-safe`);
}

function describeObject(v: object): string {
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== '' ? ctor.name : 'object';
  return `an instance of ${name} (only plain objects and arrays are allowed)`;
}

/** Throws on anything JSON.stringify would not round-trip; returns whether a -0 was seen. */
function check(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return false;
    case 'number':
      if (v !== v) fail('is NaN');
      if (v === Infinity) fail('is Infinity');
      if (v === -Infinity) fail('is -Infinity');
      return v === 0 && 1 / v < 0;
    case 'undefined':
      return fail('is undefined');
    case 'function':
      return fail('is a function');
    case 'bigint':
      return fail(`is a bigint (${String(v)}n)`);
    case 'symbol':
      return fail('is a symbol');
  }
  if (v === null) return false;
  const o = v as object;
  if (ancestors.indexOf(o) !== -1) fail('is a circular reference');
  if (depth >= MAX_DEPTH) fail(`is nested more than ${MAX_DEPTH} levels deep`);
  let negativeZero = false;
  ancestors.push(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      path.push(i);
      if (check(o[i], depth + 1)) negativeZero = true;
      path.pop();
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) fail(`is ${describeObject(o)}`);
    const rec = o as Record<string, unknown>;
    for (const k in rec) {
      path.push(k);
      if (check(rec[k], depth + 1)) negativeZero = true;
      path.pop();
    }
  }
  ancestors.pop();
  return negativeZero;
}

/** JSON.stringify, except that -0 is written as -0 (JSON.parse reads it back as -0). */
function stringifyExact(v: Json): string {
  if (typeof v === 'number') return v === 0 && 1 / v < 0 ? '-0' : JSON.stringify(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stringifyExact).join(',')}]`;
  const parts: string[] = [];
  for (const k in v) parts.push(`${JSON.stringify(k)}:${stringifyExact(v[k])}`);
  return `{${parts.join(',')}}`;
}

/**
 * Encodes a snapshot as envelope text. Every number round-trips exactly (including -0); values
 * that are not JSON-safe throw StateCodecError naming their path.
 *
 * @example
 *   encodeUnit({ w: [1, -0] }) === '{"format":1,"state":{"w":[1,-0]}}';
 *   encodeUnit({ w: [NaN] }); // throws StateCodecError: state.w[0] is NaN; ...
 */
export function encodeUnit(value: Json): string {
  path.length = 0;
  ancestors.length = 0;
  const negativeZero = check(value, 0);
  return `${PREFIX}${negativeZero ? stringifyExact(value) : JSON.stringify(value)}}`;
}

/**
 * Decodes envelope text written by encodeUnit. Garbage, or an envelope of another format, throws
 * StateCodecError.
 *
 * @example
 *   decodeUnit('{"format":1,"state":[1,2]}'); // [1, 2]
 */
export function decodeUnit(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new StateCodecError(`stored state is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.hasOwn(parsed, 'format')) {
    throw new StateCodecError(`stored state is not a Millrace state envelope (expected {"format":${FORMAT},"state":...})`);
  }
  const envelope = parsed as { format: unknown; state?: Json };
  if (envelope.format !== FORMAT) {
    throw new StateCodecError(
      `stored state has format ${JSON.stringify(envelope.format)}, but this version of Millrace reads format ${FORMAT}`,
    );
  }
  if (!Object.hasOwn(envelope, 'state')) throw new StateCodecError('stored state envelope has no "state" field');
  return envelope.state as Json;
}
