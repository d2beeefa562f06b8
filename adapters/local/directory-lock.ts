/**
 * The commit lock of a FileStateStore's directory, and the journal that makes a multi-file
 * commit all-or-nothing (see file-state-store.ts for the layout).
 *
 * - `.lock/`: mkdir is atomic. Its `owner` file names the holder; its mtime is refreshed while
 *   held, and a lock older than `staleLockMs` is taken to be left by a crashed process and broken.
 * - `.journal`: the renames of a commit being applied; whoever takes the lock next finishes them.
 *
 * @example
 *   const lock = new DirectoryLock(dir, 10_000, 60_000);
 *   await lock.withLock(async held => { ...; await lock.verify(held); ... });
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StateCodecError, storeError, StoreError } from '../../core';

export interface Held {
  readonly token: string;
  readonly heartbeat: ReturnType<typeof setInterval>;
}

export interface Rename {
  readonly from: string;
  readonly to: string;
}

const LOCK = '.lock';
const LOCK_BREAK = '.lock-break';
const JOURNAL = '.journal';
export const TMP_PREFIX = '.tmp-';

export function errorCode(e: unknown): string | undefined {
  return (e as { code?: unknown } | null)?.code as string | undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Renames whose source is gone were already applied (by us before a crash, or by a recovery). */
export async function applyRenames(dir: string, renames: readonly Rename[]): Promise<void> {
  await Promise.all(
    renames.map(async r => {
      try {
        await fs.rename(path.join(dir, r.from), path.join(dir, r.to));
      } catch (e) {
        if (errorCode(e) !== 'ENOENT') throw e;
      }
    }),
  );
}

/** Makes renames durable. Some platforms cannot open a directory; there is nothing more to do there. */
export async function syncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort
  } finally {
    await fh?.close().catch(() => {});
  }
}

export class DirectoryLock {
  readonly journalPath: string;
  private readonly lockDir: string;
  /** Serialises this instance's locked sections, so they queue here instead of polling the lock. */
  private queue: Promise<void> = Promise.resolve();
  /** Set after breaking a stale lock: the crashed holder may have left temp files behind. */
  private sweepNeeded = false;

  constructor(
    private readonly dir: string,
    private readonly staleLockMs: number,
    private readonly lockTimeoutMs: number,
  ) {
    this.lockDir = path.join(dir, LOCK);
    this.journalPath = path.join(dir, JOURNAL);
  }

  async withLock<T>(fn: (held: Held) => Promise<T>): Promise<T> {
    const previous = this.queue;
    let done!: () => void;
    this.queue = new Promise<void>(resolve => (done = resolve));
    await previous;
    try {
      const held = await this.acquire();
      try {
        await this.recover();
        return await fn(held);
      } finally {
        await this.release(held);
      }
    } finally {
      done();
    }
  }

  private async acquire(): Promise<Held> {
    const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
    const deadline = Date.now() + this.lockTimeoutMs;
    let delay = 1;
    for (;;) {
      try {
        await fs.mkdir(this.lockDir);
        try {
          await fs.writeFile(path.join(this.lockDir, 'owner'), token);
        } catch (e) {
          await fs.rm(this.lockDir, { recursive: true, force: true }).catch(() => {});
          throw e;
        }
        break;
      } catch (e) {
        if (errorCode(e) !== 'EEXIST') throw storeError(`could not lock ${this.dir}`, e);
      }
      if (await this.breakStaleLock()) continue;
      if (Date.now() >= deadline) {
        throw new StoreError(`could not lock ${this.dir} within ${this.lockTimeoutMs} ms (another process holds ${this.lockDir})`);
      }
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 50);
    }
    // Keep the lock fresh so a long commit is not mistaken for a crashed one.
    const heartbeat = setInterval(() => {
      const now = new Date();
      fs.utimes(this.lockDir, now, now).catch(() => {});
    }, Math.max(10, Math.floor(this.staleLockMs / 4)));
    heartbeat.unref();
    return { token, heartbeat };
  }

  /**
   * Removes a lock whose holder stopped refreshing it. Breakers serialise on a second directory
   * and re-check that the lock is still the stale one they saw, so two of them cannot both remove
   * it and one of them take away a lock the other just acquired. Returns whether to retry now.
   */
  private async breakStaleLock(): Promise<boolean> {
    let seen;
    try {
      seen = await fs.stat(this.lockDir);
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return true;
      throw storeError(`could not inspect ${this.lockDir}`, e);
    }
    if (Date.now() - seen.mtimeMs < this.staleLockMs) return false;
    const breakDir = path.join(this.dir, LOCK_BREAK);
    try {
      await fs.mkdir(breakDir);
    } catch (e) {
      if (errorCode(e) !== 'EEXIST') throw storeError(`could not lock ${this.dir}`, e);
      // Another process is breaking the lock, or crashed while doing so.
      const st = await fs.stat(breakDir).catch(() => null);
      if (st !== null && Date.now() - st.mtimeMs >= this.staleLockMs) await fs.rmdir(breakDir).catch(() => {});
      return false;
    }
    try {
      const again = await fs.stat(this.lockDir).catch(() => null);
      if (again !== null && again.ino === seen.ino && again.mtimeMs === seen.mtimeMs) {
        await fs.rm(this.lockDir, { recursive: true, force: true });
        this.sweepNeeded = true;
      }
    } finally {
      await fs.rmdir(breakDir).catch(() => {});
    }
    return true;
  }

  async verify(held: Held): Promise<void> {
    const owner = await fs.readFile(path.join(this.lockDir, 'owner'), 'utf8').catch(() => null);
    if (owner !== held.token) {
      throw new StoreError(`lost the lock on ${this.dir} (it was broken as stale; is staleLockMs too short?)`);
    }
  }

  private async release(held: Held): Promise<void> {
    clearInterval(held.heartbeat);
    const owner = await fs.readFile(path.join(this.lockDir, 'owner'), 'utf8').catch(() => null);
    // Someone broke our lock and took it: it is theirs to remove.
    if (owner === held.token) await fs.rm(this.lockDir, { recursive: true, force: true }).catch(() => {});
  }

  /** Under the lock: finishes a commit that a crashed or failed writer journaled, then tidies up. */
  private async recover(): Promise<void> {
    let journal: string | null = null;
    try {
      journal = await fs.readFile(this.journalPath, 'utf8');
    } catch (e) {
      if (errorCode(e) !== 'ENOENT') throw storeError(`could not read ${this.journalPath}`, e);
    }
    if (journal !== null) {
      let renames: Rename[];
      try {
        renames = JSON.parse(journal) as Rename[];
        if (!Array.isArray(renames)) throw new Error('not a list');
      } catch (e) {
        throw new StateCodecError(`${this.journalPath} is corrupt; the last commit cannot be completed`, { cause: e });
      }
      try {
        await applyRenames(this.dir, renames);
        await syncDir(this.dir);
        await fs.unlink(this.journalPath);
      } catch (e) {
        throw storeError(`could not complete the journaled commit in ${this.dir}`, e);
      }
      this.sweepNeeded = true;
    }
    if (this.sweepNeeded) {
      this.sweepNeeded = false;
      // Every temp file is written under the lock, which we hold: the ones left are orphans.
      const names = await fs.readdir(this.dir).catch(() => [] as string[]);
      await Promise.all(
        names.filter(n => n.startsWith(TMP_PREFIX)).map(n => fs.unlink(path.join(this.dir, n)).catch(() => {})),
      );
    }
  }
}
