import fc from 'fast-check';
import { AppRuntime, compileApp, decodeUnit, encodeUnit, type AppPlan, type RuntimeSnapshot, type Value } from '../../core';
import { loadCases, typedInput, type ConformanceCase } from '../helpers/conformance-cases';

type Out = [string, number, Value[]][];

function play(plan: AppPlan, c: ConformanceCase, cuts: ReadonlySet<number>): Out {
  const out: Out = [];
  const fed = new Set(c.input.flatMap(r => (r.stream ? [r.stream] : [])));
  let rt: AppRuntime | null = null;
  const fresh = (snap?: RuntimeSnapshot) => {
    rt = new AppRuntime(plan);
    if (snap) rt.restore(snap);
    for (const s of plan.streams.keys()) if (!fed.has(s)) rt.subscribe(s, (stream, es) => es.forEach(e => out.push([stream, e.timestamp, e.data])));
    return rt;
  };
  let current = fresh();
  typedInput(c, plan).forEach((r, i) => {
    if (cuts.has(i)) current = fresh(decodeUnit(encodeUnit(current.snapshot() as never)) as unknown as RuntimeSnapshot);
    if (r.stream) current.send(r.stream, r.time, r.data as Value[]);
    else current.advanceTime(r.time);
  });
  return out;
}

describe('snapshot then restore', () => {
  test('at any points of any case changes no output', () => {
    // Prepare: every case Siddhi accepts (one that does not compile fails here).
    const runnable = loadCases()
      .filter(c => !c.error)
      .map(c => ({ c, plan: compileApp(c.app) }));
    expect(runnable.length).toBeGreaterThan(150);
    // Act and assess: any set of cut points gives the uncut output.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: runnable.length - 1 }).chain(k =>
          fc.tuple(fc.constant(k), fc.uniqueArray(fc.integer({ min: 0, max: runnable[k].c.input.length - 1 }), { maxLength: 6 })),
        ),
        ([k, cuts]) => {
          const { c, plan } = runnable[k];
          expect(play(plan, c, new Set(cuts))).toEqual(play(plan, c, new Set()));
        },
      ),
      { numRuns: 300 },
    );
  });
});
