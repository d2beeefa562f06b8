import type { AttributeSchema, Value } from '../../core';

/**
 * The fixed rule that `millrace bench` feeds apps with, so that figures compare across engines:
 * for row i and attribute position k, STRING "S" + (i % 10), INT and LONG (i*7 + k) % 100,
 * FLOAT and DOUBLE that plus 0.5, BOOL i % 2 == 0.
 *
 * @example
 *   syntheticRow([{ name: 'sym', type: 'STRING' }, { name: 'qty', type: 'INT' }], 3) // ['S3', 21]
 */
export function syntheticRow(attributes: readonly AttributeSchema[], i: number): Value[] {
  return attributes.map((a, k) => {
    switch (a.type) {
      case 'STRING':
        return `S${i % 10}`;
      case 'INT':
      case 'LONG':
        return (i * 7 + k) % 100;
      case 'FLOAT':
      case 'DOUBLE':
        return ((i * 7 + k) % 100) + 0.5;
      case 'BOOL':
        return i % 2 === 0;
      default:
        return null;
    }
  });
}

export const BENCH_POOL_SIZE = 4096;
export const BENCH_START_TIME = 1_700_000_000_000;

export function syntheticPool(attributes: readonly AttributeSchema[], size = BENCH_POOL_SIZE): Value[][] {
  return Array.from({ length: size }, (_, i) => syntheticRow(attributes, i));
}
