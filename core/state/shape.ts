/**
 * Shapes: what a stored snapshot must look like (type and layout), checked before a StateSpec
 * restores it. A restore either gets exactly what a snapshot of its version wrote, or fails with
 * a StateCodecError saying where and what is wrong (`expected a finite number at .s, found string
 * "abc"`); nothing damaged reaches the operators, so none of them can hang or fail obscurely on it.
 *
 * A shape accepts everything a spec's snapshot writes, at every version it restores, and nothing
 * its restore would silently change (a duplicate map key, a reference past the end of a list):
 * restoring what a shape accepts, then taking a snapshot, gives the same JSON back.
 *
 * @example
 *   const timers = array(tuple(num(), str()));
 *   check(timers, [[1000, 'q/0/window']], '.s'); // passes
 *   check(timers, [[1000]], '.s'); // throws StateCodecError: expected an array of 2 at .s[0], found an array of 1
 */
import { StateCodecError } from '../errors/millrace-error';
import { JAVA_LIMITS } from '../kernel/java-num';

/** Checks `v` (found at path `at`); throws StateCodecError when it does not fit. */
export interface Shape {
  /** What the shape accepts, as an error message names it ("a finite number"). */
  readonly expected: string;
  /** Whether `v` is of the right kind at the top (an array, a string...), before its parts are checked. */
  top(v: unknown): boolean;
  check(v: unknown, at: string): void;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The path of a record field or dictionary key below `at`. */
export function fieldPath(at: string, key: string): string {
  return IDENT.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
}

/** A short description of what was found, for error messages. */
export function describeFound(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/** Throws the StateCodecError of a mismatch at `at`. */
export function mismatch(expected: string, at: string, found: unknown): never {
  throw new StateCodecError(`expected ${expected}${at ? ` at ${at}` : ''}, found ${describeFound(found)}`);
}

/** Throws the StateCodecError of a value of the right type that breaks a rule (a duplicate key, an index out of range). */
export function invalid(at: string, what: string): never {
  throw new StateCodecError(at ? `${what} at ${at}` : what);
}

export function check(shape: Shape, v: unknown, at: string): void {
  shape.check(v, at);
}

function leaf(expected: string, ok: (v: unknown) => boolean): Shape {
  return {
    expected,
    top: ok,
    check(v, at) {
      if (!ok(v)) mismatch(expected, at, v);
    },
  };
}

const NUM = leaf('a finite number', v => typeof v === 'number' && Number.isFinite(v));
const INT = leaf('an integer', v => typeof v === 'number' && Number.isInteger(v));
const STR = leaf('a string', v => typeof v === 'string');
const BOOL = leaf('a boolean', v => typeof v === 'boolean');
const NULL = leaf('null', v => v === null);
const ANY = leaf('a JSON value', () => true);

/** A finite number. */
export const num = (): Shape => NUM;
/** An integral number (JSON has no other kind of integer). */
export const int = (): Shape => INT;
export const str = (): Shape => STR;
export const bool = (): Shape => BOOL;
export const nul = (): Shape => NULL;
/** Anything: for state that is itself any JSON value. */
export const json = (): Shape => ANY;

/** One of the given JSON constants. */
export function literal(...values: readonly (string | number | boolean | null)[]): Shape {
  const expected = values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map(x => JSON.stringify(x)).join(', ')}`;
  return leaf(expected, v => values.some(x => Object.is(x, v) || (x === 0 && v === 0)));
}

export function nullable(of: Shape): Shape {
  return {
    expected: `${of.expected} or null`,
    check(v, at) {
      if (v === null) return;
      if (!of.top(v)) mismatch(`${of.expected} or null`, at, v);
      of.check(v, at);
    },
    top: v => v === null || of.top(v),
  };
}

export function array(of: Shape): Shape {
  const expected = `an array of ${of.expected}`;
  return {
    expected: 'an array',
    top: Array.isArray,
    check(v, at) {
      if (!Array.isArray(v)) mismatch(expected, at, v);
      for (let i = 0; i < v.length; i++) of.check(v[i], `${at}[${i}]`);
    },
  };
}

/** An array of exactly these items. */
export function tuple(...items: readonly Shape[]): Shape {
  const expected = `an array of ${items.length}`;
  return {
    expected,
    top: v => Array.isArray(v) && v.length === items.length,
    check(v, at) {
      if (!Array.isArray(v) || v.length !== items.length) mismatch(expected, at, v);
      for (let i = 0; i < items.length; i++) items[i].check(v[i], `${at}[${i}]`);
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Marks a record field as optional (absent is fine; present must fit). */
export interface Optional {
  readonly optional: Shape;
}
export const optional = (of: Shape): Optional => ({ optional: of });

/** An object with exactly these fields (optional ones may be absent), nothing else. */
export function record(fields: { readonly [k: string]: Shape | Optional }): Shape {
  const names = Object.keys(fields);
  const expected = `an object with ${names.map(n => JSON.stringify(n)).join(', ') || 'no fields'}`;
  return {
    expected,
    top: isObject,
    check(v, at) {
      if (!isObject(v)) mismatch(expected, at, v);
      for (const k of Object.keys(v)) if (!Object.hasOwn(fields, k)) invalid(fieldPath(at, k), `unexpected field ${JSON.stringify(k)}`);
      for (const k of names) {
        const f = fields[k];
        if ('optional' in f) {
          if (Object.hasOwn(v, k)) f.optional.check(v[k], fieldPath(at, k));
        } else {
          if (!Object.hasOwn(v, k)) mismatch(f.expected, fieldPath(at, k), undefined);
          f.check(v[k], fieldPath(at, k));
        }
      }
    },
  };
}

/** An object used as a map: any keys, every value of one shape. */
export function dict(of: Shape): Shape {
  const expected = `an object of ${of.expected}`;
  return {
    expected: 'an object',
    top: isObject,
    check(v, at) {
      if (!isObject(v)) mismatch(expected, at, v);
      for (const k of Object.keys(v)) of.check(v[k], fieldPath(at, k));
    },
  };
}

/** The first alternative whose top level fits decides (so that its message points deepest). */
export function oneOf(...alternatives: readonly Shape[]): Shape {
  const expected = alternatives.map(a => a.expected).join(' or ');
  return {
    expected,
    top: v => alternatives.some(a => a.top(v)),
    check(v, at) {
      // Several alternatives may look alike at the top (two records): the first that fits wins;
      // when none fits, the first one's complaint says why.
      let first: unknown;
      for (const a of alternatives) {
        if (!a.top(v)) continue;
        try {
          return a.check(v, at);
        } catch (e) {
          first ??= e;
        }
      }
      if (first !== undefined) throw first;
      mismatch(expected, at, v);
    },
  };
}

/**
 * A shape with a further rule on what fits it: `rule` returns what is wrong (with the path of the
 * culprit relative to `at`, or none), or null.
 *
 * @example
 *   const sorted = refine(array(num()), v => (v as number[]).some((x, i) => i > 0 && x < (v as number[])[i - 1]) ? 'not in ascending order' : null);
 */
export function refine(of: Shape, rule: (v: never, at: string) => string | null): Shape {
  return {
    expected: of.expected,
    top: v => of.top(v),
    check(v, at) {
      of.check(v, at);
      const problem = rule(v as never, at);
      if (problem !== null) invalid(at, problem);
    },
  };
}

/** A shape defined later (for recursive layouts). */
export function lazy(get: () => Shape): Shape {
  return {
    get expected() {
      return get().expected;
    },
    top: v => get().top(v),
    check: (v, at) => get().check(v, at),
  };
}

/** An array whose items' keys (by `keyOf`) are distinct: it restores into a map. */
export function uniqueBy(of: Shape, keyOf: (item: never) => string): Shape {
  return refine(array(of), (v: unknown[]) => {
    const seen = new Set<string>();
    for (let i = 0; i < v.length; i++) {
      const k = keyOf(v[i] as never);
      if (seen.has(k)) return `duplicate key ${JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}...` : k)} (item ${i})`;
      seen.add(k);
    }
    return null;
  });
}

/** Numbers JSON cannot write: the non-finite ones and Java's -0.0. */
const NOT_JSON_NUMBER = literal('NaN', 'Infinity', '-Infinity', '-0');

/** The digits of a LONG beyond 2^53 (safe ones are plain numbers: one form per value). */
const LONG_DIGITS = refine(str(), (s: string) => {
  if (!/^-?[1-9]\d*$/.test(s)) return `expected the decimal digits of a long, found ${JSON.stringify(s)}`;
  const b = BigInt(s);
  if (b >= -9007199254740991n && b <= 9007199254740991n) return `a long within 2^53 is a plain number, found ${JSON.stringify(s)}`;
  return b < JAVA_LIMITS.LONG_MIN || b > JAVA_LIMITS.LONG_MAX ? `${s} is beyond the long range` : null;
});

/**
 * A number as value-codec.ts encodes one: finite, `{"$num": "NaN" | "Infinity" | "-Infinity" | "-0"}`,
 * or an exact LONG beyond 2^53 as `{"$long": "digits"}`. For sums, extremes and the like.
 */
export const numeric = (): Shape => NUMERIC_VALUE;

const NUMERIC_VALUE: Shape = {
  expected: 'a number',
  top: v => typeof v === 'number' || (isObject(v) && Object.keys(v).length === 1 && ('$num' in v || '$long' in v)),
  check(v, at) {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) mismatch('a number', at, v);
      return;
    }
    if (!NUMERIC_VALUE.top(v)) mismatch('a number', at, v);
    VALUE.check(v, at);
  },
};

/**
 * An attribute value as value-codec.ts encodes it: a string, boolean, finite number or null, or
 * a one-key tagged object (`$num` for a non-finite number, `$set`, `$map`, `$list`, `$error`,
 * `$obj`). Sets and maps may not repeat a plain value (they would restore smaller).
 */
export const value = (): Shape => VALUE;

const VALUE: Shape = {
  expected: 'an attribute value',
  top: v => v === null || typeof v !== 'object' || isObject(v),
  check(v, at) {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) mismatch('an attribute value', at, v);
      return;
    }
    if (!isObject(v)) mismatch('an attribute value', at, v);
    const keys = Object.keys(v);
    if (keys.length !== 1) mismatch('an attribute value (a string, number, boolean, null or a one-key tagged object)', at, v);
    const tag = keys[0];
    const inner = fieldPath(at, tag);
    switch (tag) {
      case '$num':
        return NOT_JSON_NUMBER.check(v.$num, inner);
      case '$long':
        return LONG_DIGITS.check(v.$long, inner);
      case '$set':
      case '$list':
        array(VALUE).check(v[tag], inner);
        if (tag === '$set') distinctPlain(v.$set as unknown[], x => x, inner);
        return;
      case '$map':
        array(tuple(VALUE, VALUE)).check(v.$map, inner);
        return distinctPlain(v.$map as [unknown, unknown][], p => p[0], inner);
      case '$error':
        return STR.check(v.$error, inner);
      case '$obj':
        return dict(VALUE).check(v.$obj, inner);
      default:
        invalid(at, `unknown value tag ${JSON.stringify(tag)}`);
    }
  },
};

/** Plain values (not tagged objects, which restore as distinct objects) may not repeat. */
function distinctPlain<T>(items: readonly T[], keyOf: (x: T) => unknown, at: string): void {
  const seen = new Set<unknown>();
  for (let i = 0; i < items.length; i++) {
    const k = keyOf(items[i]);
    if (k !== null && typeof k === 'object') {
      // Non-finite numbers and exact longs restore as values, which a set or map may not repeat.
      const tag = '$num' in k ? '$num' : '$long' in k ? '$long' : undefined;
      if (tag === undefined) continue;
      const id = `${tag}:${String((k as Record<string, unknown>)[tag])}`;
      if (seen.has(id)) invalid(`${at}[${i}]`, 'duplicate element');
      seen.add(id);
      continue;
    }
    if (seen.has(k)) invalid(`${at}[${i}]`, 'duplicate element');
    seen.add(k);
  }
}

const ROW = array(VALUE);
const EVENT = tuple(NUM, ROW);

const INT_VALUE = nullable(INT);
/** A LONG: an integer, or beyond 2^53 its exact digits. */
const LONG_VALUE = oneOf(nul(), INT, record({ $long: LONG_DIGITS }));
const NUMBER_VALUE = oneOf(nul(), NUM, record({ $num: NOT_JSON_NUMBER }));
const BY_TYPE: Record<string, Shape> = { INT: INT_VALUE, LONG: LONG_VALUE, FLOAT: NUMBER_VALUE, DOUBLE: NUMBER_VALUE, STRING: nullable(STR), BOOL: nullable(BOOL) };

/**
 * A row of attribute values; with the stream's attribute types, of exactly those (an INT is an
 * integer or null, a STRING a string or null, an OBJECT any value).
 */
export function row(types?: readonly string[]): Shape {
  if (types === undefined) return ROW;
  const items = tuple(...types.map(t => BY_TYPE[t] ?? VALUE));
  return {
    expected: items.expected,
    top: items.top,
    check(v, at) {
      if (Array.isArray(v) && v.length !== types.length) invalid(at, `a row of ${v.length} values where the stream has ${types.length} attributes`);
      items.check(v, at);
    },
  };
}

/** An event as `[timestamp, row]` (window-params.ts encodeEvent); see `row` for `types`. */
export function event(types?: readonly string[]): Shape {
  return types === undefined ? EVENT : tuple(NUM, row(types));
}
