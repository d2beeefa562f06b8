/**
 * The behaviour every StateStore must have. Run it against an implementation with
 * `stateStoreContract('MyStore', async () => ({ store, cleanup }))` from a `*.test.ts` file.
 *
 * @example
 *   stateStoreContract('MemoryStateStore', async () => ({ store: new MemoryStateStore(), cleanup: async () => {} }));
 */
import { StateCodecError, StateConflictError, StoreError } from '../../core/errors/millrace-error';
import type { Json } from '../../core/state/json';
import { encodeUnit } from '../../core/state/snapshot-codec';
import type { StateStore, UnitWrite } from '../../core/state/state-store';

export interface StoreUnderTest {
  store: StateStore;
  /** A `@store` table the store can write rows to (created by the backend's set-up when it needs one). */
  rowTable?: string;
  cleanup(): Promise<void>;
}

/** Runs `op`, expecting StateConflictError, and returns it. */
async function conflict(op: Promise<unknown>): Promise<StateConflictError> {
  try {
    await op;
  } catch (e) {
    expect(e).toBeInstanceOf(StateConflictError);
    return e as StateConflictError;
  }
  throw new Error('expected a StateConflictError');
}

export function stateStoreContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`StateStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: StateStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    async function valueOf(key: string): Promise<Json | undefined> {
      return (await store.load([key])).get(key)?.value;
    }

    async function versionOf(key: string): Promise<number | undefined> {
      return (await store.load([key])).get(key)?.version;
    }

    test('loading missing keys gives an empty map', async () => {
      expect((await store.load(['nope', 'also-nope'])).size).toBe(0);
      expect((await store.load([])).size).toBe(0);
    });

    test('creates a unit with expectedVersion null at version 1', async () => {
      const versions = await store.commit([{ key: 'a', value: { n: 1 }, expectedVersion: null }]);
      expect([...versions]).toEqual([['a', 1]]);
      const loaded = await store.load(['a', 'missing']);
      expect([...loaded.keys()]).toEqual(['a']);
      expect(loaded.get('a')).toEqual({ key: 'a', version: 1, value: { n: 1 } });
    });

    test('creating a unit that exists is a conflict', async () => {
      await store.commit([{ key: 'a', value: 1, expectedVersion: null }]);
      const e = await conflict(store.commit([{ key: 'a', value: 2, expectedVersion: null }]));
      expect(e.key).toBe('a');
      expect(e.expectedVersion).toBeNull();
      expect(e.currentVersion).toBe(1);
      expect(e.code).toBe('STATE_CONFLICT');
      expect(await valueOf('a')).toBe(1);
    });

    test('updates with the loaded version', async () => {
      await store.commit([{ key: 'a', value: 'one', expectedVersion: null }]);
      const versions = await store.commit([{ key: 'a', value: 'two', expectedVersion: 1 }]);
      expect(versions.get('a')).toBe(2);
      expect((await store.load(['a'])).get('a')).toEqual({ key: 'a', version: 2, value: 'two' });
    });

    test('a stale version is a conflict carrying the current version, and writes nothing', async () => {
      await store.commit([{ key: 'a', value: 'one', expectedVersion: null }]);
      await store.commit([{ key: 'a', value: 'two', expectedVersion: 1 }]);
      const e = await conflict(store.commit([{ key: 'a', value: 'stale', expectedVersion: 1 }]));
      expect(e).toMatchObject({ key: 'a', expectedVersion: 1, currentVersion: 2 });
      expect(await valueOf('a')).toBe('two');
    });

    test('updating a unit that does not exist is a conflict with currentVersion null', async () => {
      const e = await conflict(store.commit([{ key: 'ghost', value: 1, expectedVersion: 3 }]));
      expect(e).toMatchObject({ key: 'ghost', expectedVersion: 3, currentVersion: null });
      expect(await valueOf('ghost')).toBeUndefined();
    });

    test('versions increase by exactly 1 per commit', async () => {
      let version: number | null = null;
      for (let i = 0; i < 6; i++) {
        const versions: Map<string, number> = await store.commit([{ key: 'v', value: i, expectedVersion: version }]);
        expect(versions.get('v')).toBe(i + 1);
        version = versions.get('v') ?? null;
      }
      expect(await versionOf('v')).toBe(6);
    });

    test('value null deletes the unit', async () => {
      await store.commit([{ key: 'a', value: [1], expectedVersion: null }]);
      const versions = await store.commit([{ key: 'a', value: null, expectedVersion: 1 }]);
      expect(versions.has('a')).toBe(false);
      expect((await store.load(['a'])).size).toBe(0);
      // Gone means a fresh create is expected next.
      await conflict(store.commit([{ key: 'a', value: [2], expectedVersion: 1 }]));
      const again = await store.commit([{ key: 'a', value: [2], expectedVersion: null }]);
      expect(await valueOf('a')).toEqual([2]);
      // The re-created unit never reuses a version an old writer may still hold.
      expect(again.get('a')).toBeGreaterThan(1);
      await conflict(store.commit([{ key: 'a', value: [3], expectedVersion: 1 }]));
    });

    test('deleting with a stale version is a conflict', async () => {
      await store.commit([{ key: 'a', value: 1, expectedVersion: null }]);
      await store.commit([{ key: 'a', value: 2, expectedVersion: 1 }]);
      const e = await conflict(store.commit([{ key: 'a', value: null, expectedVersion: 1 }]));
      expect(e.currentVersion).toBe(2);
      expect(await valueOf('a')).toBe(2);
    });

    test('deleting a unit that does not exist changes nothing', async () => {
      const versions = await store.commit([{ key: 'none', value: null, expectedVersion: null }]);
      expect(versions.size).toBe(0);
      expect(await store.commit([{ key: 'none', value: 1, expectedVersion: null }])).toEqual(new Map([['none', 1]]));
      await conflict(store.commit([{ key: 'other', value: null, expectedVersion: 2 }]));
    });

    test('a multi-unit commit is all-or-nothing', async () => {
      await store.commit([
        { key: 'a', value: 'a1', expectedVersion: null },
        { key: 'b', value: 'b1', expectedVersion: null },
        { key: 'c', value: 'c1', expectedVersion: null },
      ]);
      await store.commit([{ key: 'b', value: 'b2', expectedVersion: 1 }]);
      const e = await conflict(
        store.commit([
          { key: 'a', value: 'a-new', expectedVersion: 1 },
          { key: 'b', value: 'b-new', expectedVersion: 1 },
          { key: 'c', value: null, expectedVersion: 1 },
          { key: 'd', value: 'd-new', expectedVersion: null },
        ]),
      );
      expect(e).toMatchObject({ key: 'b', expectedVersion: 1, currentVersion: 2 });
      const loaded = await store.load(['a', 'b', 'c', 'd']);
      expect(Object.fromEntries([...loaded].map(([k, u]) => [k, [u.version, u.value]]))).toEqual({
        a: [1, 'a1'],
        b: [2, 'b2'],
        c: [1, 'c1'],
      });
    });

    test('a multi-unit commit applies every write and returns every new version', async () => {
      await store.commit([{ key: 'a', value: 1, expectedVersion: null }, { key: 'b', value: 1, expectedVersion: null }]);
      const versions = await store.commit([
        { key: 'a', value: 2, expectedVersion: 1 },
        { key: 'b', value: null, expectedVersion: 1 },
        { key: 'c', value: 1, expectedVersion: null },
      ]);
      expect(Object.fromEntries(versions)).toEqual({ a: 2, c: 1 });
      const loaded = await store.load(['a', 'b', 'c']);
      expect(Object.fromEntries([...loaded].map(([k, u]) => [k, u.value]))).toEqual({ a: 2, c: 1 });
    });

    test('a value that is not JSON-safe fails the whole commit', async () => {
      await expect(
        store.commit([
          { key: 'good', value: 1, expectedVersion: null },
          { key: 'bad', value: { x: NaN }, expectedVersion: null },
        ]),
      ).rejects.toThrow(StateCodecError);
      expect((await store.load(['good', 'bad'])).size).toBe(0);
    });

    test('a key written twice in one commit is rejected', async () => {
      const writes: UnitWrite[] = [
        { key: 'a', value: 1, expectedVersion: null },
        { key: 'a', value: 2, expectedVersion: null },
      ];
      await expect(store.commit(writes)).rejects.toThrow(StoreError);
      expect((await store.load(['a'])).size).toBe(0);
    });

    test('values round-trip exactly', async () => {
      const values: Record<string, Json> = {
        nested: { a: { b: { c: [1, [2, [3, { d: 'e' }]]] } }, empty: {}, list: [] },
        numbers: [
          0,
          -0,
          -1,
          1.5,
          -2.75e-10,
          0.1 + 0.2,
          Number.MAX_SAFE_INTEGER,
          -Number.MAX_SAFE_INTEGER,
          2 ** 63,
          -(2 ** 63),
          Number.MAX_VALUE,
          Number.MIN_VALUE,
        ],
        unicode: { 'ключ': 'héllo wörld 🚀 日本語', lone: '\ud800', quotes: '"\\\n\u0000' },
        emptyObject: {},
        emptyArray: [],
        scalar: 'text',
        flag: false,
        big: Array.from({ length: 2000 }, (_, i) => ({ id: i, v: i / 7, s: `event-${i}` })),
      };
      await store.commit(Object.entries(values).map(([key, value]) => ({ key, value, expectedVersion: null })));
      const loaded = await store.load(Object.keys(values));
      for (const [key, value] of Object.entries(values)) expect(loaded.get(key)?.value).toEqual(value);
      const numbers = loaded.get('numbers')?.value as number[];
      expect(Object.is(numbers[1], -0)).toBe(true);
    });

    test('keys are arbitrary strings and stay distinct', async () => {
      const keys = ['q1/window', 'Q1/window', 'q1/Window', '..', '.', '', 'a b', 'a%20b', 'a~b', 'ü', 'u\u0308', '*?<>|:', 'k'.repeat(500), `${'k'.repeat(500)}x`, '\ud800'];
      await store.commit(keys.map((key, i) => ({ key, value: i, expectedVersion: null })));
      const loaded = await store.load(keys);
      expect(loaded.size).toBe(keys.length);
      keys.forEach((key, i) => expect(loaded.get(key)).toEqual({ key, version: 1, value: i }));
    });

    test('loaded values are independent copies', async () => {
      await store.commit([{ key: 'a', value: { list: [1] }, expectedVersion: null }]);
      const first = (await store.load(['a'])).get('a')?.value as { list: number[] };
      first.list.push(2);
      expect(await valueOf('a')).toEqual({ list: [1] });
    });

    test('concurrent commits from the same loaded version: exactly one wins', async () => {
      await store.commit([{ key: 'race', value: 'start', expectedVersion: null }]);
      const loaded = (await store.load(['race'])).get('race');
      const attempts = Array.from({ length: 8 }, (_, i) =>
        store.commit([{ key: 'race', value: `writer-${i}`, expectedVersion: loaded?.version ?? null }]),
      );
      const results = await Promise.allSettled(attempts);
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toBeInstanceOf(StateConflictError);
          expect(r.reason).toMatchObject({ key: 'race', expectedVersion: 1, currentVersion: 2 });
        }
      }
      expect((await store.load(['race'])).get('race')).toEqual({ key: 'race', version: 2, value: `writer-${won[0]}` });
    });

    test('concurrent read-modify-write retry loops lose no update', async () => {
      const writers = 8;
      const increments = 10;
      async function writer(): Promise<void> {
        for (let done = 0; done < increments; ) {
          const unit = (await store.load(['counter'])).get('counter');
          const n = unit === undefined ? 0 : (unit.value as { n: number }).n;
          try {
            await store.commit([{ key: 'counter', value: { n: n + 1 }, expectedVersion: unit?.version ?? null }]);
            done++;
          } catch (e) {
            if (!(e instanceof StateConflictError)) throw e;
          }
        }
      }
      await Promise.all(Array.from({ length: writers }, writer));
      const unit = (await store.load(['counter'])).get('counter');
      expect(unit?.value).toEqual({ n: writers * increments });
      expect(unit?.version).toBe(writers * increments);
    }, 30_000);

    test('dueUnits lists live units due at or before now, earliest first, up to the limit', async () => {
      // Prepare
      await store.commit([
        { key: 'late', value: 1, expectedVersion: null, nextDue: 3000 },
        { key: 'early', value: 1, expectedVersion: null, nextDue: 1000 },
        { key: 'exact', value: 1, expectedVersion: null, nextDue: 2000 },
        { key: 'no-timer', value: 1, expectedVersion: null, nextDue: null },
        { key: 'omitted', value: 1, expectedVersion: null },
        { key: 'future', value: 1, expectedVersion: null, nextDue: 9_000_000_000_000 },
      ]);
      // Act and assess
      expect(await store.dueUnits(2000, 10)).toEqual(['early', 'exact']);
      expect(await store.dueUnits(5000, 10)).toEqual(['early', 'exact', 'late']);
      expect(await store.dueUnits(5000, 2)).toEqual(['early', 'exact']);
      expect(await store.dueUnits(5000, 0)).toEqual([]);
      expect(await store.dueUnits(999, 10)).toEqual([]);
      expect(await store.dueUnits(-1, 10)).toEqual([]);
      await expect(store.dueUnits(NaN, 10)).rejects.toThrow(StoreError);
      await expect(store.dueUnits(0, -1)).rejects.toThrow(StoreError);
    });

    test('nextDue is replaced by every write and goes with a delete', async () => {
      await store.commit([
        { key: 'a', value: 1, expectedVersion: null, nextDue: 100 },
        { key: 'b', value: 1, expectedVersion: null, nextDue: 200 },
        { key: 'c', value: 1, expectedVersion: null, nextDue: 300 },
        { key: 'odd key/é🚀', value: 1, expectedVersion: null, nextDue: 50 },
      ]);
      expect(await store.dueUnits(1000, 10)).toEqual(['odd key/é🚀', 'a', 'b', 'c']);
      await store.commit([
        { key: 'a', value: 2, expectedVersion: 1, nextDue: 400 },
        { key: 'b', value: 2, expectedVersion: 1 },
        { key: 'c', value: null, expectedVersion: 1 },
        { key: 'odd key/é🚀', value: 2, expectedVersion: 1, nextDue: 50.5 },
      ]);
      expect(await store.dueUnits(1000, 10)).toEqual(['odd key/é🚀', 'a']);
      // A failed commit changes no due time.
      await conflict(store.commit([{ key: 'a', value: 3, expectedVersion: 1, nextDue: 1 }]));
      expect(await store.dueUnits(350, 10)).toEqual(['odd key/é🚀']);
      // A re-created unit has the due time of its new write.
      await store.commit([{ key: 'c', value: 1, expectedVersion: null, nextDue: 10 }]);
      expect(await store.dueUnits(1000, 10)).toEqual(['c', 'odd key/é🚀', 'a']);
      await expect(store.commit([{ key: 'd', value: 1, expectedVersion: null, nextDue: Infinity }])).rejects.toThrow(StoreError);
      // expiresAt is a hint: the unit loads as usual before any backend removes it.
      await store.commit([{ key: 'e', value: 1, expectedVersion: null, expiresAt: 4_000_000_000_000 }]);
      expect((await store.load(['e'])).get('e')).toEqual({ key: 'e', version: 1, value: 1 });
    });

    test('very long keys round-trip and are listed as due', async () => {
      const long = `app/${'partition-'.repeat(400)}/é🚀%#/\ud800`;
      const longer = `${long}x`;
      await store.commit([
        { key: long, value: 'long', expectedVersion: null, nextDue: 10 },
        { key: longer, value: 'longer', expectedVersion: null, nextDue: 20 },
      ]);
      const loaded = await store.load([long, longer]);
      expect(loaded.get(long)).toEqual({ key: long, version: 1, value: 'long' });
      expect(loaded.get(longer)).toEqual({ key: longer, version: 1, value: 'longer' });
      expect(await store.dueUnits(100, 10)).toEqual([long, longer]);
      await store.commit([{ key: long, value: null, expectedVersion: 1 }]);
      expect(await store.dueUnits(100, 10)).toEqual([longer]);
    });

    test('large units (over 1 MB) round-trip, shrink, grow again and are deleted', async () => {
      // Prepare: text that compresses poorly, so the stored form stays large too.
      const big = noise(1_500_000, 1);
      const bigger = { list: noise(2_200_000, 2), small: [1, 2, 3] };
      expect(encodeUnit(big).length).toBeGreaterThan(1_400_000);
      // Act and assess
      const v1 = await store.commit([{ key: 'big', value: big, expectedVersion: null, nextDue: 5 }]);
      expect(v1.get('big')).toBe(1);
      expect((await store.load(['big'])).get('big')).toEqual({ key: 'big', version: 1, value: big });
      await store.commit([{ key: 'big', value: { shrunk: true }, expectedVersion: 1 }]);
      expect((await store.load(['big'])).get('big')).toEqual({ key: 'big', version: 2, value: { shrunk: true } });
      await store.commit([{ key: 'big', value: bigger, expectedVersion: 2 }]);
      expect((await store.load(['big', 'missing'])).get('big')).toEqual({ key: 'big', version: 3, value: bigger });
      await store.commit([{ key: 'big', value: big, expectedVersion: 3 }]);
      expect((await store.load(['big'])).get('big')?.value).toEqual(big);
      await store.commit([{ key: 'big', value: null, expectedVersion: 4 }]);
      expect((await store.load(['big'])).size).toBe(0);
      expect(await store.dueUnits(10, 10)).toEqual([]);
      const again = await store.commit([{ key: 'big', value: 'small now', expectedVersion: null }]);
      expect(again.get('big')).toBe(6);
      expect((await store.load(['big'])).get('big')?.value).toBe('small now');
    }, 60_000);

    test('a commit with a large unit is all-or-nothing too', async () => {
      await store.commit([{ key: 'a', value: 'a1', expectedVersion: null }, { key: 'b', value: 'b1', expectedVersion: null }]);
      await store.commit([{ key: 'b', value: 'b2', expectedVersion: 1 }]);
      const e = await conflict(
        store.commit([
          { key: 'a', value: noise(1_200_000, 3), expectedVersion: 1 },
          { key: 'big-new', value: noise(1_100_000, 4), expectedVersion: null },
          { key: 'b', value: 'stale', expectedVersion: 1 },
        ]),
      );
      expect(e).toMatchObject({ key: 'b', expectedVersion: 1, currentVersion: 2 });
      const loaded = await store.load(['a', 'b', 'big-new']);
      expect(Object.fromEntries([...loaded].map(([k, u]) => [k, [u.version, u.value]]))).toEqual({ a: [1, 'a1'], b: [2, 'b2'] });
      // Two large units in one commit.
      const x = noise(1_100_000, 5);
      const y = noise(1_050_000, 6);
      await store.commit([
        { key: 'a', value: x, expectedVersion: 1 },
        { key: 'big-new', value: y, expectedVersion: null },
      ]);
      const both = await store.load(['a', 'big-new']);
      expect(both.get('a')).toEqual({ key: 'a', version: 2, value: x });
      expect(both.get('big-new')).toEqual({ key: 'big-new', version: 1, value: y });
    }, 60_000);

    describe('rows of @store tables', () => {
      let table: string;
      beforeEach(() => {
        table = subject.rowTable ?? 'Rows';
      });

      test('a table with no rows loads empty, by keys and whole', async () => {
        expect((await store.loadRows(table, ['["a"]'])).size).toBe(0);
        expect((await store.loadRows(table, null)).size).toBe(0);
        expect((await store.loadRows(table, [])).size).toBe(0);
      });

      test('rows written with a commit load by key (missing keys absent) and all together', async () => {
        // Prepare
        const rows = { '["a"]': { sym: 'a', qty: 1 }, '["b"]': { sym: 'b', qty: 2 }, '["c"]': { sym: 'c', qty: 3 } };
        // Act
        const versions = await store.commit(
          [{ key: 'g', value: 1, expectedVersion: null }],
          Object.entries(rows).map(([key, row]) => ({ table, key, row })),
        );
        // Assess
        expect([...versions]).toEqual([['g', 1]]);
        const some = await store.loadRows(table, ['["a"]', '["zz"]', '["c"]']);
        expect(new Map([...some].sort())).toEqual(new Map([['["a"]', rows['["a"]']], ['["c"]', rows['["c"]']]]));
        expect(new Map([...(await store.loadRows(table, null))].sort())).toEqual(new Map(Object.entries(rows)));
      });

      test('a row keeps every value form the codec produces', async () => {
        const row = {
          s: 'text',
          empty: '',
          int: 42,
          negative: -7,
          double: 3.25,
          big: 9007199254740991,
          yes: true,
          no: false,
          nothing: null,
          set: { $set: ['x', 1] },
          map: { $map: [['k', [1, 2]], [2, { $num: 'NaN' }]] },
          list: { $list: [[1, [2, 'three']], null] },
          unicode: 'ünï 漢字 😀',
        };
        await store.commit([], [{ table, key: '[1]', row }]);
        expect((await store.loadRows(table, ['[1]'])).get('[1]')).toEqual(row);
        expect((await store.loadRows(table, null)).get('[1]')).toEqual(row);
      });

      test('a row is replaced by a later write and removed by a null one; removing a missing row is no error', async () => {
        await store.commit([], [{ table, key: '["a"]', row: { v: 1 } }, { table, key: '["b"]', row: { v: 2 } }]);
        await store.commit([], [{ table, key: '["a"]', row: { v: 10 } }, { table, key: '["b"]', row: null }, { table, key: '["never"]', row: null }]);
        expect([...(await store.loadRows(table, null))]).toEqual([['["a"]', { v: 10 }]]);
      });

      test('keys of any characters and length', async () => {
        const keys = ['["a/b#c%d"]', '["."]', '[".."]', '["__x__"]', `["${'k'.repeat(2000)}"]`, '["ü 漢 😀"]', '[1,"two",3.5]'];
        await store.commit([], keys.map((key, i) => ({ table, key, row: { i } })));
        const byKey = await store.loadRows(table, keys);
        expect(keys.map(k => byKey.get(k))).toEqual(keys.map((_, i) => ({ i })));
        expect((await store.loadRows(table, null)).size).toBe(keys.length);
      });

      test('a commit whose unit conflicts writes none of its rows', async () => {
        await store.commit([{ key: 'g', value: 1, expectedVersion: null }]);
        await conflict(store.commit([{ key: 'g', value: 2, expectedVersion: null }], [{ table, key: '["a"]', row: { v: 1 } }]));
        expect((await store.loadRows(table, null)).size).toBe(0);
      });

      test('malformed row writes are refused before anything is written', async () => {
        const g = { key: 'g', value: 1, expectedVersion: null };
        await expect(store.commit([g], [{ table, key: '["a"]', row: { v: 1 } }, { table, key: '["a"]', row: null }])).rejects.toThrow(StoreError);
        await expect(store.commit([g], [{ table, key: '', row: { v: 1 } }])).rejects.toThrow(StoreError);
        await expect(store.commit([g], [{ table: '', key: '["a"]', row: { v: 1 } }])).rejects.toThrow(StoreError);
        expect(await store.load(['g'])).toEqual(new Map());
        expect((await store.loadRows(table, null)).size).toBe(0);
      });
    });
  });
}

/**
 * About `chars` characters of deterministic noise, as a list of strings: random-looking enough
 * that gzip cannot shrink it much, so stores that compress still have to split it.
 */
function noise(chars: number, seed: number): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let x = (seed * 2654435761) >>> 0 || 1;
  const out: string[] = [];
  for (let done = 0; done < chars; done += 100) {
    let s = '';
    for (let i = 0; i < 100; i++) {
      // xorshift32
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      s += alphabet[x & 63];
    }
    out.push(s);
  }
  return out;
}
