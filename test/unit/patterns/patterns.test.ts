import { AppRuntime, compileApp, PlanError, type RuntimeSnapshot, type Value } from '../../../core';
import { MAX_PARTIAL_MATCHES } from '../../../core/runtime/pattern/pattern-runtime';
import { outputs, type Step } from './harness';

const ABC = 'define stream A (id string, v int); define stream B (id string, v int); define stream C (id string, v int);';

function collect(rt: AppRuntime, stream = 'Out'): [number, Value[]][] {
  const out: [number, Value[]][] = [];
  rt.subscribe(stream, (_s, es) => es.forEach(e => out.push([e.timestamp, e.data])));
  return out;
}

/** The matcher's snapshot of the (first) pattern query. */
function nfaSnapshot(rt: AppRuntime): { dropped: number; matches: unknown[]; chains: unknown[] } {
  const [name] = Object.keys(rt.snapshot()).filter(n => n.endsWith('/state/nfa'));
  return rt.snapshot()[name].s as unknown as { dropped: number; matches: unknown[]; chains: unknown[] };
}

function planError(app: string): string[] {
  try {
    compileApp(app);
  } catch (e) {
    if (e instanceof PlanError) return e.diagnostics.map(d => d.message);
    throw e;
  }
  throw new Error('expected a plan error');
}

describe('references in select', () => {
  test('eventTimestamp(e1) is the time of e1; eventTimestamp() the time of the match', () => {
    // Prepare
    const app = `${ABC} from e1=A -> e2=B select eventTimestamp(e1) as t1, eventTimestamp(e2) as t2, eventTimestamp() as t insert into Out;`;
    // Act
    const rows = outputs(app, [1000, ['A', ['a', 1]], 1000, ['B', ['b', 2]]], 'Out');
    // Assess
    expect(rows).toEqual([[1000, 2000, 2000]]);
  });

  test('e is null tells which side of an or matched; a missing counted event is null', () => {
    const app = `${ABC} from every (e1=A or e2=B) -> e3=C select e1 is null as noA, e2 is null as noB, eventTimestamp(e2) as tb insert into Out;`;
    const rows = outputs(app, [1000, ['B', ['b', 1]], 100, ['C', ['c', 2]], ['A', ['a', 3]], ['C', ['c', 4]]], 'Out');
    expect(rows).toEqual([
      [true, false, 1000],
      [false, true, null],
    ]);
    const counted = `${ABC} from e1=A -> e2=B<0:2> -> e3=C select e2[0].v is null as noB, e2 is null as none insert into Out;`;
    expect(outputs(counted, [['A', ['a', 1]], ['C', ['c', 2]]], 'Out')).toEqual([[true, true]]);
  });

  test('e[i] is null tells whether a counted element collected an i-th event (in select and in filters)', () => {
    // Prepare: up to three B events between A and C; the select asks which indexes are there.
    const app = `${ABC} from e1=A -> e2=B<0:3> -> e3=C select e2[0] is null as no0, e2[1] is null as no1, e2[last] is null as noLast, not (e2[2] is null) as has2 insert into Out;`;
    // Act / Assess
    expect(outputs(app, [['A', ['a', 1]], ['C', ['c', 2]]], 'Out')).toEqual([[true, true, true, false]]);
    expect(outputs(app, [['A', ['a', 1]], ['B', ['b', 2]], ['C', ['c', 3]]], 'Out')).toEqual([[false, true, false, false]]);
    expect(outputs(app, [['A', ['a', 1]], ['B', ['b', 2]], ['B', ['b', 3]], ['B', ['b', 4]], ['C', ['c', 5]]], 'Out')).toEqual([[false, false, false, true]]);
    // In an element's own filter, e2[last] is the event before the one being tried.
    const seq = `${ABC} from every e1=A, e2=B[e2[last] is null or v > e2[last].v]+, e3=C select e2[0].v as first, e2[last].v as lastV insert into Out;`;
    expect(outputs(seq, [['A', ['a', 0]], ['B', ['b', 1]], ['B', ['b', 5]], ['C', ['c', 9]]], 'Out')).toEqual([[1, 5]]);
  });

  test('x in T inside an element\'s filter may read the pattern\'s references', () => {
    const app = `${ABC} define stream Add (id string); @PrimaryKey('id') define table Known (id string);
      from Add select id insert into Known;
      from every e1=A -> e2=B[(Known.id == e1.id) in Known and v > e1.v] select e1.id as a, e2.v as bv insert into Out;`;
    const steps: Step[] = [['Add', ['x']], ['A', ['x', 1]], ['B', ['y', 5]], ['A', ['z', 1]], ['B', ['q', 7]]];
    expect(outputs(app, steps, 'Out')).toEqual([['x', 5]]);
  });

  test('e[i] is null needs a pattern reference', () => {
    expect(planError(`${ABC} from A join B on A.v == B.v select A.v, A[0] is null as x insert into Out;`)[0]).toContain("'A[...] is null' needs 'A' to be a pattern or sequence reference");
  });

  test('a plain name in a filter is the element’s own attribute; in select it must be unique', () => {
    const app = `${ABC} from every e1=A -> e2=B[v > e1.v] select e1.v as a, v as bv insert into Out;`;
    expect(planError(app)[0]).toContain("contain attribute with same name 'v'");
    const ok = `${ABC} from every e1=A -> e2=B[v > e1.v] select e1.v as a, e2.v as b insert into Out;`;
    expect(outputs(ok, [['A', ['a', 5]], ['B', ['b', 4]], ['B', ['b', 6]]], 'Out')).toEqual([[5, 6]]);
  });

  test('an element without a reference is named by its stream', () => {
    const app = `${ABC} from every A[v > 1] -> B[v > A.v] select A.id as a, B.id as b insert into Out;`;
    expect(outputs(app, [['A', ['a', 5]], ['B', ['b', 4]], ['B', ['b', 6]]], 'Out')).toEqual([['a', 'b']]);
  });

  test('select * gives every attribute of every element, in position order', () => {
    const app = `define stream A (a string, x int); define stream B (b string, y int);
      from every A -> B select * insert into Out;`;
    expect(compileApp(app).streams.get('Out')!.attributes.map(a => a.name)).toEqual(['a', 'x', 'b', 'y']);
    expect(outputs(app, [['A', ['p', 1]], ['B', ['q', 2]]], 'Out')).toEqual([['p', 1, 'q', 2]]);
  });

  test('e[last - 1] and indexes past the end', () => {
    const app = `${ABC} from e1=A<3> -> e2=B select e1[last].v as l, e1[last - 1].v as l1, e1[last - 2].v as l2, e1[last - 3].v as l3, e1[7].v as x insert into Out;`;
    expect(outputs(app, [['A', ['a', 1]], ['A', ['a', 2]], ['A', ['a', 3]], ['B', ['b', 0]]], 'Out')).toEqual([[3, 2, 1, null, null]]);
  });

  test('a counted element in the middle (<2:>) keeps collecting until the next element matches', () => {
    const app = `${ABC} from e1=A -> e2=B<2:> -> e3=C select e1.id as a, e2.v as bs, e2[last].id as lastB, e3.id as c insert into Out;`;
    const steps: Step[] = [['A', ['a', 0]], ['B', ['b1', 1]], ['C', ['early', 0]], ['B', ['b2', 2]], ['B', ['b3', 3]], ['C', ['c', 0]]];
    expect(outputs(app, steps, 'Out')).toEqual([['a', [1, 2, 3], 'b3', 'c']]);
  });
});

describe('state', () => {
  test('a restored runtime continues a partial match exactly where the other stopped', () => {
    // Prepare: partial matches shared between the sides of an `and` and a counted element
    const app = `${ABC} from every (e1=A and e2=B) -> e3=C<2:> -> e4=A select e1.v as a, e2.v as b, e3.v as cs, e4.v as d insert into Out;`;
    const plan = compileApp(app);
    const first = new AppRuntime(plan);
    first.send('B', 1, ['b', 1]);
    first.send('A', 2, ['a', 2]);
    first.send('C', 3, ['c', 3]);
    first.send('C', 4, ['c', 4]);
    // Act
    const second = new AppRuntime(plan);
    second.restore(JSON.parse(JSON.stringify(first.snapshot())) as RuntimeSnapshot);
    const out = collect(second);
    second.send('C', 5, ['c', 5]);
    second.send('A', 6, ['a', 6]);
    // Assess
    expect(out).toEqual([[6, [2, 1, [3, 4, 5], 6]]]);
  });

  test('within frees expired partial matches on the clock alone', () => {
    // Prepare
    const rt = new AppRuntime(compileApp(`${ABC} from every e1=A -> e2=B within 1 sec select e1.id as a insert into Out;`));
    for (let i = 0; i < 100; i++) rt.send('A', 1000 + i, [`a${i}`, i]);
    const held = nfaSnapshot(rt);
    // Act: no event, only the clock
    rt.advanceTime(3000);
    // Assess
    const after = nfaSnapshot(rt);
    expect(held.matches.length).toBeGreaterThanOrEqual(100);
    expect(after.matches.length).toBeLessThan(5);
    expect(JSON.stringify(after).length).toBeLessThan(JSON.stringify(held).length / 10);
  });

  test(`at most ${MAX_PARTIAL_MATCHES} partial matches are held: the oldest are dropped and counted`, () => {
    // Prepare
    const rt = new AppRuntime(compileApp(`${ABC} from every e1=A -> e2=B select e1.v as a insert into Out;`));
    const out = collect(rt);
    // Act
    for (let i = 0; i < MAX_PARTIAL_MATCHES + 50; i++) rt.send('A', i, ['a', i]);
    const snap = nfaSnapshot(rt);
    rt.send('B', 1e6, ['b', 0]);
    // Assess
    expect(snap.dropped).toBe(50);
    expect(out).toHaveLength(MAX_PARTIAL_MATCHES);
    expect(out[0][1]).toEqual([50]);
  });

  test('an absent element fires on the clock alone, with its deadline as timestamp', () => {
    const rt = new AppRuntime(compileApp(`${ABC} from every e1=A -> not B[id == e1.id] for 1 sec select e1.id as lonely insert into Out;`));
    const out = collect(rt);
    rt.send('A', 1000, ['k1', 1]);
    rt.send('A', 1200, ['k2', 2]);
    rt.send('B', 1500, ['k1', 3]);
    rt.advanceTime(10_000);
    expect(out).toEqual([[2200, ['k2']]]);
  });

  test('the start of a pattern (not A for t -> B) is measured from the runtime start (clock 0)', () => {
    const app = `${ABC} from not A for 1 sec -> e2=B select e2.id as b insert into Out;`;
    expect(outputs(app, [['B', ['too early', 0]], 1100, ['B', ['b', 0]]], 'Out')).toEqual([['b']]);
  });

  test('matches found in one chunk go out after it, one chunk per match', () => {
    const rt = new AppRuntime(compileApp(`${ABC} from every e1=A -> e2=B select e1.id as a, e2.id as b insert into Out;`));
    const chunks: number[] = [];
    rt.subscribe('Out', (_s, es) => chunks.push(es.length));
    rt.sendChunk('A', [
      { timestamp: 1, data: ['a1', 1], type: 0 },
      { timestamp: 1, data: ['a2', 2], type: 0 },
    ]);
    rt.send('B', 2, ['b', 0]);
    expect(chunks).toEqual([1, 1]);
  });
});

describe('sequences', () => {
  test('an event of another stream of the sequence breaks a partial match; other streams do not', () => {
    const app = `${ABC} define stream D (id string, v int);
      from every e1=A, e2=B select e1.id as a, e2.id as b insert into Out;`;
    const steps: Step[] = [['A', ['a1', 0]], ['D', ['noise', 0]], ['B', ['b1', 0]], ['A', ['a2', 0]], ['A', ['a3', 0]], ['B', ['b2', 0]]];
    expect(outputs(app, steps, 'Out')).toEqual([
      ['a1', 'b1'],
      ['a3', 'b2'],
    ]);
  });
});

describe('planning errors', () => {
  test.each([
    [`${ABC} from every e1=A -> e2=B select e1.v as a, e3.v as c insert into Out;`, "Id 'e3' not defined within the current scope"],
    [`${ABC} from e1=A -> e2=B[v > e3.v] -> e3=C select e1.v as a insert into Out;`, "Id 'e3' not defined within the current scope"],
    [`${ABC} from e1=A -> (e2=B -> e3=C within 1 sec) -> e4=A select e1.v as a insert into Out;`, "'within' can only end the whole pattern"],
    [`${ABC} from e1=A, every e2=B select e1.v as a insert into Out;`, "in a sequence 'every' can only start it"],
    [`${ABC} from every (every e1=A -> e2=B) -> e3=C select e1.v as a insert into Out;`, "'every' cannot be nested"],
    [`${ABC} from e1=A -> not B select e1.v as a insert into Out;`, "'not B' needs 'for <time>'"],
    [`${ABC} from e1=A -> not B or e2=C select e1.v as a insert into Out;`, "'not B' needs 'for <time>' here"],
    [`${ABC} from e1=A+ select e1.v as a insert into Out;`, 'a sequence needs at least two elements'],
    [`${ABC} from e1=A -> e2=B select e2 as x, e1.w as w insert into Out;`, "does not exist in 'A'"],
    [`${ABC} from e1=A#log('x') -> e2=B select e1.v as a insert into Out;`, "stream function '#log' on a pattern element is not supported yet"],
    [`${ABC} from e1=A -> e2=B select eventTimestamp(1) as t insert into Out;`, 'eventTimestamp() takes no argument or one pattern reference'],
  ])('%s', (app, message) => {
    expect(planError(app).join('\n')).toContain(message);
  });
});
