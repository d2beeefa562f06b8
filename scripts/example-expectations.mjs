#!/usr/bin/env node
// Writes examples/<name>/<name>.expected.jsonl: what the real Siddhi engine outputs for each
// example app on its sample input, read from the oracle (test/unit/examples.test.ts compares
// Millrace's output with it, per stream in order, as the conformance judge does).
//
//   node scripts/example-expectations.mjs ORACLE_SH      (ORACLE_SH: /tmp/oracle/oracle.sh, from
//                                                         ../shared/oracle/build.sh)
//
// Three translations for the oracle, none of which changes what the app means: `@store(...)`
// annotations are dropped (the oracle has no DynamoDB or Firestore store; the table is the same
// table in memory), so are Kinesis `@source`/`@sink` annotations (it has no Kinesis extension;
// the streams' events are the same), and input lines written as `"event": {attribute: value}` become `"data"`
// arrays in the stream's attribute order.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [oracle] = process.argv.slice(2);
if (!oracle) throw new Error('usage: node scripts/example-expectations.mjs ORACLE_SH');

/** Stream name -> attribute names, from the app's `define stream` statements. */
function streamAttributes(app) {
  const out = new Map();
  for (const m of app.matchAll(/define\s+stream\s+(\w+)\s*\(([^)]*)\)/gi)) {
    out.set(m[1], m[2].split(',').map(a => a.trim().split(/\s+/)[0]));
  }
  return out;
}

function oracleInput(app, inputText) {
  const attributes = streamAttributes(app);
  return inputText
    .split('\n')
    .filter(l => l.trim() !== '')
    .map(l => {
      const { event, ...rest } = JSON.parse(l);
      if (event === undefined) return JSON.stringify(rest);
      const names = attributes.get(rest.stream);
      if (!names) throw new Error(`no definition of stream ${rest.stream}`);
      return JSON.stringify({ ...rest, data: names.map(n => event[n] ?? null) });
    })
    .join('\n') + '\n';
}

const examples = 'examples';
for (const name of readdirSync(examples).filter(n => !n.startsWith('.')).sort()) {
  const app = readFileSync(join(examples, name, `${name}.siddhi`), 'utf8');
  const input = readFileSync(join(examples, name, `${name}.jsonl`), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'millrace-oracle-'));
  try {
    // Blank out the annotation instead of removing its line, so positions stay where they were.
    const blank = s => ' '.repeat(s.length);
    const forOracle = app.replace(/@store\([^)]*\)/gi, blank).replace(/@(?:source|sink)\(\s*type\s*=\s*'kinesis'(?:[^()]|\([^()]*\))*\)/gi, blank);
    writeFileSync(join(dir, 'app.siddhi'), forOracle);
    writeFileSync(join(dir, 'input.jsonl'), oracleInput(app, input));
    const printed = execFileSync(oracle, [join(dir, 'app.siddhi'), join(dir, 'input.jsonl')], { encoding: 'utf8' });
    writeFileSync(join(examples, name, `${name}.expected.jsonl`), printed);
    console.log(`${name}: ${printed.split('\n').filter(Boolean).length} events`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
