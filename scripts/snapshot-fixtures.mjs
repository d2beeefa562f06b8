#!/usr/bin/env node
// Writes test/fixtures/snapshots/: for every conformance case with at least two input lines and
// no compile error, the state directory that a build of Millrace left after running the first
// half of the case's input one invocation per line, and what that run printed. The test
// test/unit/state/snapshot-compat.test.ts then runs the second half with today's code on top of
// that state: state written by an earlier Millrace must restore.
//
//   node scripts/snapshot-fixtures.mjs OLD_MILLRACE_CJS [OUT_DIR]
//
// OLD_MILLRACE_CJS is dist/millrace.cjs built from the commit to be compatible with (see the
// README written into OUT_DIR).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [cli, out = 'test/fixtures/snapshots'] = process.argv.slice(2);
if (!cli) throw new Error('usage: node scripts/snapshot-fixtures.mjs OLD_MILLRACE_CJS [OUT_DIR]');
const casesDir = 'test/conformance/cases';
rmSync(out, { recursive: true, force: true });
let n = 0;
for (const category of readdirSync(casesDir).sort()) {
  for (const file of readdirSync(join(casesDir, category)).filter(f => f.endsWith('.json')).sort()) {
    const c = JSON.parse(readFileSync(join(casesDir, category, file), 'utf8'));
    if (c.error || c.input.length < 2) continue;
    const name = file.replace(/\.json$/, '');
    const dir = join(out, category, name);
    const tmp = join(tmpdir(), `millrace-fixture-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const half = Math.floor(c.input.length / 2);
    writeFileSync(join(tmp, 'app.siddhi'), c.app);
    writeFileSync(join(tmp, 'first.jsonl'), c.input.slice(0, half).map(x => JSON.stringify(x)).join('\n') + '\n');
    const printed = execFileSync('node', [cli, 'run', join(tmp, 'app.siddhi'), '--input', join(tmp, 'first.jsonl'), '--batch-size', '1', '--state', join(dir, 'state')], { encoding: 'utf8' });
    writeFileSync(join(dir, 'printed.jsonl'), printed);
    writeFileSync(join(dir, 'split.json'), JSON.stringify({ firstLines: half }) + '\n');
    rmSync(tmp, { recursive: true, force: true });
    n++;
  }
}
writeFileSync(
  join(out, 'README.md'),
  `# State written by an earlier Millrace\n\nWritten by \`node scripts/snapshot-fixtures.mjs\` with \`${process.env.FIXTURE_SOURCE ?? 'an earlier build'}\`: for ${n} conformance cases, \`state/\` is the file state store after the first \`firstLines\` input lines ran one invocation per line, \`printed.jsonl\` what that run printed. Do not regenerate them with today's code: they are what an earlier version left on disk.\n`,
);
console.log(`${n} cases written to ${out}`);
