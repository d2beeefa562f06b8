#!/usr/bin/env node
// Writes a conformance case of our own, test/conformance/cases/<category>/<name>.json, whose
// expected output is what the real Siddhi engine (the oracle) printed for the app on the input;
// nothing in it is written by hand but the app, the input and the description.
//
//   node scripts/oracle-case.mjs ORACLE_SH CATEGORY/NAME APP.siddhi INPUT.jsonl "description" [--query Q]...
//
// Input and expected lines are copied as the oracle reads and prints them (text, not re-encoded
// numbers), so LONG values beyond 2^53 stay exact in the case file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [oracle, id, appFile, inputFile, description, ...rest] = process.argv.slice(2);
if (!oracle || !id?.includes('/') || !appFile || !inputFile || !description) {
  throw new Error('usage: node scripts/oracle-case.mjs ORACLE_SH CATEGORY/NAME APP.siddhi INPUT.jsonl "description" [--query Q]...');
}
const queries = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] !== '--query' || rest[i + 1] === undefined) throw new Error(`unexpected argument ${rest[i]}`);
  queries.push(rest[++i]);
}
const app = readFileSync(appFile, 'utf8');
const inputLines = readFileSync(inputFile, 'utf8').split('\n').filter(l => l.trim() !== '');
const printed = execFileSync(oracle, [appFile, inputFile, ...queries.flatMap(q => ['--store-query', q])], { encoding: 'utf8' })
  .split('\n')
  .filter(l => l.trim() !== '');
const events = printed.filter(l => l.startsWith('{"stream"'));
// A store query's rows: the text of each `"data":[...]` the oracle printed for it.
const rowsOf = q => printed.filter(l => l.startsWith(`{"query":${JSON.stringify(q)},`)).map(l => l.slice(l.indexOf('"data":') + 7, -1));
const [category, name] = id.split('/');
const file = join('test/conformance/cases', category, `${name}.json`);
const text = [
  '{',
  `  "name": ${JSON.stringify(id)},`,
  `  "feature": ${JSON.stringify(`millrace.${category}`)},`,
  `  "description": ${JSON.stringify(description)},`,
  `  "app": ${JSON.stringify(app)},`,
  `  "input": [\n    ${inputLines.join(',\n    ')}\n  ],`,
  `  "expected": [\n    ${events.join(',\n    ')}\n  ]${queries.length ? ',' : ''}`,
  ...(queries.length ? [`  "storeQueries": [\n    ${queries.map(q => `{"query": ${JSON.stringify(q)}, "expected": [${rowsOf(q).join(', ')}]}`).join(',\n    ')}\n  ]`] : []),
  '}',
].join('\n');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, text + '\n');
console.log(`wrote ${file}: ${events.length} events${queries.length ? `, ${queries.length} store queries` : ''}`);
