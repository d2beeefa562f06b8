/**
 * Damaged state a user met through `millrace run --state DIR`: each used to hang, fail with a raw
 * TypeError or start the unit afresh; now each is a StateCodecError naming the unit, the state
 * and what is wrong, and nothing runs.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileNameFor, FileStateStore } from '../../../adapters/local/file-state-store';
import { AppRuntime, compileApp, ProcessingError, silentLogger, StateCodecError, StateRegistry } from '../../../core';
import { Scheduler } from '../../../core/runtime/scheduler';
import { runCommand } from '../../../functions/local/run-command';

const APP = `@app:name('A')
define stream In (k string, v int);
define stream Out (k string, total long);
from In#window.time(1 sec) select k, sum(v) as total group by k insert into Out;`;

const STORED_APP = `@app:name('S')
define stream In (k string, v int);
@store(type='dynamodb', table.name='SRows') @PrimaryKey('k') define table T (k string, v int);
from In select k, v update or insert into T on T.k == k;`;

const line = (t: number, k: string, v: number) => JSON.stringify({ stream: 'In', time: t, data: [k, v] });

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'millrace-damaged-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(app: string, input: string[]): Promise<{ code: number; stdout: string[] }> {
  const stdout: string[] = [];
  const code = await runCommand({
    appName: 'app.siddhi',
    appText: app,
    inputName: 'in.jsonl',
    input: input.join('\n') + '\n',
    queries: [],
    batchSize: 1,
    store: new FileStateStore(dir),
    stdout: l => void stdout.push(l),
    stderr: () => {},
    logger: silentLogger,
  });
  return { code, stdout };
}

/** Rewrites the stored global unit of app `name` (file store layout: a header line, then the envelope). */
function damageGlobal(name: string, change: (unit: { state: Record<string, unknown> }) => void): void {
  const file = join(dir, fileNameFor(`app/${name}/global`));
  const [header, body] = readFileSync(file, 'utf8').split('\n');
  const envelope = JSON.parse(body) as { state: { state: Record<string, unknown> } };
  change(envelope.state);
  writeFileSync(file, `${header}\n${JSON.stringify(envelope)}`);
}

async function expectDamage(app: string, message: string): Promise<void> {
  const failed = run(app, [line(5000, 'a', 5)]);
  await expect(failed).rejects.toThrow(StateCodecError);
  await expect(failed).rejects.toThrow(message);
}

describe('a damaged global unit', () => {
  beforeEach(async () => {
    expect((await run(APP, [line(1000, 'a', 1), line(1500, 'b', 2)])).code).toBe(0);
  });

  test('a clock holding a string fails (it used to loop forever in the scheduler)', async () => {
    damageGlobal('A', u => ((u.state.clock as { s: unknown }).s = 'abc'));
    await expectDamage(APP, `state unit 'app/A/global': state 'clock' (version 1): expected a finite number at .s, found string "abc"`);
  }, 10_000);

  test('"state":{} fails (it used to start afresh)', async () => {
    damageGlobal('A', u => (u.state = {}));
    await expectDamage(APP, `state unit 'app/A/global': no state stored, where there are`);
  });

  test('a null clock fails (it used to start afresh)', async () => {
    damageGlobal('A', u => (u.state.clock = null));
    await expectDamage(APP, `state unit 'app/A/global': state 'clock': expected an object with "v", "s", found null`);
  });

  test('a malformed groups entry fails (it used to be a raw TypeError)', async () => {
    damageGlobal('A', u => {
      const groups = Object.keys(u.state).find(k => k.endsWith('/groups'))!;
      (u.state[groups] as { s: unknown[] }).s[0] = 7;
    });
    await expectDamage(APP, `/groups' (version 1): expected an array of 2 at .s[0], found number 7`);
  });

  test('a timer due at a string fails', async () => {
    damageGlobal('A', u => ((u.state.scheduler as { s: unknown[][] }).s[0][0] = 'soon'));
    await expectDamage(APP, `state 'scheduler' (version 1): expected a finite number at .s[0][0], found string "soon"`);
  });

  test('a unit that is not a runtime snapshot fails', async () => {
    damageGlobal('A', u => ((u as unknown as { nextDue: unknown }).nextDue = 'x'));
    await expectDamage(APP, `state unit 'app/A/global': expected a finite number or null at .nextDue, found string "x"`);
  });
});

test('a deleted global unit whose @store rows were kept fails (it used to start afresh)', async () => {
  expect((await run(STORED_APP, [line(1000, 'a', 1)])).code).toBe(0);
  unlinkSync(join(dir, fileNameFor('app/S/global')));
  await expectDamage(STORED_APP, `state unit 'app/S/global' is missing, but the @store table 'T' holds 1 row(s) in 'SRows'`);
});

test('a first run of an app with @store tables and no rows starts', async () => {
  expect((await run(STORED_APP, [line(1000, 'a', 1)])).code).toBe(0);
});

describe('the scheduler', () => {
  test('a timer that comes back without its due time advancing is a ProcessingError, not a hang', () => {
    const s = new Scheduler(new StateRegistry());
    s.register('t', () => s.schedule('t', 10));
    s.schedule('t', 10);
    let thrown: unknown;
    try {
      s.fireDue(100);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ProcessingError);
    expect((thrown as Error).message).toContain("timer 't' fired 1000 times at 10 without its due time advancing");
  });

  test('a timer that advances fires as often as it is due', () => {
    const s = new Scheduler(new StateRegistry());
    let n = 0;
    s.register('t', (_now, due) => (n++, s.schedule('t', due + 1)));
    s.schedule('t', 0);
    s.fireDue(5000);
    expect(n).toBe(5001);
  });

  test('a clock that is not a finite number is refused', () => {
    const s = new Scheduler(new StateRegistry());
    expect(() => s.fireDue(NaN)).toThrow(ProcessingError);
  });
});

test('a unit without its clock fails (it used to start the clock afresh)', async () => {
  expect((await run(APP, [line(1000, 'a', 1)])).code).toBe(0);
  damageGlobal('A', u => delete u.state.clock);
  await expectDamage(APP, `state unit 'app/A/global': state 'clock' is missing`);
});

describe('a partitioned app', () => {
  test("a whole snapshot whose key state is null is refused, not restored as a key that is not loaded (found by the damaged-state property)", () => {
    // Prepare: a whole snapshot with one key, its state then replaced by null.
    const plan = compileApp(`define stream S (k string, v int);
      partition with (k of S) begin from S#window.length(2) select k, sum(v) as t insert into Out; end;`);
    const rt = new AppRuntime(plan);
    rt.send('S', 1, ['a', 1]);
    const snap = JSON.parse(JSON.stringify(rt.snapshot())) as Record<string, { s: Record<string, { state: unknown }> }>;
    const name = Object.keys(snap).find(n => n.startsWith('p:'))!;
    snap[name].s.a.state = null;
    // Act and assess
    expect(() => new AppRuntime(plan).restore(snap as never)).toThrow(StateCodecError);
    expect(() => new AppRuntime(plan).restore(snap as never)).toThrow(/a key whose state is not a snapshot \(null\)/);
  });
});

describe('a pattern', () => {
  test('a partial match with a slot missing is refused, not run into a TypeError at its timer (found by the damaged-state property)', () => {
    // Prepare: an absent pattern waiting, one slot of its partial match then deleted.
    const plan = compileApp(`define stream A (x int); define stream B (x int);
      from e1=A -> not B for 1 sec select e1.x insert into Out;`);
    const rt = new AppRuntime(plan);
    rt.send('A', 1, [1]);
    const snap = JSON.parse(JSON.stringify(rt.snapshot())) as Record<string, { s: { matches: [number, number, number, number[]][] } }>;
    const name = Object.keys(snap).find(n => Array.isArray(snap[n].s?.matches) && snap[n].s.matches.length > 0)!;
    snap[name].s.matches[0][3].pop();
    // Act and assess
    expect(() => new AppRuntime(plan).restore(snap as never)).toThrow(StateCodecError);
    expect(() => new AppRuntime(plan).restore(snap as never)).toThrow(/match 0 has 1 slots where the pattern has 2/);
  });
});
