import fc from 'fast-check';
import {
  ChunkedStateStore,
  escapeKey,
  KnownVersions,
  splitBytes,
  StoreError,
  unescapeKey,
  type Known,
  type PlannedCommit,
  type RecordId,
  type StateStoreStats,
  type StoredRow,
  type UnitRead,
  type UnitRecord,
  type UnitWrite,
} from '../../../core';

interface Rec {
  version: number;
  deleted: boolean;
  parts: Uint8Array[];
}

interface Plan extends PlannedCommit {
  readonly next: Map<string, Rec>;
}

function recordOf(r: Rec | undefined): UnitRecord<object> | undefined {
  if (r === undefined) return undefined;
  return r.deleted ? { version: r.version, deleted: true, extra: {} } : { version: r.version, parts: r.parts.length, data: r.parts[0], extra: {} };
}

/** A chunked store over a Map, with identity compression; hooks let a test tear reads and fail sends. */
class FakeStore extends ChunkedStateStore<object, Plan, never> {
  readonly stats: StateStoreStats = { loads: 0, unitsRead: 0, commits: 0, unitsWritten: 0, bytesRead: 0, bytesWritten: 0 };
  tearNextRead = false;
  failSends = 0;
  readonly slept: number[] = [];

  constructor(
    chunkBytes: number,
    readonly records = new Map<string, Rec>(),
  ) {
    super({
      names: { place: 'fake', records: 'records' },
      compression: { compress: async b => b, decompress: async b => b },
      chunkBytes,
      defaultChunkBytes: 8,
      maxChunkBytes: 1024,
      commitBackoffMs: 5,
      maxParts: 100,
      timing: { sleep: async ms => void this.slept.push(ms), random: () => 0.25 },
    });
  }

  protected unitId(key: string): RecordId {
    return { id: key, escaped: key, hashed: false };
  }
  protected describe(key: string): string {
    return `record ${key}`;
  }
  protected async readUnits(wanted: readonly { key: string; chunks: number }[]): Promise<Map<string, UnitRead<object>>> {
    const out = new Map<string, UnitRead<object>>();
    for (const { key, chunks } of wanted) {
      const r = this.records.get(key);
      if (r === undefined) continue;
      const torn = this.tearNextRead && chunks > 0;
      out.set(key, {
        unit: recordOf(r)!,
        chunks: Array.from({ length: chunks }, (_, i) => (r.parts[i + 1] ? { version: torn ? r.version + 1 : r.version, data: r.parts[i + 1] } : undefined)),
      });
      if (torn) this.tearNextRead = false;
    }
    return out;
  }
  protected async readKnown(keys: readonly string[]): Promise<(UnitRecord<object> | undefined)[]> {
    return keys.map(k => recordOf(this.records.get(k)));
  }
  protected encodeRow(): never {
    throw new StoreError('no rows here');
  }
  protected planCommit(writes: readonly UnitWrite[], payloads: readonly (Uint8Array | null)[], prior: ReadonlyMap<string, Known>): Plan {
    const next = new Map<string, Rec>();
    const versions = new Map<string, number>();
    writes.forEach((w, i) => {
      const p = prior.get(w.key)!;
      const version = (p.state === 'absent' ? 0 : p.version) + 1;
      const data = payloads[i];
      next.set(w.key, { version, deleted: data === null, parts: data === null ? [] : splitBytes(data, this.chunkBytes) });
      if (data !== null) versions.set(w.key, version);
    });
    return { next, versions, bytes: 0, unitsWritten: writes.length, rowsWritten: 0 };
  }
  protected async sendCommit(plan: Plan): Promise<Map<string, Known | null>> {
    if (this.failSends > 0) {
      this.failSends--;
      throw Object.assign(new Error('precondition'), { precondition: true });
    }
    const after = new Map<string, Known | null>();
    for (const [k, r] of plan.next) {
      this.records.set(k, r);
      after.set(k, r.deleted ? { state: 'tombstone', version: r.version } : { state: 'live', version: r.version, parts: r.parts.length });
    }
    return after;
  }
  protected isPreconditionFailure(e: unknown): boolean {
    return (e as { precondition?: boolean }).precondition === true;
  }
  async loadRows(_table: string, _keys: readonly string[] | null): Promise<Map<string, StoredRow>> {
    return new Map();
  }
  async dueUnits(): Promise<string[]> {
    return [];
  }
}

describe('ChunkedStateStore, the base of the chunked stores', () => {
  test('splits a unit into chunks and joins them on load', async () => {
    const store = new FakeStore(4);
    await store.commit([{ key: 'k', value: { text: 'a fairly long value' }, expectedVersion: null }]);
    expect(store.records.get('k')!.parts.length).toBeGreaterThan(3);
    // A new instance does not know the unit is split: it reads the unit, then its chunks, without a sleep.
    const other = new FakeStore(4, store.records);
    expect((await other.load(['k'])).get('k')).toEqual({ key: 'k', version: 1, value: { text: 'a fairly long value' } });
    expect(other.slept).toEqual([]);
  });

  test('a read torn by a commit (a chunk of another version) is read again after an injected, jittered sleep', async () => {
    const store = new FakeStore(4);
    await store.commit([{ key: 'k', value: 'xxxxxxxxxxxxxxxxxxxx', expectedVersion: null }]);
    store.tearNextRead = true;
    expect((await store.load(['k'])).get('k')?.value).toBe('xxxxxxxxxxxxxxxxxxxx');
    // round 1: 10 * 2^1 * (0.5 + 0.25)
    expect(store.slept).toEqual([15]);
  });

  test('a failed precondition without a conflict is planned again after the backoff; five in a row give up', async () => {
    const store = new FakeStore(8);
    store.failSends = 2;
    expect(await store.commit([{ key: 'k', value: 1, expectedVersion: null }])).toEqual(new Map([['k', 1]]));
    // 5 * 2^attempt * (0.5 + 0.25) after attempts 1 and 2
    expect(store.slept).toEqual([7.5, 15]);
    store.failSends = 5;
    await expect(store.commit([{ key: 'k', value: 2, expectedVersion: 1 }])).rejects.toThrow('could not commit state to fake: the records kept changing (5 attempts)');
    expect(store.stats.commits).toBe(1);
  });

  test('rejects a chunk size outside its limits', () => {
    expect(() => new FakeStore(0)).toThrow('chunkBytes must be an integer from 1 to 1024, got 0');
    expect(() => new FakeStore(2000)).toThrow(StoreError);
  });
});

describe('key escaping', () => {
  test('round-trips any key, and the escaped key is well-formed and free of % escapes it did not make', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '%', '#', '/', '\ud800', '\udc00', '\u{1F680}', 'Z', '~', '2', '5') }), key => {
        for (const [reserved, codes] of [['#', ['25', '23']], ['/', ['25', '2F']]] as const) {
          const escaped = escapeKey(key, reserved);
          expect(escaped.includes(reserved)).toBe(false);
          expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(escaped)).toBe(false);
          expect(unescapeKey(escaped, codes)).toBe(key);
        }
      }),
    );
    expect(escapeKey('a#b%c/\ud800', '#')).toBe('a%23b%25c/%uD800');
  });

  test('KnownVersions forgets the oldest key first', () => {
    const known = new KnownVersions(2);
    known.remember('a', { state: 'absent' });
    known.remember('b', { state: 'absent' });
    known.remember('a', { state: 'tombstone', version: 2 });
    known.remember('c', { state: 'absent' });
    expect([known.get('a'), known.get('b'), known.get('c')]).toEqual([{ state: 'tombstone', version: 2 }, undefined, { state: 'absent' }]);
  });
});
