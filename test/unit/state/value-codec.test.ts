import { check, numeric, row, value } from '../../../core/state/shape';
import { decodeValue, encodeValue, jsonText } from '../../../core/state/value-codec';

describe('value codec', () => {
  test.each([
    ['-0.0', -0],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['a long beyond 2^53', 9007199254740993n],
  ])('%s survives a snapshot and its shape', (_, v) => {
    const j = JSON.parse(JSON.stringify(encodeValue(v)));
    expect(Object.is(decodeValue(j), v)).toBe(true);
    expect(() => check(value(), j, 'state')).not.toThrow();
    expect(() => check(numeric(), j, 'state')).not.toThrow();
    expect(() => check(row([typeof v === 'bigint' ? 'LONG' : 'DOUBLE']), [j], 'state')).not.toThrow();
  });

  test('0 and -0.0 stay apart, as Java tells them apart', () => {
    expect(encodeValue(0)).toBe(0);
    expect(jsonText([-0, 0])).toBe('[-0,0]');
    expect(Object.is(JSON.parse(jsonText(-0)), -0)).toBe(true);
  });

  test('a text that is not a number a snapshot writes is refused', () => {
    expect(() => check(numeric(), { $num: '-1' }, 'state')).toThrow(/state/);
  });
});
