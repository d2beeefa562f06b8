#!/usr/bin/env node
// Writes test/conformance/error-expectations.json: for every conformance case that Siddhi rejects
// (`"error": "compile"`), what the real Siddhi engine said, read from the oracle's own output:
// its message, the line, and the columns of the text it blames. The conformance test then asserts
// that Millrace rejects the case on that line, at a column inside that span, with a message that
// shares the case's `fragments` with Siddhi's.
//
//   node scripts/error-expectations.mjs ORACLE_SH        (ORACLE_SH: /tmp/oracle/oracle.sh, from
//                                                         ../shared/oracle/build.sh)
//
// `fragments` are the only part chosen by a person: each is kept from the previous file and must
// be a substring (case-insensitive) of Siddhi's message, which this script checks; a new case
// starts with none and the script says so.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [oracle] = process.argv.slice(2);
if (!oracle) throw new Error('usage: node scripts/error-expectations.mjs ORACLE_SH');
const casesDir = 'test/conformance/cases';
const outFile = 'test/conformance/error-expectations.json';
const previous = existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')) : {};

/** Siddhi's message for a rejected app: the text after "compile error: <exception class>: ". */
function siddhiMessage(app) {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-oracle-'));
  try {
    writeFileSync(join(dir, 'app.siddhi'), app);
    writeFileSync(join(dir, 'input.jsonl'), '');
    try {
      execFileSync(oracle, [join(dir, 'app.siddhi'), join(dir, 'input.jsonl')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const m = /compile error: [\w.$]+: (.*)/.exec(String(e.stderr));
      // An object's identity hash (`Executor@5af28b27`) changes from run to run.
      if (m) return m[1].split(' | caused by ')[0].trim().replace(/@[0-9a-f]{4,8}\b/g, '@<hash>');
      throw new Error(`the oracle failed without a compile error: ${e.stderr}`);
    }
    throw new Error('the oracle accepted an app the case says Siddhi rejects');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Line and 0-based column span of what Siddhi blames. Two forms: "Error between @ Line: L.
 * Position: A and @ Line: L. Position: B" (a span), and "Error on 'APP' @ Line: L. Position: P,
 * near 'TEXT'" (P is the column after the last character of TEXT).
 */
function blamed(message, app) {
  const between = /^Error between @ Line: (\d+)\. Position: (\d+) and @ Line: (\d+)\. Position: (\d+)\. /.exec(message);
  if (between) {
    const [, l1, a, l2, b] = between.map(Number);
    if (l1 !== l2) throw new Error(`a span over several lines: ${message}`);
    return { line: l1, span: [a, b], text: message.slice(between[0].length) };
  }
  const near = /^Error on '[^']*' @ Line: (\d+)\. Position: (\d+), near '((?:[^']|'(?!\. ))*)'\. /.exec(message);
  if (near) {
    const line = Number(near[1]);
    const end = Number(near[2]);
    const text = near[3];
    const source = app.split('\n')[line - 1] ?? '';
    if (source.slice(end - text.length, end) !== text) throw new Error(`'${text}' does not end at column ${end} of line ${line}: ${source}`);
    return { line, span: [end - text.length, end], near: text, text: message.slice(near[0].length) };
  }
  const bare = /^Error on '[^']*' @ Line: (\d+)\. Position: (\d+)[.,] /.exec(message);
  if (bare) return { line: Number(bare[1]), span: [0, Number(bare[2])], text: message.slice(bare[0].length) };
  throw new Error(`no position in Siddhi's message: ${message}`);
}

const out = {};
for (const category of readdirSync(casesDir).sort()) {
  for (const file of readdirSync(join(casesDir, category)).filter(f => f.endsWith('.json')).sort()) {
    const c = JSON.parse(readFileSync(join(casesDir, category, file), 'utf8'));
    if (c.error !== 'compile') continue;
    const name = c.name ?? `${category}/${file.replace(/\.json$/, '')}`;
    const message = siddhiMessage(c.app);
    const { line, span, near, text } = blamed(message, c.app);
    const fragments = previous[name]?.fragments ?? [];
    for (const f of fragments) {
      if (!text.toLowerCase().includes(f.toLowerCase())) throw new Error(`${name}: fragment '${f}' is not in Siddhi's message: ${text}`);
    }
    if (fragments.length === 0) console.warn(`${name}: no fragments yet; choose words of Siddhi's message that Millrace's must share`);
    out[name] = { siddhi: text, line, span, ...(near === undefined ? {} : { near }), fragments };
  }
}
const lines = Object.entries(out).map(([name, e]) => `  ${JSON.stringify(name)}: ${JSON.stringify(e)}`);
writeFileSync(outFile, `{\n${lines.join(',\n')}\n}\n`);
console.log(`wrote ${outFile}: ${Object.keys(out).length} cases`);
