/**
 * Java-exact numerics. Siddhi runs on the JVM and Millrace must give the same answers, so INT, LONG,
 * FLOAT and DOUBLE values (all plain JS numbers here) are combined, converted, printed and parsed the
 * way Java does it.
 *
 * LONG values beyond ±2^53 are held as the nearest number; 2^63 (the nearest number to
 * Long.MAX_VALUE) stands for Long.MAX_VALUE. LONG arithmetic runs on numbers and only falls back to
 * BigInt when the exact result is not a safe integer, so the hot path never allocates.
 *
 * Division and remainder by zero return null for every type: Siddhi yields null there, never
 * ArithmeticException, Infinity or NaN.
 *
 * @example
 *   intAdd(2147483647, 1) === -2147483648;
 *   longDiv(-7, 2) === -3;
 */

const TWO_63 = 9223372036854775808;
const LONG_MAX_BIG = 9223372036854775807n;
const LONG_MIN_BIG = -9223372036854775808n;
const FLOAT_MAX = 3.4028234663852886e38;

/** The Java limits (the LONG ones exact, as bigints). */
export const JAVA_LIMITS = {
  INT_MIN: -2147483648,
  INT_MAX: 2147483647,
  LONG_MIN: LONG_MIN_BIG,
  LONG_MAX: LONG_MAX_BIG,
  FLOAT_MAX,
  FLOAT_MIN_VALUE: 1.401298464324817e-45,
} as const;

// ---------------------------------------------------------------------------------------------
// INT (32-bit two's complement)

/** Java `int + int`, wrapping. @example intAdd(2147483647, 1) === -2147483648 */
export function intAdd(a: number, b: number): number {
  return (a + b) | 0;
}

/** Java `int - int`, wrapping. @example intSub(-2147483648, 1) === 2147483647 */
export function intSub(a: number, b: number): number {
  return (a - b) | 0;
}

/** Java `int * int`, wrapping. @example intMul(65536, 65536) === 0 */
export function intMul(a: number, b: number): number {
  return Math.imul(a, b);
}

/**
 * Java `int / int`, truncating toward zero; null on division by zero.
 * `a / b` in doubles is exact enough for 32-bit operands that truncation never crosses an integer.
 * @example intDiv(-7, 2) === -3; intDiv(1, 0) === null
 */
export function intDiv(a: number, b: number): number | null {
  if (b === 0) return null;
  return (a / b) | 0;
}

/** Java `int % int` (sign of the dividend); null on zero. @example intMod(-7, 2) === -1 */
export function intMod(a: number, b: number): number | null {
  if (b === 0) return null;
  return (a % b) | 0;
}

// ---------------------------------------------------------------------------------------------
// LONG (64-bit two's complement)

/**
 * A LONG value, exact: a number while it is a safe integer (|x| < 2^53), a bigint beyond. Every
 * value has one form, so `===`, Map keys and String() treat LONGs by value; arithmetic stays on
 * numbers unless a result leaves the safe range.
 *
 * @example
 *   longAdd(9007199254740991, 2) === 9007199254740993n
 */
export type Long = number | bigint;

const SAFE_BIG = 9007199254740991n;

/** The one form of an exact long: a number when it is safe, else the bigint. */
export function longOf(x: bigint): Long {
  return x >= -SAFE_BIG && x <= SAFE_BIG ? Number(x) : x;
}

/**
 * The exact long a value stands for. A bigint is itself; a number beyond the safe range (older
 * state, a double cast) is saturated at the long range and truncated, NaN as 0 (never throws).
 */
export function bigLong(x: Long): bigint {
  if (typeof x === 'bigint') return x;
  if (Number.isSafeInteger(x)) return BigInt(x);
  if (x >= TWO_63) return LONG_MAX_BIG;
  if (x <= -TWO_63) return LONG_MIN_BIG;
  if (x !== x) return 0n;
  return BigInt(Math.trunc(x));
}

function wrapLong(x: bigint): Long {
  return longOf(BigInt.asIntN(64, x));
}

/** A LONG as a Java double (`(double) l`): the nearest number. @example longToDouble(2n ** 60n) === 2 ** 60 */
export function longToDouble(x: Long): number {
  return typeof x === 'bigint' ? Number(x) : x;
}

/** Java `long + long`, wrapping at 64 bits. @example longAdd(9223372036854775807n, 1) === -9223372036854775808n */
export function longAdd(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return wrapLong(bigLong(a) + bigLong(b));
}

/** Java `long - long`, wrapping at 64 bits. @example longSub(-9223372036854775808n, 1) === 9223372036854775807n */
export function longSub(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return wrapLong(bigLong(a) - bigLong(b));
}

/** Java `long * long`, wrapping at 64 bits. @example longMul(9000000000, 9000000000) === 7213023705161793536n */
export function longMul(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    // A product of safe integers that is itself safe is exact.
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return wrapLong(bigLong(a) * bigLong(b));
}

/**
 * Java `long / long`, truncating; null on zero; Long.MIN_VALUE / -1 wraps to Long.MIN_VALUE.
 * @example longDiv(-7, 2) === -3
 */
export function longDiv(a: Long, b: Long): Long | null {
  if (b === 0) return null;
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    // For safe integers the rounding error of a / b is below 1/|b|, so it never reaches the next integer.
    const q = Math.trunc(a / b);
    return q === 0 ? 0 : q;
  }
  const d = bigLong(b);
  if (d === 0n) return null;
  return wrapLong(bigLong(a) / d);
}

/** Java `long % long` (sign of the dividend); null on zero. @example longMod(-7, 2) === -1 */
export function longMod(a: Long, b: Long): Long | null {
  if (b === 0) return null;
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const r = a % b;
    return r === 0 ? 0 : r;
  }
  const d = bigLong(b);
  if (d === 0n) return null;
  return wrapLong(bigLong(a) % d);
}

// ---------------------------------------------------------------------------------------------
// FLOAT (32-bit) and DOUBLE
//
// Rounding the exact double result of +, -, *, / of two floats to float gives the correctly
// rounded float result (53 >= 2 * 24 + 2), and % is exact, so Math.fround reproduces Java.

/** Java `float + float`. @example floatAdd(0.1, 0.2) === Math.fround(0.1 + 0.2) */
export function floatAdd(a: number, b: number): number {
  return Math.fround(a + b);
}

/** Java `float - float`. @example floatSub(1, Math.fround(0.9)) */
export function floatSub(a: number, b: number): number {
  return Math.fround(a - b);
}

/** Java `float * float`. @example floatMul(Math.fround(1.1), 3) */
export function floatMul(a: number, b: number): number {
  return Math.fround(a * b);
}

/** Java `float / float`; null on division by zero. @example floatDiv(1, 3) === 0.3333333432674408 */
export function floatDiv(a: number, b: number): number | null {
  if (b === 0) return null;
  return Math.fround(a / b);
}

/** Java `float % float`; null on zero. @example floatMod(-7.5, 2) === -1.5 */
export function floatMod(a: number, b: number): number | null {
  if (b === 0) return null;
  return Math.fround(a % b);
}

/** Java `double + double` (identical to JS; here for symmetry). @example doubleAdd(0.1, 0.2) */
export function doubleAdd(a: number, b: number): number {
  return a + b;
}

/** Java `double - double`. @example doubleSub(1, 0.9) */
export function doubleSub(a: number, b: number): number {
  return a - b;
}

/** Java `double * double`. @example doubleMul(1.5, 2) === 3 */
export function doubleMul(a: number, b: number): number {
  return a * b;
}

/** Java `double / double`, but null on division by zero. @example doubleDiv(1, 0) === null */
export function doubleDiv(a: number, b: number): number | null {
  if (b === 0) return null;
  return a / b;
}

/** Java `double % double` (truncated remainder, like JS); null on zero. @example doubleMod(-7.5, 2) === -1.5 */
export function doubleMod(a: number, b: number): number | null {
  if (b === 0) return null;
  return a % b;
}

// ---------------------------------------------------------------------------------------------
// Conversions

/**
 * Java `(int)` cast from double or float: NaN → 0, saturating, truncating toward zero.
 * @example toInt(-3.9) === -3; toInt(1e20) === 2147483647; toInt(NaN) === 0
 */
export function toInt(x: number): number {
  if (x !== x) return 0;
  if (x >= 2147483647) return 2147483647;
  if (x <= -2147483648) return -2147483648;
  return x | 0;
}

/**
 * Java `(long)` cast from double or float: NaN → 0, saturating at the long range, truncating
 * toward zero; exact beyond 2^53 (every such double is an integer).
 * @example toLong(-3.9) === -3; toLong(1e30) === 9223372036854775807n; toLong(2 ** 60) === 2n ** 60n
 */
export function toLong(x: number): Long {
  if (x !== x) return 0;
  const t = Math.trunc(x);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  if (x >= TWO_63) return LONG_MAX_BIG;
  if (x <= -TWO_63) return LONG_MIN_BIG;
  return BigInt(t);
}

/**
 * Java `(int)` cast from long (`Long.intValue()`): keeps the low 32 bits, unlike the double cast.
 * @example longToInt(4294967297) === 1; longToInt(2147483648) === -2147483648
 */
export function longToInt(x: Long): number {
  // x | 0 is exact modulo 2^32 for every safe integer.
  return typeof x === 'bigint' ? Number(BigInt.asIntN(32, x)) : Number.isSafeInteger(x) ? x | 0 : Number(BigInt.asIntN(32, bigLong(x)));
}

/** Java `(float)` cast: round to the nearest 32-bit float. @example toFloat(0.1) === 0.10000000149011612 */
export function toFloat(x: number): number {
  return Math.fround(x);
}
