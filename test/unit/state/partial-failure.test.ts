import {
  CommitTooLargeError,
  compileApp,
  MemoryStateStore,
  runInvocation,
  type InputRecord,
  type Logger,
  type UnitWrite,
} from '../../../core';
import { runCommand } from '../../../functions/local/run-command';

const UNIT = 'app/Shops/global';
const app = `define stream Sale (shop string, amt int);
  partition with (shop of Sale) begin
    from Sale select shop, sum(amt) as total insert into Totals;
  end;`;

function sales(rows: [string, number][], firstSeq = 1): InputRecord[] {
  return rows.map(([shop, amt], i) => ({
    stream: 'Sale',
    time: 1 + i,
    data: [shop, amt],
    source: { kind: 'sequence' as const, id: 'shard-1', position: String(firstSeq + i) },
  }));
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A memory store that, like DynamoDB, refuses commits of more than `max` units at once. */
class SmallTransactions extends MemoryStateStore {
  refused = 0;
  constructor(private readonly max: number) {
    super();
  }
  override async commit(writes: readonly UnitWrite[]) {
    if (writes.length > this.max) {
      this.refused++;
      throw new CommitTooLargeError(`${writes.length} units, at most ${this.max}`);
    }
    return super.commit(writes);
  }
}

describe('partial batch failure (DESIGN.md section 3, step 7)', () => {
  test('a batch whose effects do not fit in one commit commits a prefix and reports the rest', async () => {
    // Prepare: each shop is a unit of its own, the shard's unit and the global unit (new shops) two
    // more; 4 units per commit.
    const plan = compileApp(app);
    const store = new SmallTransactions(4);
    const logger = recordingLogger();
    const records = sales([['a', 1], ['b', 2], ['c', 3], ['d', 4], ['a', 10]]);
    // Act
    const first = await runInvocation({ plan, store, unitKey: UNIT, records, outputStreams: new Set(['Totals']), logger });
    // Assess: 5 records touch 4 shops; halving gives 3 (3 shops: too many), then 2 (2 shops + shard + global).
    expect(first.failed).toEqual([2, 3, 4]);
    expect(first.failure).toBeInstanceOf(CommitTooLargeError);
    expect(first.outputs.map(o => o.event.data)).toEqual([['a', 1], ['b', 2]]);
    expect(logger.lines.filter(l => l.startsWith('warn')).length).toBe(2);
    // Act: the platform delivers the failed records again, as Lambda does from the first failed one.
    const second = await runInvocation({ plan, store, unitKey: UNIT, records: first.failed.map(i => records[i]), outputStreams: new Set(['Totals']) });
    const third = await runInvocation({ plan, store, unitKey: UNIT, records: second.failed.map(i => records[first.failed[i]]), outputStreams: new Set(['Totals']) });
    // Assess: every record counted exactly once, in order.
    expect(second.failed).toEqual([2]);
    expect(third.failed).toEqual([]);
    expect([...second.outputs, ...third.outputs].map(o => o.event.data)).toEqual([['c', 3], ['d', 4], ['a', 11]]);
  });

  test('a batch whose first record alone does not fit fails as a whole', async () => {
    const plan = compileApp(app);
    const store = new SmallTransactions(1);
    await expect(
      runInvocation({ plan, store, unitKey: UNIT, records: sales([['a', 1]]), outputStreams: new Set(['Totals']) }),
    ).rejects.toBeInstanceOf(CommitTooLargeError);
    expect(await store.load([UNIT])).toEqual(new Map());
  });

  test('a record that cannot be processed: the records before it commit, it and every later one are reported', async () => {
    // Prepare: the third record names a stream the app does not have (a decoder would have
    // stopped it; here it stands for any fault outside the app's own @OnError handling).
    const plan = compileApp(app);
    const store = new MemoryStateStore();
    const logger = recordingLogger();
    const records = sales([['a', 1], ['b', 2], ['c', 3], ['a', 4]]);
    const bad: InputRecord = { ...records[2], stream: 'Nope' };
    const batch = [records[0], records[1], bad, records[3]];
    // Act
    const r = await runInvocation({ plan, store, unitKey: UNIT, records: batch, outputStreams: new Set(['Totals']), logger });
    // Assess: the first two committed and published, the failure names the record and its position.
    expect(r.failed).toEqual([2, 3]);
    expect(r.outputs.map(o => o.event.data)).toEqual([['a', 1], ['b', 2]]);
    const errors = logger.lines.filter(l => l.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('record 3 of 4 (shard-1:3)');
    expect(errors[0]).toContain('it and the 1 after it are reported as failed');
    // The good records redelivered after the bad one is dealt with: nothing counted twice.
    const again = await runInvocation({ plan, store, unitKey: UNIT, records: [records[0], records[1], records[3]], outputStreams: new Set(['Totals']) });
    expect(again.skipped).toBe(2);
    expect(again.outputs.map(o => o.event.data)).toEqual([['a', 5]]);
  });

  test('a batch that commits whole reports nothing', async () => {
    const plan = compileApp(app);
    const r = await runInvocation({ plan, store: new MemoryStateStore(), unitKey: UNIT, records: sales([['a', 1]]), outputStreams: new Set(['Totals']) });
    expect(r.failed).toEqual([]);
    expect(r.failure).toBeUndefined();
  });

  test('millrace run redelivers what did not fit, and prints what one commit would', async () => {
    // Prepare
    const lines = [['a', 1], ['b', 2], ['c', 3], ['d', 4], ['a', 10], ['e', 1], ['b', 1]].map(([s, v], i) => JSON.stringify({ stream: 'Sale', time: i + 1, data: [s, v] }));
    const run = async (store: MemoryStateStore, batchSize?: number) => {
      const stdout: string[] = [];
      const stderr: string[] = [];
      const code = await runCommand({
        appName: 'app.siddhi', appText: app, inputName: 'in.jsonl', input: lines.join('\n'), queries: [], batchSize, store,
        stdout: l => void stdout.push(l), stderr: l => void stderr.push(l), logger: recordingLogger(),
      });
      return { code, stdout, stderr };
    };
    // Act
    const whole = await run(new MemoryStateStore());
    const small = new SmallTransactions(3);
    const split = await run(small, 5);
    // Assess
    expect(small.refused).toBeGreaterThan(0);
    expect(split).toEqual(whole);
    expect(whole.stdout).toHaveLength(7);
  });
});
