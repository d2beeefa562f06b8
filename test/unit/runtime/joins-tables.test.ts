import { AppRuntime, CompileError, PlanError, compileApp, type OutputPlan } from '../../../core';
import { runApp } from '../../helpers/run-app';

function planError(app: string): string {
  try {
    compileApp(app);
  } catch (e) {
    if (e instanceof PlanError) return e.diagnostics.map(d => d.message).join('\n');
    throw e;
  }
  throw new Error('expected a plan error');
}

describe('tables', () => {
  test('a duplicate primary key is dropped and logged; update or insert keeps one row per key', () => {
    // Prepare
    const app = `define stream P (k string, v int);
      @PrimaryKey('k') define table T (k string, v int);
      from P insert into T;`;
    // Act
    const { rt, logger } = runApp(app, [['P', 1, ['a', 1]], ['P', 2, ['a', 2]], ['P', 3, ['b', 3]]], []);
    // Assess
    expect(rt.query('from T select k, v order by k').records).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    expect(logger.lines.join('\n')).toContain('already an event stored with primary key ["a"]');
  });

  test('conditions on every primary-key attribute are look-ups; on an @Index attribute index look-ups; else scans', () => {
    const app = `define stream D (a string, b int, c int);
      @PrimaryKey('a', 'b') @Index('c') define table T (a string, b int, c int);
      from D delete T on T.a == a and T.b == b;
      from D delete T on T.c == c + 1 and T.a != a;
      from D delete T on T.a == a;`;
    const kinds = compileApp(app).queries.map(q => (q.output as Extract<OutputPlan, { kind: 'delete' }>).on.lookup?.kind ?? 'scan');
    expect(kinds).toEqual(['primaryKey', 'index', 'scan']);
  });

  test('update without set copies every select attribute by name; set can read the old row', () => {
    const app = `define stream U (k string, v int); define stream A (k string, n int);
      define table T (k string, v int);
      from U insert into T;
      from A select k, n as v update T on T.k == k;
      from A[n > 10] select k, n update T set T.v = T.v + n on T.k == k;`;
    const { rt } = runApp(app, [['U', 1, ['x', 1]], ['U', 2, ['y', 2]], ['A', 3, ['x', 5]], ['A', 4, ['y', 20]]], []);
    expect(rt.query('from T select k, v order by k').records).toEqual([
      ['x', 5],
      ['y', 40],
    ]);
  });

  test('table contents survive a snapshot and restore', () => {
    const plan = compileApp("define stream P (k string, v int); @PrimaryKey('k') define table T (k string, v int); from P update or insert into T on T.k == k;");
    const rt = new AppRuntime(plan);
    rt.send('P', 1, ['a', 1]);
    const copy = new AppRuntime(plan);
    copy.restore(JSON.parse(JSON.stringify(rt.snapshot())));
    copy.send('P', 2, ['a', 9]);
    expect(copy.query('from T select *').records).toEqual([['a', 9]]);
  });

  test('on-demand queries report positioned errors and give column details', () => {
    const plan = compileApp('define stream P (k string, v int); define table T (k string, v int); from P insert into T;');
    const rt = new AppRuntime(plan);
    rt.send('P', 1, ['a', 1]);
    expect(rt.query('from T select k, sum(v) as total group by k').details).toEqual([
      { name: 'k', dataType: 'STRING' },
      { name: 'total', dataType: 'LONG' },
    ]);
    let err: unknown;
    try {
      rt.query('from T on nope > 1 select k');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).format('--query')).toContain("--query:1:11: Cannot find attribute 'nope' in 'T'; T (k string, v int)");
    expect(() => rt.query('from Nope select *')).toThrow("'Nope' is not a table or named window");
  });
});

describe('joins', () => {
  test('a join with expired events asked for joins what leaves a window', () => {
    const app = `define stream A (k string, x int); define stream B (k string, y int);
      from A#window.length(1) join B#window.length(5) on A.k == B.k
      select A.k, x, y insert all events into Out;`;
    const { out } = runApp(app, [['B', 1, ['p', 10]], ['A', 2, ['p', 1]], ['A', 3, ['p', 2]]], ['Out']);
    expect(out.map(o => [o.time, o.data])).toEqual([
      [2, ['p', 1, 10]],
      [3, ['p', 1, 10]],
      [3, ['p', 2, 10]],
    ]);
  });

  test('an aggregating join answers per triggering event, and the rows of one window chunk leave as one chunk', () => {
    // Prepare
    const app = `define stream P (k string, v int); define stream Q (k string);
      define table T (k string, v int);
      from P insert into T;
      from Q#window.lengthBatch(2) join T on Q.k == T.k select Q.k, sum(T.v) as total insert into Out;
      from Q join T on Q.k == T.k select Q.k, count() as n insert into PerEvent;`;
    const rt = new AppRuntime(compileApp(app));
    const chunks: unknown[][] = [];
    rt.subscribe('Out', (_s, es) => chunks.push(es.map(e => e.data)));
    const perEvent: unknown[] = [];
    rt.subscribe('PerEvent', (_s, es) => es.forEach(e => perEvent.push(e.data)));
    // Act
    for (const [t, d] of [[1, ['a', 1]], [2, ['a', 2]], [3, ['b', 5]]] as const) rt.send('P', t, [...d]);
    rt.send('Q', 4, ['a']);
    rt.send('Q', 5, ['b']);
    // Assess: one chunk, a row per batch event (its matches only, the batch not reset in between)
    expect(chunks).toEqual([
      [
        ['a', 3],
        ['b', 8],
      ],
    ]);
    expect(perEvent).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  test('a missing side is null, and "A is null" tells which side was missing', () => {
    const app = `define stream A (k string); define stream B (k string);
      from A#window.length(2) full outer join B#window.length(2) on A.k == B.k
      select A.k as a, B.k as b, A is null as noA, B is null as noB insert into Out;`;
    const { out } = runApp(app, [['A', 1, ['x']], ['B', 2, ['y']]], ['Out']);
    expect(out.map(o => o.data)).toEqual([
      ['x', null, false, true],
      [null, 'y', true, false],
    ]);
  });

  test('a stream-table join looks rows up by primary key', () => {
    const app = `define stream P (k string, v int); define stream Q (k string);
      @PrimaryKey('k') define table T (k string, v int);
      from P insert into T;
      from Q join T on T.k == Q.k select Q.k, T.v insert into Out;`;
    expect(compileApp(app).queries[1].join!.tableLookup!.lookup?.kind).toBe('primaryKey');
    const { out } = runApp(app, [['P', 1, ['a', 1]], ['Q', 2, ['a']], ['Q', 3, ['b']]], ['Out']);
    expect(out.map(o => o.data)).toEqual([['a', 1]]);
  });

  test.each([
    ['select * with clashing names', 'define stream A (k string); define stream B (k string); from A#window.length(1) join B#window.length(1) select * insert into Out;', 'Duplicate attribute exist in streams'],
    ['an ambiguous unqualified attribute', 'define stream A (k string); define stream B (k string); from A#window.length(1) join B#window.length(1) select k insert into Out;', "attribute 'k' is ambiguous"],
    ['two tables', 'define table T (k string); define table U (k string); define stream S (k string); from T join U on T.k == U.k select T.k insert into Out;', 'are from static sources'],
    ['two unidirectional sides', 'define stream A (k string); define stream B (k string); from A unidirectional join B unidirectional select A.k insert into Out;', 'only one side of a join can be unidirectional'],
    ['a self join without aliases', 'define stream A (k string); from A#window.length(1) join A#window.length(1) on A.k == A.k select A.k insert into Out;', "'A' names both sides of the join"],
    ['a window on a named window', 'define stream S (k string); define window W (k string) length(2); from W#window.length(1) select k insert into Out;', 'cannot add another window'],
    ['reading a table as a stream', 'define table T (k string); define stream S (k string); from T select k insert into Out;', 'cannot be read as a stream'],
    ['inserting a wrong schema into a table', 'define stream S (k string, v int); define table T (k string, v long); from S insert into T;', 'does not match'],
  ])('rejects %s', (_what, app, message) => {
    expect(planError(app)).toContain(message);
  });
});
