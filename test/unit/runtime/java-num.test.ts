import fc from 'fast-check';
import {
  JAVA_LIMITS,
  doubleDiv,
  doubleMod,
  floatAdd,
  floatDiv,
  floatMod,
  floatMul,
  floatSub,
  intAdd,
  intDiv,
  intMod,
  intMul,
  intSub,
  longAdd,
  longDiv,
  longMod,
  longMul,
  longSub,
  longToInt,
  toFloat,
  toInt,
  toLong,
} from '../../../core/kernel/java-num';
import {
  javaDoubleToString,
  javaFloatToString,
  javaIntToString,
  javaLongToString,
  parseJavaBool,
  parseJavaDouble,
  parseJavaFloat,
  parseJavaInt,
  parseJavaLong,
} from '../../../core/kernel/java-text';

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/** The exact long a LONG value is (a number when safe, else a bigint). */
function asLong(x: number | bigint): bigint {
  return BigInt(x);
}

/** Java's result of a long operation, in the engine's one form: a number when safe, else a bigint. */
function javaLong(x: bigint): number | bigint {
  const r = BigInt.asIntN(64, x);
  return r >= -9007199254740991n && r <= 9007199254740991n ? Number(r) : r;
}

/** Java's result of an int operation. */
function javaInt(x: bigint): number {
  return Number(BigInt.asIntN(32, x));
}

describe('int arithmetic', () => {
  test.each([
    ['intAdd', intAdd, 2147483647, 1, -2147483648],
    ['intAdd', intAdd, -2147483648, -1, 2147483647],
    ['intAdd', intAdd, 2, 3, 5],
    ['intSub', intSub, -2147483648, 1, 2147483647],
    ['intSub', intSub, 3, 5, -2],
    ['intMul', intMul, 65536, 65536, 0],
    ['intMul', intMul, 2147483647, 2, -2],
    ['intMul', intMul, 123456789, 987654321, javaInt(123456789n * 987654321n)],
    ['intDiv', intDiv, 7, 2, 3],
    ['intDiv', intDiv, -7, 2, -3],
    ['intDiv', intDiv, 7, -2, -3],
    ['intDiv', intDiv, -7, -2, 3],
    ['intDiv', intDiv, -2147483648, -1, -2147483648],
    ['intDiv', intDiv, 1, 0, null],
    ['intDiv', intDiv, 0, 0, null],
    ['intMod', intMod, 7, 3, 1],
    ['intMod', intMod, -7, 3, -1],
    ['intMod', intMod, 7, -3, 1],
    ['intMod', intMod, -7, -3, -1],
    ['intMod', intMod, -2147483648, -1, 0],
    ['intMod', intMod, 5, 0, null],
  ] as const)('%s(%p, %p) = %p', (_name, fn, a, b, expected) => {
    expect((fn as (a: number, b: number) => number | null)(a, b)).toBe(expected);
  });

  test('results are never -0', () => {
    expect(Object.is(intDiv(-1, 2), 0)).toBe(true);
    expect(Object.is(intMod(-4, 2), 0)).toBe(true);
  });
});

describe('long arithmetic', () => {
  const MAX = JAVA_LIMITS.LONG_MAX;
  const MIN = JAVA_LIMITS.LONG_MIN;
  test.each([
    ['longAdd', longAdd, 1, 2, 3],
    ['longAdd', longAdd, MAX, 1, MIN],
    ['longAdd', longAdd, MAX, 0, MAX],
    ['longAdd', longAdd, MAX, MIN, -1],
    ['longAdd', longAdd, 9007199254740991, 2, javaLong(9007199254740993n)],
    ['longSub', longSub, MIN, 1, MAX],
    ['longSub', longSub, MAX, MAX, 0],
    ['longSub', longSub, 0, MIN, MIN],
    ['longSub', longSub, MAX, 2n ** 63n - 1024n, javaLong(LONG_MAX - (2n ** 63n - 1024n))],
    ['longMul', longMul, 9000000000, 9000000000, javaLong(9000000000n * 9000000000n)],
    ['longMul', longMul, 3037000500, 3037000500, javaLong(3037000500n * 3037000500n)],
    ['longMul', longMul, MIN, -1, MIN],
    ['longMul', longMul, -5, 0, 0],
    ['longMul', longMul, 4294967296, 4294967296, 0],
    ['longDiv', longDiv, 7, 2, 3],
    ['longDiv', longDiv, -7, 2, -3],
    ['longDiv', longDiv, 7, -2, -3],
    ['longDiv', longDiv, MIN, -1, MIN],
    ['longDiv', longDiv, MAX, 2, javaLong(LONG_MAX / 2n)],
    ['longDiv', longDiv, 9007199254740991, 3, 3002399751580330],
    ['longDiv', longDiv, 1, 0, null],
    ['longMod', longMod, -7, 3, -1],
    ['longMod', longMod, 7, -3, 1],
    ['longMod', longMod, MIN, -1, 0],
    ['longMod', longMod, MAX, 10, 7],
    ['longMod', longMod, MIN, 10, -8],
    ['longMod', longMod, 1, 0, null],
  ] as const)('%s(%p, %p) = %p', (_name, fn, a, b, expected) => {
    expect((fn as (a: number | bigint, b: number | bigint) => number | bigint | null)(a, b)).toBe(expected);
  });

  test('results are exact beyond 2^53, and in the one form of their value', () => {
    expect(longMul(4503599627370497, 3)).toBe(13510798882111491n);
    expect(longAdd(9007199254740993n, -2)).toBe(9007199254740991);
    expect(typeof longSub(9007199254740993n, 9007199254740993n)).toBe('number');
  });

  test('results are never -0', () => {
    expect(Object.is(longMul(-5, 0), 0)).toBe(true);
    expect(Object.is(longDiv(-1, 2), 0)).toBe(true);
    expect(Object.is(longMod(-4, 2), 0)).toBe(true);
  });
});

describe('float and double arithmetic', () => {
  const f = Math.fround;
  test('float results are rounded to 32 bits', () => {
    expect(floatAdd(f(0.1), f(0.2))).toBe(f(f(0.1) + f(0.2)));
    expect(floatAdd(f(0.1), f(0.2))).not.toBe(0.1 + 0.2);
    expect(floatSub(1, f(0.9))).toBe(f(1 - f(0.9)));
    expect(floatMul(f(1.1), f(1.1))).toBe(f(f(1.1) * f(1.1)));
    expect(floatDiv(1, 3)).toBe(0.3333333432674408);
    expect(floatMod(f(-7.5), 2)).toBe(-1.5);
    expect(floatMul(3e38, 10)).toBe(Infinity);
  });

  test.each([
    ['floatDiv', floatDiv],
    ['floatMod', floatMod],
    ['doubleDiv', doubleDiv],
    ['doubleMod', doubleMod],
  ] as const)('%s by zero (either sign) is null, never Infinity or NaN', (_name, fn) => {
    expect(fn(1, 0)).toBeNull();
    expect(fn(-1, -0)).toBeNull();
    expect(fn(0, 0)).toBeNull();
  });

  test('double remainder has the sign of the dividend', () => {
    expect(doubleMod(-7.5, 2)).toBe(-1.5);
    expect(doubleMod(7.5, -2)).toBe(1.5);
    expect(doubleDiv(1, 4)).toBe(0.25);
  });
});

describe('conversions', () => {
  test.each([
    [3.9, 3],
    [-3.9, -3],
    [-0.5, 0],
    [NaN, 0],
    [1e20, 2147483647],
    [-1e20, -2147483648],
    [Infinity, 2147483647],
    [-Infinity, -2147483648],
    [2147483647.9, 2147483647],
  ])('toInt(%p) = %p', (x, expected) => {
    expect(Object.is(toInt(x), expected)).toBe(true);
  });

  test.each([
    [3.9, 3],
    [-3.9, -3],
    [-0.5, 0],
    [NaN, 0],
    [1e30, LONG_MAX],
    [-1e30, LONG_MIN],
    [Infinity, LONG_MAX],
    [1e18 + 0.5, 10n ** 18n],
    [2 ** 60, 2n ** 60n],
  ] as [number, number | bigint][])('toLong(%p) = %p', (x, expected) => {
    expect(Object.is(toLong(x), expected)).toBe(true);
  });

  test('longToInt keeps the low 32 bits', () => {
    expect(longToInt(4294967297)).toBe(1);
    expect(longToInt(2147483648)).toBe(-2147483648);
    expect(longToInt(-1)).toBe(-1);
    expect(longToInt(LONG_MAX)).toBe(-1);
    expect(longToInt(LONG_MIN)).toBe(0);
    expect(longToInt(9000000000 * 1024)).toBe(javaInt(9000000000n * 1024n));
  });

  test('toFloat rounds to 32 bits', () => {
    expect(toFloat(0.1)).toBe(0.10000000149011612);
    expect(toFloat(16777217)).toBe(16777216);
  });
});

describe('formatting', () => {
  test.each([
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [-1, '-1.0'],
    [3.75, '3.75'],
    [100, '100.0'],
    [9999999, '9999999.0'],
    [1e7, '1.0E7'],
    [-1e7, '-1.0E7'],
    [1.2345e-5, '1.2345E-5'],
    [0.001, '0.001'],
    [-0.001, '-0.001'],
    [0.0001, '1.0E-4'],
    [123456789.0, '1.23456789E8'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e21, '1.0E21'],
    [1e-7, '1.0E-7'],
    [1e23, '1.0E23'],
    [Number.MAX_VALUE, '1.7976931348623157E308'],
    [Number.MIN_VALUE, '4.9E-324'],
    [2 * Number.MIN_VALUE, '9.9E-324'],
    [2.2250738585072014e-308, '2.2250738585072014E-308'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('javaDoubleToString(%p) = %p', (d, expected) => {
    expect(javaDoubleToString(d)).toBe(expected);
  });

  test.each([
    [0.1, '0.1'],
    [1 / 3, '0.33333334'],
    [1e10, '1.0E10'],
    [16777217, '1.6777216E7'],
    [1.1, '1.1'],
    [-2.5, '-2.5'],
    [100, '100.0'],
    [0.001, '0.001'],
    [1e-10, '1.0E-10'],
    [3.4028234663852886e38, '3.4028235E38'],
    [1.401298464324817e-45, '1.4E-45'],
    [1.1754943508222875e-38, '1.1754944E-38'],
    [0, '0.0'],
    [-0, '-0.0'],
    [NaN, 'NaN'],
    [-Infinity, '-Infinity'],
  ])('javaFloatToString(%p) = %p', (f, expected) => {
    expect(javaFloatToString(f)).toBe(expected);
  });

  test('float digits are the shortest that round-trip through a 32-bit float', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), f => {
        if (f === 0) return;
        const s = javaFloatToString(f);
        const parsed = Math.fround(Number(s.replace('E', 'e')));
        expect(parsed).toBe(Math.fround(f));
        const digits = s.replace(/^-/, '').replace(/E.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
        if (digits.length > 2) {
          // One digit fewer never round-trips.
          const shorter = Math.fround(Number(Math.abs(f).toPrecision(digits.length - 1)));
          expect(shorter).not.toBe(Math.abs(Math.fround(f)));
        }
      }),
    );
  });

  test('double strings parse back to the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), d => {
        expect(Number(javaDoubleToString(d).replace('E', 'e'))).toBe(d);
      }),
    );
  });

  test('long and int strings', () => {
    expect(javaLongToString(2 ** 63)).toBe('9223372036854775807');
    expect(javaLongToString(-(2 ** 63))).toBe('-9223372036854775808');
    expect(javaLongToString(longMul(9000000000, 9000000000))).toBe(BigInt(javaLong(9000000000n * 9000000000n)).toString());
    expect(javaLongToString(1e20)).toBe('9223372036854775807');
    expect(javaLongToString(-42)).toBe('-42');
    expect(javaLongToString(-0)).toBe('0');
    expect(javaIntToString(-2147483648)).toBe('-2147483648');
    expect(javaIntToString(-0)).toBe('0');
  });
});

describe('parsing', () => {
  test.each([
    ['42', 42],
    ['+42', 42],
    ['-42', -42],
    ['007', 7],
    ['-0', 0],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['2147483648', null],
    ['-2147483649', null],
    ['99999999999999999999', null],
    ['3.75', null],
    [' 42', null],
    ['42 ', null],
    ['', null],
    ['-', null],
    ['+', null],
    ['1e3', null],
    ['0x10', null],
    ['abc', null],
    ['٤٢', 42],
  ])('parseJavaInt(%p) = %p', (s, expected) => {
    expect(parseJavaInt(s)).toBe(expected);
    if (expected === 0) expect(Object.is(parseJavaInt(s), 0)).toBe(true);
  });

  test.each([
    ['42', 42],
    ['-9223372036854775808', LONG_MIN],
    ['9223372036854775807', LONG_MAX],
    ['9223372036854775808', null],
    ['-9223372036854775809', null],
    ['9007199254740993', 9007199254740993n],
    ['000000000000000000000000000012', 12],
    ['12345678901234567890', null],
    [' 1', null],
    ['1L', null],
    ['', null],
  ] as [string, number | bigint | null][])('parseJavaLong(%p) = %p', (s, expected) => {
    expect(parseJavaLong(s)).toBe(expected);
  });

  test.each([
    ['1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1.5E-3', 0.0015],
    ['1.e2', 100],
    ['+1', 1],
    ['-.5e1', -5],
    [' 2.5 ', 2.5],
    ['\t\n2.5\r', 2.5],
    ['2.5f', 2.5],
    ['2.5D', 2.5],
    ['NaN', NaN],
    ['-NaN', NaN],
    ['Infinity', Infinity],
    ['+Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['1e400', Infinity],
    ['1e-400', 0],
    ['-0', -0],
    ['0x1.8p1', 3],
    ['0X10P0', 16],
    ['-0x.8p1d', -1],
    ['0x1p-1074', Number.MIN_VALUE],
    ['0x1p-1075', 0],
    ['0x1.8p-1074', 2 * Number.MIN_VALUE],
    ['0x1.fffffffffffff8p1023', Infinity],
    ['abc', null],
    ['', null],
    ['   ', null],
    ['.', null],
    ['e5', null],
    ['1e', null],
    ['1e+', null],
    ['1f2', null],
    ['1ff', null],
    ['infinity', null],
    ['NaNd', null],
    ['1_000', null],
    ['0x1.8', null],
    ['0x.p1', null],
    ['\u00a01', null],
  ])('parseJavaDouble(%p) = %p', (s, expected) => {
    expect(parseJavaDouble(s)).toBe(expected);
  });

  test('parseJavaFloat rounds directly to float', () => {
    expect(parseJavaFloat('0.1')).toBe(Math.fround(0.1));
    expect(parseJavaFloat(' 3.4028235e38f ')).toBe(JAVA_LIMITS.FLOAT_MAX);
    expect(parseJavaFloat('3.4028236e38')).toBe(Infinity);
    expect(parseJavaFloat('1.4e-45')).toBe(JAVA_LIMITS.FLOAT_MIN_VALUE);
    expect(parseJavaFloat('0x1.fffffep127')).toBe(JAVA_LIMITS.FLOAT_MAX);
    expect(parseJavaFloat('0x1.ffffffp127')).toBe(Infinity);
    expect(parseJavaFloat('0x1.000001p0')).toBe(1);
    expect(parseJavaFloat('0x1.0000011p0')).toBe(1 + 2 ** -23);
    expect(parseJavaFloat('x')).toBeNull();
    // 1 + 2^-24 is a float tie (rounds to even: 1); the decimals just above and below must not.
    expect(parseJavaFloat('1.000000059604644775390625')).toBe(1);
    expect(parseJavaFloat('1.000000059604644775390626')).toBe(1 + 2 ** -23);
    expect(parseJavaFloat('1.0000000596046447753906249999999999')).toBe(1);
    // Through double, this decimal lands exactly on the tie and would round to even (1).
    expect(parseJavaFloat('1.00000005960464477539062500000000001')).toBe(1 + 2 ** -23);
  });

  test.each([
    ['true', true],
    ['TRUE', true],
    ['tRuE', true],
    ['yes', false],
    ['1', false],
    [' true', false],
    ['', false],
  ])('parseJavaBool(%p) = %p', (s, expected) => {
    expect(parseJavaBool(s)).toBe(expected);
  });
});

describe('properties against BigInt reference', () => {
  const int32 = fc.integer({ min: -2147483648, max: 2147483647 });

  test('int operations match Java', () => {
    fc.assert(
      fc.property(int32, int32, (a, b) => {
        const A = BigInt(a);
        const B = BigInt(b);
        expect(intAdd(a, b)).toBe(javaInt(A + B));
        expect(intSub(a, b)).toBe(javaInt(A - B));
        expect(intMul(a, b)).toBe(javaInt(A * B));
        expect(intDiv(a, b)).toBe(b === 0 ? null : javaInt(A / B));
        expect(intMod(a, b)).toBe(b === 0 ? null : javaInt(A % B));
      }),
      { numRuns: 2000 },
    );
  });

  // Longs as the engine holds them: numbers while safe, bigints beyond.
  const safeLong = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
  const edgeLong = fc
    .oneof(
      fc.bigInt({ min: LONG_MAX - (1n << 20n), max: LONG_MAX }),
      fc.bigInt({ min: LONG_MIN, max: LONG_MIN + (1n << 20n) }),
      fc.bigInt({ min: LONG_MIN, max: LONG_MAX }),
      fc.bigInt({ min: -(1n << 33n), max: 1n << 33n }),
      fc.constantFrom(0n, 1n, -1n, 2n, LONG_MAX, LONG_MIN),
    )
    .map(x => javaLong(x));
  const anyLong = fc.oneof(safeLong, edgeLong);

  test('long operations match Java', () => {
    fc.assert(
      fc.property(anyLong, anyLong, (a, b) => {
        const A = asLong(a);
        const B = asLong(b);
        expect(longAdd(a, b)).toBe(javaLong(A + B));
        expect(longSub(a, b)).toBe(javaLong(A - B));
        expect(longMul(a, b)).toBe(javaLong(A * B));
        expect(longDiv(a, b)).toBe(B === 0n ? null : javaLong(A / B));
        expect(longMod(a, b)).toBe(B === 0n ? null : javaLong(A % B));
      }),
      { numRuns: 3000 },
    );
  });

  test('parseJavaLong matches BigInt for every long', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: LONG_MIN, max: LONG_MAX }), x => {
        expect(parseJavaLong(x.toString())).toBe(javaLong(x));
        expect(javaLongToString(javaLong(x))).toBe(x.toString());
      }),
    );
  });

  test('parseJavaFloat agrees with Math.fround(Number(s)) away from ties', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), f => {
        const s = f.toPrecision(12);
        expect(parseJavaFloat(s)).toBe(Math.fround(Number(s)));
      }),
    );
  });
});
