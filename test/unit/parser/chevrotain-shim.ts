/**
 * chevrotain 11 ships ES modules only and its package `exports` has no `require` condition, so
 * jest's CommonJS resolver cannot find `chevrotain`. Until jest.config.cjs maps it
 * (`moduleNameMapper: { '^chevrotain$': '<rootDir>/node_modules/chevrotain/lib/chevrotain.mjs' }`),
 * parser tests import this file FIRST to point `chevrotain` at the self-contained bundle.
 */
import * as path from 'node:path';

const bundle = path.join(__dirname, '../../../node_modules/chevrotain/lib/chevrotain.mjs');
let resolvable = true;
try {
  require.resolve('chevrotain');
} catch {
  resolvable = false;
}
if (!resolvable) jest.mock('chevrotain', () => jest.requireActual(bundle), { virtual: true });

export {};
