import { AppRuntime, compileApp, PlanError, type RuntimeSnapshot, type Value } from '../../../core';

function collect(rt: AppRuntime, stream: string): [number, Value[]][] {
  const out: [number, Value[]][] = [];
  rt.subscribe(stream, (_s, es) => es.forEach(e => out.push([e.timestamp, e.data])));
  return out;
}

describe('partitions', () => {
  test('a stream used inside a partition but not partitioned reaches every existing instance', () => {
    // Prepare
    const app = `define stream Tx (acct string, amt int); define stream Reset (why string);
      partition with (acct of Tx) begin
        from Tx select acct, sum(amt) as total insert into Totals;
        from Reset select why insert into Seen;
      end;`;
    const rt = new AppRuntime(compileApp(app));
    const seen = collect(rt, 'Seen');
    // Act
    rt.send('Reset', 1, ['nobody yet']);
    rt.send('Tx', 2, ['a', 1]);
    rt.send('Tx', 3, ['b', 1]);
    rt.send('Reset', 4, ['both']);
    // Assess: one copy per existing key, none before any key existed.
    expect(seen).toEqual([
      [4, ['both']],
      [4, ['both']],
    ]);
  });

  test('every key keeps its own state across a snapshot and restore', () => {
    const plan = compileApp('define stream S (k string, v int); partition with (k of S) begin from S#window.lengthBatch(2) select k, sum(v) as s insert into Out; end;');
    const first = new AppRuntime(plan);
    first.send('S', 1, ['a', 1]);
    first.send('S', 2, ['b', 10]);
    const second = new AppRuntime(plan);
    second.restore(JSON.parse(JSON.stringify(first.snapshot())) as RuntimeSnapshot);
    const out = collect(second, 'Out');
    second.send('S', 3, ['b', 20]);
    second.send('S', 4, ['a', 2]);
    expect(out).toEqual([
      [3, ['b', 30]],
      [4, ['a', 3]],
    ]);
  });

  test('@purge removes keys idle for idle.period, so their state starts again', () => {
    const app = `define stream S (k string, v int);
      @purge(enable='true', interval='1 sec', idle.period='2 sec')
      partition with (k of S) begin from S select k, sum(v) as s insert into Out; end;`;
    const rt = new AppRuntime(compileApp(app));
    const out = collect(rt, 'Out');
    rt.send('S', 1000, ['a', 1]);
    rt.send('S', 1500, ['b', 1]);
    rt.send('S', 2900, ['b', 1]);
    rt.advanceTime(4000); // a idle since 1000: purged; b seen at 2900: kept
    rt.send('S', 4100, ['a', 5]);
    rt.send('S', 4200, ['b', 5]);
    expect(out.map(o => o[1])).toEqual([
      ['a', 1],
      ['b', 1],
      ['b', 2],
      ['a', 5],
      ['b', 7],
    ]);
    expect(Object.keys(rt.snapshot()).some(n => n.startsWith('p:partition_1'))).toBe(true);
  });

  test('an inner stream is private to the partition', () => {
    let err: unknown;
    try {
      compileApp('define stream S (k string); from #Hidden select k insert into Out; partition with (k of S) begin from S select k insert into #Hidden; end;');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    expect((err as PlanError).diagnostics[0].message).toContain("inner stream '#Hidden' can only be used inside a partition");
  });
});
