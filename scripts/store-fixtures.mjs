#!/usr/bin/env node
// Writes test/fixtures/stores/: the raw stored form (DynamoDB items, Firestore documents, files)
// of a few state units and rows as the stores of this checkout write them. The test
// test/unit/state/store-formats.test.ts reads them with today's code: what is stored must stay
// readable, and today's code must write the same.
//
//   node scripts/store-fixtures.mjs [OUT_DIR]
//
// Needs DynamoDB Local and the Firestore emulator (see test/helpers/emulators.ts).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const outfile = 'dist/store-fixtures.cjs';
await build({ entryPoints: ['scripts/store-fixtures.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
try {
  execFileSync('node', [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
} finally {
  rmSync(outfile, { force: true });
}
