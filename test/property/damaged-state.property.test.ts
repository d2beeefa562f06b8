/**
 * Restoring damaged state: any JSON, and real snapshots of the conformance cases with a subtree
 * replaced, deleted or retyped, either restores exactly or throws StateCodecError; never a hang,
 * never another error, and a little processing afterwards throws at most a MillraceError.
 *
 * "Exactly" is modulo what the registry documents: a stored state the app does not have is
 * dropped, a state missing from the snapshot starts fresh, a state of another version starts
 * fresh. So where a value is a map of named states ({name: {v, s}}), only the names both sides
 * have at the same version are compared.
 */
import fc from 'fast-check';
import { AppRuntime, compileApp, decodeUnit, encodeUnit, MillraceError, ProcessingError, StateCodecError, type AppPlan, type Json, type RuntimeSnapshot, type Value } from '../../core';
import { typedInput, loadCases, type ConformanceCase } from '../helpers/conformance-cases';

interface Sample {
  readonly c: ConformanceCase;
  readonly plan: AppPlan;
  readonly snapshot: Json;
}

/** Every case that compiles, with the snapshots after half and all of its input. */
function samples(): Sample[] {
  const out: Sample[] = [];
  for (const c of loadCases().filter(x => !x.error)) {
    const plan = compileApp(c.app);
    const rt = new AppRuntime(plan);
    typedInput(c, plan).forEach((r, i) => {
      if (r.stream) rt.send(r.stream, r.time, r.data as Value[]);
      else rt.advanceTime(r.time);
      if (i === Math.floor(c.input.length / 2) || i === c.input.length - 1) out.push({ c, plan, snapshot: decodeUnit(encodeUnit(rt.snapshot() as unknown as Json)) });
    });
  }
  return out;
}

const isNamedStates = (v: unknown): v is Record<string, { v: unknown; s: unknown }> =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.keys(v).length > 0 &&
  Object.values(v).every(e => e !== null && typeof e === 'object' && !Array.isArray(e) && Object.keys(e).sort().join() === 's,v' && Number.isInteger((e as { v: unknown }).v));

/** Where restored and stored differ beyond the registry's documented normalisation, or null. */
function difference(restored: unknown, stored: unknown, at = ''): string | null {
  if (isNamedStates(restored) && isNamedStates(stored)) {
    for (const name of Object.keys(stored)) {
      if (!Object.hasOwn(restored, name) || restored[name].v !== stored[name].v) continue;
      const d = difference(restored[name].s, stored[name].s, `${at}[${JSON.stringify(name)}]`);
      if (d) return d;
    }
    return null;
  }
  if (Array.isArray(restored) && Array.isArray(stored)) {
    if (restored.length !== stored.length) return `${at}: ${restored.length} items restored, ${stored.length} stored`;
    for (let i = 0; i < stored.length; i++) {
      const d = difference(restored[i], stored[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (restored !== null && stored !== null && typeof restored === 'object' && typeof stored === 'object' && !Array.isArray(restored) && !Array.isArray(stored)) {
    const rk = Object.keys(restored).sort();
    const sk = Object.keys(stored).sort();
    if (rk.join('\u0000') !== sk.join('\u0000')) return `${at}: keys ${JSON.stringify(rk)} restored, ${JSON.stringify(sk)} stored`;
    for (const k of sk) {
      const d = difference((restored as Record<string, unknown>)[k], (stored as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(restored, stored) ? null : `${at}: ${JSON.stringify(restored)} restored, ${JSON.stringify(stored)} stored`;
}

/** Every path into a JSON value (a path is the keys and indices from the root). */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...at, k], out);
  return out;
}

type Mutation = { kind: 'replace'; by: Json } | { kind: 'delete' } | { kind: 'retype' };

/** A copy of `v` with the subtree at `path` replaced, deleted or retyped (a number as its text, a string as a number, a list as an object...). */
function mutate(v: Json, path: readonly (string | number)[], m: Mutation): Json {
  if (!path.length) {
    if (m.kind === 'replace') return m.by;
    if (m.kind === 'delete') return null;
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') return v.length;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === null) return 0;
    if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
    return Object.values(v);
  }
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const copy = v.slice();
    if (!rest.length && m.kind === 'delete') copy.splice(head as number, 1);
    else copy[head as number] = mutate(v[head as number], rest, m);
    return copy;
  }
  const o = { ...(v as Record<string, Json>) };
  if (!rest.length && m.kind === 'delete') delete o[head as string];
  else o[head as string] = mutate(o[head as string], rest, m);
  return o;
}

const tried = { total: 0, restored: 0, refused: 0 };

/** Restores `stored` into a fresh runtime of `s`, checks the outcome, then processes a little. */
function restoreDamaged(s: Sample, stored: Json): void {
  tried.total++;
  const started = Date.now();
  const rt = new AppRuntime(s.plan);
  let report;
  try {
    report = rt.restore(stored as unknown as RuntimeSnapshot);
  } catch (e) {
    if (!(e instanceof StateCodecError)) throw new Error(`restore threw ${String(e)}, not a StateCodecError`, { cause: e });
    // The registry's last resort: a spec's restore failed on what its shape let through.
    if (e.message.includes('could not be restored')) throw new Error(`a shape let through what restore fails on: ${e.message}`);
    tried.refused++;
    return;
  }
  tried.restored++;
  const d = difference(decodeUnit(encodeUnit(rt.snapshot() as unknown as Json)), stored);
  if (d) throw new Error(`restored state differs from the stored state at ${d} (unknown: ${report.unknown.join()}; version changed: ${report.versionChanged.join()})`);
  const first = s.c.input.find(r => r.stream);
  try {
    if (first) rt.send(first.stream!, rt.now + 1, first.data as Value[]);
    rt.advanceTime(rt.now + 10_000);
  } catch (e) {
    if (!(e instanceof ProcessingError || e instanceof StateCodecError || e instanceof MillraceError)) throw new Error(`processing after the restore threw ${String(e)}`, { cause: e });
  }
  const ms = Date.now() - started;
  if (ms > 2000) throw new Error(`restoring and processing took ${ms} ms`);
}

describe('damaged state', () => {
  const all = samples();

  test('any JSON value as a snapshot', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.jsonValue({ maxDepth: 6 }), (k, v) => restoreDamaged(all[k], v as Json)),
      { numRuns: 500 },
    );
  });

  test('any JSON value as one named state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.nat(), fc.jsonValue({ maxDepth: 5 }), (k, n, v) => {
        const snap = all[k].snapshot as Record<string, { v: number; s: Json }>;
        const names = Object.keys(snap);
        const name = names[n % names.length];
        restoreDamaged(all[k], { ...snap, [name]: { v: snap[name].v, s: v as Json } });
      }),
      { numRuns: 1500 },
    );
  });

  test('real snapshots with a subtree replaced, deleted or retyped', () => {
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map(by => ({ kind: 'replace' as const, by: by as Json })),
      fc.constant({ kind: 'delete' as const }),
      fc.constant({ kind: 'retype' as const }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 3 }), (k, ms) => {
        let v = all[k].snapshot;
        for (const [n, m] of ms) {
          const ps = paths(v);
          v = mutate(v, ps[n % ps.length], m);
        }
        restoreDamaged(all[k], v);
      }),
      { numRuns: 2500 },
    );
  });

  afterAll(() => {
    // How many damaged states were tried, and how they ended (shown with --verbose; kept honest by the counts' sum).
    expect(tried.restored + tried.refused).toBe(tried.total);
    process.stdout.write(`damaged states tried: ${tried.total} (${tried.refused} refused with StateCodecError, ${tried.restored} restored exactly)\n`);
  });
});
