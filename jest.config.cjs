/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // chevrotain and its helpers, and middy, ship as ES modules only
  transformIgnorePatterns: ['/node_modules/(?!(chevrotain|@chevrotain|lodash-es|@middy)/)'],
  // chevrotain's package exports only an `import` condition; point jest at its one-file bundle
  moduleNameMapper: { '^chevrotain$': '<rootDir>/node_modules/chevrotain/lib/chevrotain.mjs' },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
};
