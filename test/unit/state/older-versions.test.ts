/**
 * A spec that changed its layout keeps the snapshots of its earlier versions restorable through
 * `older` (an upgrade per version); any other version starts fresh, as before.
 */
import { StateCodecError, StateRegistry } from '../../../core';
import type { StateSpec } from '../../../core/state/state-spec';
import { num, record, tuple } from '../../../core/state/shape';
import { durationBucketsSpec } from '../../../core/runtime/aggregation';

/** Version 2 keeps `{n, at}`; version 1 kept `[n]`. */
const spec: StateSpec<{ n: number; at: number | null }> = {
  version: 2,
  shape: record({ n: num(), at: num() }),
  create: () => ({ n: 0, at: null }),
  snapshot: s => ({ n: s.n, at: s.at ?? -1 }),
  restore: j => {
    const v = j as { n: number; at: number };
    return { n: v.n, at: v.at < 0 ? null : v.at };
  },
  older: { 1: { shape: tuple(num()), upgrade: j => ({ n: (j as [number])[0], at: -1 }) } },
};

function registryWith(): { registry: StateRegistry; cell: { value: { n: number; at: number | null } } } {
  const registry = new StateRegistry();
  return { registry, cell: registry.register('c', spec) };
}

describe('state of an earlier version', () => {
  test('an older version with an upgrade restores, and is not reported as started fresh', () => {
    // Prepare
    const { registry, cell } = registryWith();
    // Act
    const report = registry.restore({ c: { v: 1, s: [7] } });
    // Assess
    expect(report.versionChanged).toEqual([]);
    expect(cell.value).toEqual({ n: 7, at: null });
  });

  test('a version without an upgrade starts fresh and is reported', () => {
    const { registry, cell } = registryWith();
    const report = registry.restore({ c: { v: 0, s: 'anything' } });
    expect(report.versionChanged).toEqual(['c']);
    expect(cell.value).toEqual({ n: 0, at: null });
  });

  test('a damaged snapshot of an older version is a StateCodecError naming the state and its version', () => {
    const { registry } = registryWith();
    expect(() => registry.restore({ c: { v: 1, s: ['x'] } })).toThrow(StateCodecError);
    expect(() => registry.restore({ c: { v: 1, s: ['x'] } })).toThrow(/state 'c' \(version 1\)/);
  });

  test("an aggregation duration's buckets of version 2 (no last timestamp per row) restore", () => {
    const registry = new StateRegistry();
    const cell = registry.register('buckets', durationBucketsSpec);
    const report = registry.restore({ buckets: { v: 2, s: [[1000, [[['a'], [3, 'x'], null]]]] } });
    expect(report.versionChanged).toEqual([]);
    expect(registry.snapshot().buckets).toEqual({ v: 3, s: [[1000, [[['a'], [3, 'x'], null, null]]]] });
    expect([...cell.value.get(1000)!.values()].map(r => r.lastTs)).toEqual([null]);
  });
});
