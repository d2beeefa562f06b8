import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStateStore } from '../../adapters/local/file-state-store';
import { StateCodecError, StateConflictError, StoreError } from '../../core/errors/millrace-error';
import { MemoryStateStore } from '../../core/state/memory-state-store';
import { encodeUnit } from '../../core/state/snapshot-codec';
import { stateStoreContract } from './state-store.contract';

async function tempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'millrace-state-'));
}

async function removeDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}

stateStoreContract('MemoryStateStore', async () => ({ store: new MemoryStateStore(), cleanup: async () => {} }));

stateStoreContract('FileStateStore', async () => {
  const dir = await tempDir();
  return { store: new FileStateStore(path.join(dir, 'state')), cleanup: () => removeDir(dir) };
});

// Separate instances share nothing but the directory, exactly like separate processes.
stateStoreContract('FileStateStore, a new instance per operation', async () => {
  const dir = await tempDir();
  const fresh = () => new FileStateStore(dir);
  return {
    store: {
      load: keys => fresh().load(keys),
      commit: writes => fresh().commit(writes),
    },
    cleanup: () => removeDir(dir),
  };
});

describe('MemoryStateStore stats', () => {
  test('counts loads, units and bytes', async () => {
    const store = new MemoryStateStore();
    const value = { n: 1, s: 'é🚀' };
    const bytes = Buffer.byteLength(encodeUnit(value));
    await store.commit([
      { key: 'a', value, expectedVersion: null },
      { key: 'b', value, expectedVersion: null },
    ]);
    await store.load(['a', 'b', 'missing']);
    await store.commit([{ key: 'a', value: null, expectedVersion: 1 }]);
    await expect(store.commit([{ key: 'b', value: 1, expectedVersion: 7 }])).rejects.toThrow(StateConflictError);
    expect(store.stats).toEqual({ loads: 1, unitsRead: 2, commits: 2, unitsWritten: 3, bytesRead: 2 * bytes, bytesWritten: 2 * bytes });
  });
});

describe('FileStateStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await removeDir(dir);
  });

  async function listing(): Promise<string[]> {
    return (await fsp.readdir(dir)).sort();
  }

  test('creates the directory and keeps one file per unit, which a new instance reads back', async () => {
    const nested = path.join(dir, 'a', 'b');
    const store = new FileStateStore(nested);
    await store.commit([
      { key: 'q1/window', value: [1, 2], expectedVersion: null },
      { key: 'Q', value: 'upper', expectedVersion: null },
    ]);
    expect((await fsp.readdir(nested)).sort()).toEqual(['%51.json', 'q1%2Fwindow.json']);
    const text = await fsp.readFile(path.join(nested, 'q1%2Fwindow.json'), 'utf8');
    expect(text).toBe(`{"version":1,"key":"q1/window"}\n${encodeUnit([1, 2])}`);
    const other = new FileStateStore(nested);
    expect((await other.load(['q1/window'])).get('q1/window')).toEqual({ key: 'q1/window', version: 1, value: [1, 2] });
  });

  test('counts stats in file bytes', async () => {
    const store = new FileStateStore(dir);
    await store.commit([{ key: 'a', value: { n: 1 }, expectedVersion: null }]);
    const size = (await fsp.stat(path.join(dir, 'a.json'))).size;
    await store.load(['a', 'b']);
    await store.commit([{ key: 'a', value: null, expectedVersion: 1 }]);
    expect(store.stats).toMatchObject({ loads: 1, unitsRead: 1, commits: 2, unitsWritten: 2, bytesRead: size });
    expect(store.stats.bytesWritten).toBeGreaterThan(size);
  });

  test('leaves no lock, journal or temp files behind', async () => {
    const store = new FileStateStore(dir);
    await store.commit([
      { key: 'a', value: 1, expectedVersion: null },
      { key: 'b', value: 1, expectedVersion: null },
    ]);
    await store.commit([{ key: 'a', value: null, expectedVersion: 1 }]);
    await store.load(['a', 'b']);
    await expect(store.commit([{ key: 'b', value: 2, expectedVersion: 9 }])).rejects.toThrow(StateConflictError);
    expect(await listing()).toEqual(['a.json', 'b.json']);
  });

  test('instances racing on one directory: exactly one wins', async () => {
    await new FileStateStore(dir).commit([{ key: 'race', value: 0, expectedVersion: null }]);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => new FileStateStore(dir).commit([{ key: 'race', value: i, expectedVersion: 1 }])),
    );
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter(r => r.status === 'rejected' && r.reason instanceof StateConflictError)).toHaveLength(7);
  });

  test('breaks a lock left by a crashed process', async () => {
    const store = new FileStateStore(dir, { staleLockMs: 200 });
    await store.commit([{ key: 'a', value: 1, expectedVersion: null }]);
    const lock = path.join(dir, '.lock');
    await fsp.mkdir(lock);
    await fsp.writeFile(path.join(lock, 'owner'), 'crashed');
    await fsp.writeFile(path.join(dir, '.tmp-999-orphan'), 'half written');
    const past = new Date(Date.now() - 60_000);
    await fsp.utimes(lock, past, past);
    await store.commit([{ key: 'a', value: 2, expectedVersion: 1 }]);
    expect((await store.load(['a'])).get('a')?.value).toBe(2);
    expect(await listing()).toEqual(['a.json']);
  });

  test('waits for a live lock, then gives up with StoreError', async () => {
    const store = new FileStateStore(dir, { lockTimeoutMs: 150 });
    await store.commit([{ key: 'a', value: 1, expectedVersion: null }]);
    await fsp.mkdir(path.join(dir, '.lock'));
    const started = Date.now();
    await expect(store.commit([{ key: 'a', value: 2, expectedVersion: 1 }])).rejects.toThrow(StoreError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await fsp.rmdir(path.join(dir, '.lock'));
    expect((await store.load(['a'])).get('a')?.value).toBe(1);
  });

  test('a lock released while waiting is taken', async () => {
    const store = new FileStateStore(dir);
    await fsp.mkdir(path.join(dir, '.lock'));
    setTimeout(() => void fsp.rmdir(path.join(dir, '.lock')), 100);
    await store.commit([{ key: 'a', value: 1, expectedVersion: null }]);
    expect((await store.load(['a'])).get('a')?.value).toBe(1);
  });

  test('a multi-unit commit interrupted after its journal is completed by the next operation', async () => {
    const store = new FileStateStore(dir, { staleLockMs: 200 });
    await store.commit([
      { key: 'a', value: 'a1', expectedVersion: null },
      { key: 'b', value: 'b1', expectedVersion: null },
    ]);
    const rename = fsp.rename.bind(fsp);
    jest.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      if (String(to).endsWith('b.json')) throw Object.assign(new Error('EIO: simulated crash'), { code: 'EIO' });
      return rename(from, to);
    });
    await expect(
      store.commit([
        { key: 'a', value: 'a2', expectedVersion: 1 },
        { key: 'b', value: 'b2', expectedVersion: 1 },
      ]),
    ).rejects.toThrow(/journaled but not fully applied/);
    jest.restoreAllMocks();
    expect(await listing()).toEqual(expect.arrayContaining(['.journal']));

    // As if the writer had died holding the lock.
    const lock = path.join(dir, '.lock');
    await fsp.mkdir(lock);
    const past = new Date(Date.now() - 60_000);
    await fsp.utimes(lock, past, past);

    const other = new FileStateStore(dir, { staleLockMs: 200 });
    expect((await other.load(['b'])).get('b')).toEqual({ key: 'b', version: 2, value: 'b2' });
    expect((await other.load(['a'])).get('a')).toEqual({ key: 'a', version: 2, value: 'a2' });
    expect(await listing()).toEqual(['a.json', 'b.json']);
  });

  test('a commit that fails before its point of no return changes nothing', async () => {
    const store = new FileStateStore(dir);
    await store.commit([{ key: 'a', value: 'a1', expectedVersion: null }]);
    jest.spyOn(fsp, 'rename').mockRejectedValue(Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' }));
    await expect(store.commit([{ key: 'a', value: 'a2', expectedVersion: 1 }])).rejects.toThrow(StoreError);
    await expect(
      store.commit([
        { key: 'a', value: 'a2', expectedVersion: 1 },
        { key: 'b', value: 'b1', expectedVersion: null },
      ]),
    ).rejects.toThrow(StoreError);
    jest.restoreAllMocks();
    expect((await store.load(['a', 'b'])).get('a')).toEqual({ key: 'a', version: 1, value: 'a1' });
    expect(await listing()).toEqual(['a.json']);
  });

  test('a corrupt unit file is a StateCodecError naming the file', async () => {
    const store = new FileStateStore(dir);
    await fsp.writeFile(path.join(dir, 'bad.json'), 'not a state file');
    await expect(store.load(['bad'])).rejects.toThrow(StateCodecError);
    await expect(store.load(['bad'])).rejects.toThrow(/bad\.json/);
    await expect(store.commit([{ key: 'bad', value: 1, expectedVersion: null }])).rejects.toThrow(StateCodecError);
    await fsp.writeFile(path.join(dir, 'bad.json'), '{"version":1,"key":"bad"}\n{"format":9,"state":1}');
    await expect(store.load(['bad'])).rejects.toThrow(/bad\.json: stored state has format 9/);
  });
});
