/**
 * Java-exact text for numbers: Double.toString / Float.toString (Java 19+: the shortest digits
 * that round-trip), Long/Integer.toString, and the parsing of Integer.parseInt, Long.parseLong,
 * Double.parseDouble, Float.parseFloat and Boolean.parseBoolean, so that `convert`, string
 * concatenation and input parsing print and read numbers exactly as Siddhi on the JVM does. The
 * arithmetic is in java-num.ts.
 *
 * @example
 *   javaDoubleToString(1e7) === '1.0E7';
 *   parseJavaInt(' 42') === null;
 */

import { bigLong, JAVA_LIMITS, longOf, type Long } from './java-num';

const { FLOAT_MAX } = JAVA_LIMITS;
// Half an ulp above Float.MAX_VALUE: the point where rounding to float overflows to Infinity.
const FLOAT_OVERFLOW = FLOAT_MAX + 2 ** 103;
const LONG_LIMIT_BIG = 9223372036854775808n;

// ---------------------------------------------------------------------------------------------
// Formatting (Java 19+ Double.toString / Float.toString: shortest digits that round-trip)

/** Plain decimal for -3 <= exp <= 6, computerized scientific notation otherwise, like Java. */
function layout(negative: boolean, digits: string, exp: number): string {
  let s: string;
  if (exp >= 0 && exp < 7) {
    const intLen = exp + 1;
    s =
      digits.length > intLen
        ? `${digits.slice(0, intLen)}.${digits.slice(intLen)}`
        : `${digits}${'0'.repeat(intLen - digits.length)}.0`;
  } else if (exp < 0 && exp >= -3) {
    s = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else {
    s = `${digits[0]}.${digits.length > 1 ? digits.slice(1) : '0'}E${exp}`;
  }
  return negative ? `-${s}` : s;
}

// Result of closestDecimal: the decimal digitsN × 10^scaleK.
let digitsN = 0;
let scaleK = 0;

// Rounding interval of the float being printed (set by setFloatBounds).
let boundLo = 0;
let boundHi = 0;
let boundEven = false;

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The floats next to a positive finite float, as bits arithmetic on its IEEE representation. */
function floatBelow(f: number): number {
  F32[0] = f;
  U32[0] = U32[0] - 1;
  return F32[0];
}

function floatAbove(f: number): number {
  F32[0] = f;
  U32[0] = U32[0] + 1;
  return F32[0];
}

function setFloatBounds(f: number): void {
  F32[0] = f;
  boundEven = (U32[0] & 1) === 0;
  const below = floatBelow(f);
  const above = floatAbove(f);
  // Midpoints between floats have at most 26 significant bits, so they are exact doubles.
  boundLo = (below + f) / 2;
  boundHi = above === Infinity ? FLOAT_OVERFLOW : (f + above) / 2;
}

/** Compares the decimal n × 10^k with a positive finite double exactly. */
function compareExact(n: bigint, k: number, b: number): number {
  let m = b;
  let s = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    s++;
  }
  // n × 10^k against m / 2^s, both sides scaled to integers.
  let left = n << BigInt(s);
  let right = BigInt(m);
  if (k >= 0) left *= 10n ** BigInt(k);
  else right *= 10n ** BigInt(-k);
  return left > right ? 1 : left < right ? -1 : 0;
}

/** Whether the decimal n × 10^k rounds to x (as a float when `asFloat`, with exact tie handling). */
function roundsTo(n: number, k: number, x: number, asFloat: boolean): boolean {
  const v = Number(`${n}e${k}`);
  if (!asFloat) return v === x;
  if (v > boundLo && v < boundHi) return true;
  if (v < boundLo || v > boundHi) return false;
  // The double nearest to the decimal is a rounding boundary: decide on the exact decimal value.
  const c = compareExact(BigInt(n), k, v);
  if (c === 0) return boundEven;
  return v === boundLo ? c > 0 : c < 0;
}

/**
 * Finds the p-digit decimal closest to x that rounds back to x, into digitsN/scaleK.
 * The nearest p-digit decimal is tried first, then its neighbour on the other side of x, which
 * matters only where the rounding interval is lopsided (at powers of two).
 */
function closestDecimal(x: number, p: number, asFloat: boolean): boolean {
  const s = x.toExponential(p - 1);
  const e = s.indexOf('e');
  const n = Number(p === 1 ? s.slice(0, e) : s[0] + s.slice(2, e));
  const k = Number(s.slice(e + 1)) - (p - 1);
  if (roundsTo(n, k, x, asFloat)) {
    digitsN = n;
    scaleK = k;
    return true;
  }
  const other = Number(`${n}e${k}`) < x ? n + 1 : n - 1;
  if (other > 0 && roundsTo(other, k, x, asFloat)) {
    digitsN = other;
    scaleK = k;
    return true;
  }
  return false;
}

/** Lays out digitsN × 10^scaleK without trailing zeros. */
function layoutFound(negative: boolean): string {
  const all = String(digitsN);
  let end = all.length;
  while (end > 1 && all.charCodeAt(end - 1) === 48) end--;
  return layout(negative, all.slice(0, end), scaleK + all.length - 1);
}

/**
 * Java's `Double.toString(d)` (JDK 19+ semantics: the shortest decimal that round-trips; when
 * that is a single digit, the closest of one or two digits, so Double.MIN_VALUE is "4.9E-324").
 *
 * @example
 *   javaDoubleToString(1) === '1.0'; javaDoubleToString(1e7) === '1.0E7';
 *   javaDoubleToString(0.0001) === '1.0E-4'; javaDoubleToString(-0) === '-0.0'
 */
export function javaDoubleToString(d: number): string {
  if (d >= 1e-3 && d < 1e7) {
    // JS prints this range in plain decimal with the same shortest digits.
    const s = String(d);
    return s.indexOf('.') < 0 ? `${s}.0` : s;
  }
  if (d !== d) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return 1 / d < 0 ? '-0.0' : '0.0';
  const negative = d < 0;
  const x = negative ? -d : d;
  if (x >= 1e-3 && x < 1e7) {
    const s = String(x);
    return s.indexOf('.') < 0 ? `-${s}.0` : `-${s}`;
  }
  const s = x.toExponential();
  const e = s.indexOf('e');
  if (e === 1 && closestDecimal(x, 2, false)) return layoutFound(negative);
  return layout(negative, e === 1 ? s[0] : s[0] + s.slice(2, e), Number(s.slice(e + 1)));
}

/**
 * Java's `Float.toString(f)`: the shortest decimal that rounds back to the same 32-bit float
 * (closest of one or two digits when one digit is enough), laid out like Double.toString.
 * The argument is rounded to float first.
 *
 * @example
 *   javaFloatToString(0.1) === '0.1'; javaFloatToString(1 / 3) === '0.33333334';
 *   javaFloatToString(16777217) === '1.6777216E7'
 */
export function javaFloatToString(value: number): string {
  const f = Math.fround(value);
  if (f !== f) return 'NaN';
  if (f === Infinity) return 'Infinity';
  if (f === -Infinity) return '-Infinity';
  if (f === 0) return 1 / f < 0 ? '-0.0' : '0.0';
  const negative = f < 0;
  const x = negative ? -f : f;
  setFloatBounds(x);
  for (let p = 1; p <= 9; p++) {
    if (closestDecimal(x, p, true)) {
      if (p === 1) closestDecimal(x, 2, true);
      return layoutFound(negative);
    }
  }
  // Nine significant digits always identify a float; this is a safety net, not a code path.
  return javaDoubleToString(f);
}

/**
 * Java's `Long.toString(x)`: exact digits of the long the number stands for (2^63 prints as
 * Long.MAX_VALUE), never exponent notation.
 * @example javaLongToString(9223372036854775807n) === '9223372036854775807'; javaLongToString(-5) === '-5'
 */
export function javaLongToString(x: Long): string {
  return typeof x === 'bigint' || !Number.isSafeInteger(x) ? bigLong(x).toString() : String(x);
}

/** Java's `Integer.toString(x)`. @example javaIntToString(-0) === '0' */
export function javaIntToString(x: number): string {
  return String(x | 0);
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** The value of a BMP Unicode decimal digit (Java's Character.digit(c, 10)), or -1. */
function unicodeDigit(c: number): number {
  if (c < 128 || c > 0xffff || !ND.test(String.fromCharCode(c))) return -1;
  // Decimal digits come in runs of ten starting at zero; runs may sit back to back.
  let start = c;
  while (start > 0 && ND.test(String.fromCharCode(start - 1))) start--;
  return (c - start) % 10;
}

const ND = /^\p{Nd}$/u;

function parseIntegral(s: string, long: boolean): Long | null {
  const len = s.length;
  if (len === 0) return null;
  let i = 0;
  let negative = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45) {
    negative = true;
    i = 1;
  } else if (c0 === 43) {
    i = 1;
  }
  if (i === len) return null;
  let value = 0;
  let big: bigint | null = null;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    let d = c - 48;
    if (d < 0 || d > 9) {
      d = unicodeDigit(c);
      if (d < 0) return null;
    }
    if (big === null && value < 900719925474099) {
      value = value * 10 + d;
      if (!long && value > 2147483648) return null;
      continue;
    }
    big = (big ?? BigInt(value)) * 10n + BigInt(d);
    if (big > LONG_LIMIT_BIG) return null;
  }
  if (big !== null) {
    if (!negative && big === LONG_LIMIT_BIG) return null;
    return longOf(negative ? -big : big);
  }
  if (!negative && !long && value === 2147483648) return null;
  return negative ? (value === 0 ? 0 : -value) : value;
}

/**
 * Java's `Integer.parseInt(s)`: optional sign, decimal digits, no whitespace; null when Java
 * throws NumberFormatException (including out of range).
 * @example parseJavaInt('-42') === -42; parseJavaInt(' 42') === null; parseJavaInt('2147483648') === null
 */
export function parseJavaInt(s: string): number | null {
  return parseIntegral(s, false) as number | null;
}

/**
 * Java's `Long.parseLong(s)`, returned as the nearest number; null when Java throws.
 * @example parseJavaLong('9223372036854775807') === 9223372036854775807n; parseJavaLong('9223372036854775808') === null
 */
export function parseJavaLong(s: string): Long | null {
  return parseIntegral(s, true);
}

/** Java's String.trim(): strips every char <= ' ' from both ends (not Unicode spaces). */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 32) start++;
  while (end > start && s.charCodeAt(end - 1) <= 32) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?$/;
const SPECIAL = /^([+-]?)(NaN|Infinity)$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)[fFdD]?$/;

/** Rounds M × 2^e (M > 0) to the nearest binary float of the given precision, ties to even. */
function roundBinary(m: bigint, e: number, precision: number, minLsb: number, maxLead: number): number {
  const bitLen = m.toString(2).length;
  const lead = bitLen - 1 + e;
  if (lead > maxLead) return Infinity;
  const lsb = Math.max(lead - (precision - 1), minLsb);
  const shift = lsb - e;
  if (shift <= 0) return Number(m) * 2 ** e;
  if (shift > bitLen) return 0;
  const bs = BigInt(shift);
  let q = m >> bs;
  const rem = m - (q << bs);
  const half = 1n << (bs - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  return Number(q) * 2 ** lsb;
}

function parseHex(match: RegExpExecArray, asFloat: boolean): number | null {
  const [, sign, intDigits, fracDigits = '', expText] = match;
  if (intDigits.length + fracDigits.length === 0) return null;
  const m = BigInt(`0x${intDigits}${fracDigits}`);
  let r: number;
  if (m === 0n) {
    r = 0;
  } else {
    const e = Number(expText) - 4 * fracDigits.length;
    r = asFloat ? Math.fround(roundBinary(m, e, 24, -149, 127)) : roundBinary(m, e, 53, -1074, 1023);
  }
  return sign === '-' ? -r : r;
}

/**
 * Rounds a decimal string to float like Float.parseFloat: directly, not via double. The double
 * nearest to the decimal only misleads when it lands exactly on the midpoint between two floats.
 */
function decimalToFloat(body: string, v: number): number {
  const f = Math.fround(v);
  if (f === v || v !== v) return f;
  const negative = v < 0;
  const a = negative ? -v : v;
  const fa = negative ? -f : f;
  let lower: number;
  let upper: number;
  if (fa === Infinity) {
    if (a !== FLOAT_OVERFLOW) return f;
    lower = FLOAT_MAX;
    upper = Infinity;
  } else {
    const other = fa > a ? floatBelow(fa) : floatAbove(fa);
    const mid = other === Infinity ? FLOAT_OVERFLOW : (fa + other) / 2;
    if (mid !== a) return f;
    lower = Math.min(fa, other);
    upper = Math.max(fa, other);
  }
  let text = body.charCodeAt(0) === 45 || body.charCodeAt(0) === 43 ? body.slice(1) : body;
  let exp = 0;
  const ePos = text.search(/[eE]/);
  if (ePos >= 0) {
    exp = Number(text.slice(ePos + 1));
    text = text.slice(0, ePos);
  }
  const dot = text.indexOf('.');
  if (dot >= 0) {
    exp -= text.length - dot - 1;
    text = text.slice(0, dot) + text.slice(dot + 1);
  }
  const c = compareExact(BigInt(text), exp, a);
  const r = c === 0 ? fa : c > 0 ? upper : lower;
  return negative ? -r : r;
}

function parseFloating(s: string, asFloat: boolean): number | null {
  const t = javaTrim(s);
  if (DECIMAL.test(t)) {
    const last = t.charCodeAt(t.length - 1) | 32;
    const body = last === 102 || last === 100 ? t.slice(0, -1) : t;
    const v = Number(body);
    return asFloat ? decimalToFloat(body, v) : v;
  }
  const special = SPECIAL.exec(t);
  if (special !== null) {
    if (special[2] === 'NaN') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const hex = HEX.exec(t);
  return hex === null ? null : parseHex(hex, asFloat);
}

/**
 * Java's `Double.parseDouble(s)`: trims chars <= ' ', accepts "1", ".5", "5.", "1e3", a trailing
 * f/F/d/D, "NaN", "[+-]Infinity" and hex floats ("0x1.8p1"); null when Java throws.
 * @example parseJavaDouble(' 2.5 ') === 2.5; parseJavaDouble('1e3') === 1000; parseJavaDouble('abc') === null
 */
export function parseJavaDouble(s: string): number | null {
  return parseFloating(s, false);
}

/**
 * Java's `Float.parseFloat(s)`: same syntax as parseJavaDouble, rounded directly to float.
 * @example parseJavaFloat('0.1') === Math.fround(0.1)
 */
export function parseJavaFloat(s: string): number | null {
  return parseFloating(s, true);
}

/**
 * Java's `Boolean.parseBoolean(s)`: true iff s equals "true" ignoring case; never null.
 * @example parseJavaBool('TRUE') === true; parseJavaBool('yes') === false
 */
export function parseJavaBool(s: string): boolean {
  return s.length === 4 && s.toLowerCase() === 'true';
}
