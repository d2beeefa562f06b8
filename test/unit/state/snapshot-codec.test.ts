import { StateCodecError } from '../../../core/errors/millrace-error';
import type { Json } from '../../../core/state/json';
import { decodeUnit, encodeUnit } from '../../../core/state/snapshot-codec';

function roundTrip(value: Json): Json {
  return decodeUnit(encodeUnit(value));
}

function encodeError(value: unknown): StateCodecError {
  try {
    encodeUnit(value as Json);
  } catch (e) {
    expect(e).toBeInstanceOf(StateCodecError);
    return e as StateCodecError;
  }
  throw new Error('expected encodeUnit to throw');
}

function decodeError(text: string): StateCodecError {
  try {
    decodeUnit(text);
  } catch (e) {
    expect(e).toBeInstanceOf(StateCodecError);
    expect((e as StateCodecError).code).toBe('STATE_CODEC');
    return e as StateCodecError;
  }
  throw new Error('expected decodeUnit to throw');
}

describe('encodeUnit / decodeUnit', () => {
  test('wraps the state in a versioned envelope', () => {
    expect(encodeUnit({ count: 2 })).toBe('{"format":1,"state":{"count":2}}');
    expect(encodeUnit([])).toBe('{"format":1,"state":[]}');
    expect(encodeUnit(null)).toBe('{"format":1,"state":null}');
  });

  test.each<[string, Json]>([
    ['null', null],
    ['booleans', [true, false]],
    ['empty object', {}],
    ['empty array', []],
    ['nested', { a: { b: { c: [1, [2, [3, { d: 'e' }]]] } }, f: [] }],
    ['large and tiny numbers', [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 63, -(2 ** 63), Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE]],
    ['fractions', [0.1, 0.1 + 0.2, 1 / 3, -2.5e-300, 123456789.123456789]],
    ['negative zero', { z: -0, list: [0, -0] }],
    ['unicode', { '日本': 'héllo wörld 🚀', emoji: '👩‍👩‍👧', lone: '\ud800x\udfff', ctl: '\u0000\n\t"\\' }],
    ['odd keys', JSON.parse('{"": 1, "a b": 2, "__proto__": 3, "0": 4, "constructor": 5}') as Json],
    ['a string', 'just a string'],
  ])('round-trips %s exactly', (_name, value) => {
    expect(roundTrip(value)).toEqual(value);
  });

  test('-0 survives', () => {
    const out = roundTrip({ z: -0, list: [0, -0] }) as { z: number; list: number[] };
    expect(Object.is(out.z, -0)).toBe(true);
    expect(Object.is(out.list[0], 0)).toBe(true);
    expect(Object.is(out.list[1], -0)).toBe(true);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
  });

  test('a __proto__ key stays an own data property', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}') as Json;
    const out = roundTrip(value) as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('objects without a prototype are plain', () => {
    const o = Object.create(null) as Record<string, Json>;
    o.a = 1;
    expect(roundTrip(o)).toEqual({ a: 1 });
  });

  test('random doubles round-trip bit for bit', () => {
    const values: number[] = [];
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 2000; i++) {
      view.setUint32(0, (Math.random() * 2 ** 32) >>> 0);
      view.setUint32(4, (Math.random() * 2 ** 32) >>> 0);
      const d = view.getFloat64(0);
      if (Number.isFinite(d)) values.push(d);
    }
    const out = roundTrip(values) as number[];
    out.forEach((d, i) => expect(Object.is(d, values[i])).toBe(true));
  });
});

describe('encodeUnit rejects what JSON would not round-trip', () => {
  test.each<[string, unknown, string]>([
    ['NaN', { window: { events: [0, 1, 2, { data: ['x', NaN] }] } }, 'state.window.events[3].data[1] is NaN'],
    ['Infinity', { sum: Infinity }, 'state.sum is Infinity'],
    ['-Infinity', [[-Infinity]], 'state[0][0] is -Infinity'],
    ['undefined property', { a: { b: undefined } }, 'state.a.b is undefined'],
    ['undefined root', undefined, 'state is undefined'],
    ['array hole', { list: [1, , 3] }, 'state.list[1] is undefined'],
    ['function', { cb: () => 1 }, 'state.cb is a function'],
    ['bigint', { n: 12n }, 'state.n is a bigint (12n)'],
    ['symbol', { s: Symbol('x') }, 'state.s is a symbol'],
    ['Date', { at: new Date(0) }, 'state.at is an instance of Date (only plain objects and arrays are allowed)'],
    ['Map', { m: new Map() }, 'state.m is an instance of Map'],
    ['class instance', { e: new (class Event {})() }, 'state.e is an instance of Event'],
    ['boxed number', { n: new Number(1) }, 'state.n is an instance of Number'],
    ['typed array', { t: new Float64Array(2) }, 'state.t is an instance of Float64Array'],
    ['odd key', { 'a b': { 'c-d': NaN } }, 'state["a b"]["c-d"] is NaN'],
  ])('%s', (_name, value, message) => {
    const e = encodeError(value);
    expect(e.message).toContain(message);
    expect(e.code).toBe('STATE_CODEC');
  });

  test('cycles', () => {
    const a: Record<string, unknown> = { b: { c: [] as unknown[] } };
    ((a.b as Record<string, unknown>).c as unknown[]).push(a);
    expect(encodeError(a).message).toContain('state.b.c[0] is a circular reference');
  });

  test('shared (non-cyclic) references are fine', () => {
    const shared = { x: 1 };
    expect(roundTrip({ a: shared, b: shared, c: [shared, shared] } as Json)).toEqual({ a: { x: 1 }, b: { x: 1 }, c: [{ x: 1 }, { x: 1 }] });
  });

  test('absurd nesting', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1500; i++) deep = [deep];
    expect(encodeError(deep).message).toContain('is nested more than 1000 levels deep');
  });

  test('a failed encode does not disturb the next one', () => {
    encodeError({ a: [{ b: NaN }] });
    expect(encodeError({ c: NaN }).message).toContain('state.c is NaN');
    expect(encodeUnit({ d: 1 })).toBe('{"format":1,"state":{"d":1}}');
  });
});

describe('decodeUnit rejects what it did not write', () => {
  test.each<[string, string, string]>([
    ['garbage', 'garbage', 'stored state is not valid JSON'],
    ['empty', '', 'stored state is not valid JSON'],
    ['truncated', '{"format":1,"state":{"a":', 'stored state is not valid JSON'],
    ['bare state', '{"a":1}', 'not a Millrace state envelope'],
    ['array', '[1]', 'not a Millrace state envelope'],
    ['null', 'null', 'not a Millrace state envelope'],
    ['number', '42', 'not a Millrace state envelope'],
    ['newer format', '{"format":2,"state":{}}', 'stored state has format 2, but this version of Millrace reads format 1'],
    ['string format', '{"format":"1","state":{}}', 'has format "1"'],
    ['no state', '{"format":1}', 'envelope has no "state" field'],
  ])('%s', (_name, text, message) => {
    expect(decodeError(text).message).toContain(message);
  });
});
