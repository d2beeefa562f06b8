/**
 * State written by an earlier Millrace restores: for every conformance case with two or more
 * input lines, `test/fixtures/snapshots` holds the file store that an earlier build left after the
 * first half of the input (one invocation per line) and what it printed. Today's code runs the
 * second half on a copy of that state; together the outputs must be the case's expected output.
 * State names, layouts and versions may only change with a migration that keeps this passing.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../../adapters/local/file-state-store';
import { jsonText, silentLogger } from '../../../core';
import { runCommand } from '../../../functions/local/run-command';
import { judge, loadCases } from '../../helpers/conformance-cases';

const FIXTURES = join(__dirname, '../../fixtures/snapshots');
const cases = loadCases().filter(c => existsSync(join(FIXTURES, c.name)));

describe('state written by an earlier Millrace', () => {
  test('there is a fixture for every conformance case with two or more input lines', () => {
    // Our own cases (feature `millrace.*`, written by scripts/oracle-case.mjs) came after the
    // fixtures; every case of the corpus the fixtures were written from has one.
    const expected = loadCases().filter(c => !c.error && c.input.length >= 2 && !(c as { feature?: string }).feature?.startsWith('millrace.'));
    expect(cases.map(c => c.name)).toEqual(expected.map(c => c.name));
  });

  test.each(cases.map(c => [c.name, c] as const))('%s continues from it', async (_name, c) => {
    // Prepare: a copy of the old state directory.
    const fixture = join(FIXTURES, c.name);
    const { firstLines } = JSON.parse(readFileSync(join(fixture, 'split.json'), 'utf8')) as { firstLines: number };
    const dir = mkdtempSync(join(tmpdir(), 'millrace-compat-'));
    try {
      cpSync(join(fixture, 'state'), dir, { recursive: true });
      const stdout = readFileSync(join(fixture, 'printed.jsonl'), 'utf8').split('\n').filter(l => l !== '');
      const stderr: string[] = [];
      // Act: the rest of the input, and the case's queries, with today's code.
      const code = await runCommand({
        appName: `${c.name}.siddhi`,
        appText: c.app,
        inputName: 'input.jsonl',
        input: c.input.slice(firstLines).map(x => jsonText(x)).join('\n') + '\n',
        queries: (c.storeQueries ?? []).map(q => q.query),
        batchSize: 1,
        store: new FileStateStore(dir),
        stdout: l => void stdout.push(l),
        stderr: l => void stderr.push(l),
        logger: silentLogger,
      });
      // Assess
      expect(judge(c, { code, stdout, stderr })).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
