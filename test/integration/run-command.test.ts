/**
 * `millrace run` as a user runs it (the bundled dist/millrace.cjs, which `npm test` builds first):
 * a re-run on the same state applies nothing twice, eight runs sharing one state lose nothing, and
 * a large input streams through in bounded memory.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '../../dist/millrace.cjs');
const TIMEOUT_MS = 240_000;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The peak resident size seen (VmHWM, KiB), read while the process ran. */
  peakKiB: number;
}

/** Runs the command; stdout is counted and kept only if `keep` (a big output need not be held). */
function millrace(args: string[], keep = true, nodeArgs: string[] = []): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKiB = 0;
    child.stdout.on('data', d => void (keep && (stdout += d)));
    child.stderr.on('data', d => void (stderr += d));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // the process has just ended
      }
    }, 50);
    child.on('error', reject);
    child.on('close', code => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, peakKiB });
    });
  });
}

const APP = `@app:name('Rows')
define stream S (k string, v int);
define table T (k string, v int);
from S select k, v insert into T;
from S[v % 100 == 0] select k, v insert into Hundreds;
`;

let dir: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'millrace-run-'));
  writeFileSync(join(dir, 'rows.siddhi'), APP);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (prefix: string, n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ stream: 'S', time: from + i, data: [`${prefix}${from + i}`, from + i] })).join('\n') + '\n';

test(
  'running the same input again on the same state applies nothing twice; --from-start applies it again',
  async () => {
    // Prepare
    const input = join(dir, 'once.jsonl');
    writeFileSync(input, lines('k', 250));
    const state = join(dir, 'once-state');
    const run = (...extra: string[]) => millrace(['run', join(dir, 'rows.siddhi'), '--input', input, '--state', state, '--batch-size', '40', '--query', 'from T select count() as n', ...extra]);
    // Act
    const first = await run();
    const again = await run();
    writeFileSync(input, lines('k', 260)); // ten more lines appended
    const appended = await run();
    const replayed = await run('--from-start');
    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(l => l.includes('"Hundreds"'))).toHaveLength(2);
    expect(first.stdout).toContain('{"query":"from T select count() as n","records":[[250]]}');
    expect(again.stdout).toBe('{"query":"from T select count() as n","records":[[250]]}\n');
    expect(again.stderr).toContain('250 records were applied to this state by an earlier run and skipped (--from-start applies them again)');
    expect(appended.stdout).toContain('[[260]]');
    expect(replayed.stdout).toContain('[[520]]');
  },
  TIMEOUT_MS,
);

test(
  'eight runs sharing one state directory apply every line of every input exactly once',
  async () => {
    // Prepare: eight inputs of 150 lines, distinct rows.
    const state = join(dir, 'shared-state');
    const inputs = Array.from({ length: 8 }, (_, p) => {
      const file = join(dir, `part-${p}.jsonl`);
      writeFileSync(file, lines(`p${p}-`, 150));
      return file;
    });
    // Act
    const runs = await Promise.all(inputs.map(input => millrace(['run', join(dir, 'rows.siddhi'), '--input', input, '--state', state, '--batch-size', '10'])));
    const count = await millrace(['run', join(dir, 'rows.siddhi'), '--input', inputs[0], '--state', state, '--query', 'from T select count() as n']);
    // Assess: every run finished, none printed retry chatter, no row lost or doubled.
    expect(runs.map(r => r.code)).toEqual(new Array(8).fill(0));
    expect(runs.map(r => r.stderr)).toEqual(new Array(8).fill(''));
    expect(count.stdout).toContain('{"query":"from T select count() as n","records":[[1200]]}');
  },
  TIMEOUT_MS,
);

test(
  'a 300 MB input streams through in memory bounded by one batch, not by the file',
  async () => {
    // Prepare: 300,000 lines of 1 KB each; the app keeps no state that grows with them.
    const app = join(dir, 'wide.siddhi');
    writeFileSync(app, "define stream W (id long, text string);\nfrom W[id % 1000 == 0] select id insert into Every1000;\n");
    const input = join(dir, 'wide.jsonl');
    const text = 'x'.repeat(1000);
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(input);
      out.on('error', reject);
      let i = 0;
      const write = () => {
        let ok = true;
        while (i < 300_000 && ok) ok = out.write(`{"stream":"W","time":${i + 1},"data":[${i},"${text}"]}\n`), i++;
        if (i < 300_000) out.once('drain', write);
        else out.end(resolve);
      };
      write();
    });
    // Act: with a JS heap of 96 MB, which a run holding the input (or its records) cannot fit in.
    const r = await millrace(['run', app, '--input', input], true, ['--max-old-space-size=96']);
    // Assess: all of it processed; the peak resident size stays far below the input's 300 MB.
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(300);
    expect(r.peakKiB).toBeGreaterThan(0);
    expect(r.peakKiB).toBeLessThan(200 * 1024);
    rmSync(input);
  },
  TIMEOUT_MS,
);

test(
  'a damaged state unit is one clear line on stderr (its stack only with --debug), and the run exits 1',
  async () => {
    // Prepare: a state directory whose global unit's clock holds a string.
    const input = join(dir, 'damage.jsonl');
    writeFileSync(input, lines('d', 3));
    const state = join(dir, 'damage-state');
    expect((await millrace(['run', join(dir, 'rows.siddhi'), '--input', input, '--state', state])).code).toBe(0);
    const unitFile = readdirSync(state).find(f => f.endsWith('.json') && readFileSync(join(state, f), 'utf8').includes('"clock":{"v":1'))!;
    const text = readFileSync(join(state, unitFile), 'utf8');
    writeFileSync(join(state, unitFile), text.replace(/"clock":\{"v":1,"s":[^}]*\}/, '"clock":{"v":1,"s":"abc"}'));
    // Act
    const plain = await millrace(['run', join(dir, 'rows.siddhi'), '--input', input, '--state', state]);
    const debug = await millrace(['run', join(dir, 'rows.siddhi'), '--input', input, '--state', state, '--debug']);
    // Assess
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^millrace: state unit '.*': state 'clock' \(version 1\): expected a finite number at \.s, found string "abc"/)]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  },
  TIMEOUT_MS,
);

test('the command before its build says what to run, not a module trace', async () => {
  // Prepare: the launcher alone, where no dist/ was built.
  const root = join(dir, 'unbuilt');
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(join(__dirname, '../../bin/millrace.js'), join(root, 'bin/millrace.js'));
  // Act
  const r = await new Promise<{ code: number | null; stderr: string }>(resolve => {
    const child = spawn(process.execPath, [join(root, 'bin/millrace.js'), 'run'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', d => void (stderr += d));
    child.on('close', code => resolve({ code, stderr }));
  });
  // Assess
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('is not built yet; run `npm run build`');
  expect(r.stderr).not.toContain('Cannot find module');
});
