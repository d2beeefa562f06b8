#!/usr/bin/env node
// Writes a mapper case, test/unit/io/cases/<category>/<name>.json, whose expected output is what the
// real Siddhi engine (the oracle, with siddhi-map-json/-text/-csv/-keyvalue) printed for the app when
// fed the payload lines through @source(type='inMemory', topic=...) (oracle.sh APP --payloads INPUT):
// the events of every stream and what each @sink(type='inMemory', topic=...) published. Nothing in
// it is written by hand but the app, the input and the description.
//
//   node scripts/oracle-mapper-case.mjs ORACLE_SH CATEGORY/NAME APP.siddhi INPUT.jsonl "description"
//
// Input lines: {"topic":"T","time":MS,"payload":"..."} or {"topic":"T","time":MS,"map":{...}} (keyvalue).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [oracle, id, appFile, inputFile, description] = process.argv.slice(2);
if (!oracle || !id?.includes('/') || !appFile || !inputFile || !description) {
  throw new Error('usage: node scripts/oracle-mapper-case.mjs ORACLE_SH CATEGORY/NAME APP.siddhi INPUT.jsonl "description"');
}
const app = readFileSync(appFile, 'utf8');
const inputLines = readFileSync(inputFile, 'utf8').split('\n').filter(l => l.trim() !== '');
const printed = execFileSync(oracle, [appFile, '--payloads', inputFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  .split('\n')
  .filter(l => l.trim() !== '');
const [category, name] = id.split('/');
const file = join('test/unit/io/cases', category, `${name}.json`);
const text = [
  '{',
  `  "name": ${JSON.stringify(id)},`,
  `  "description": ${JSON.stringify(description)},`,
  `  "app": ${JSON.stringify(app)},`,
  `  "input": [\n    ${inputLines.join(',\n    ')}\n  ],`,
  `  "expected": [\n    ${printed.join(',\n    ')}\n  ]`,
  '}',
].join('\n');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, text + '\n');
console.log(`wrote ${file}: ${printed.length} lines`);
