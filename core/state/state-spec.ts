import { EngineUsageError, MillraceError, StateCodecError } from '../errors/millrace-error';
import type { Json } from './json';
import { describeFound, int, json, record, type Shape } from './shape';

/**
 * How one piece of operator state is created, written to a JSON-safe snapshot and read back.
 * `version` changes whenever the snapshot layout changes; a stored snapshot of another version is
 * not restored (the state starts fresh and the runtime reports it). `shape` is what a snapshot of
 * this version looks like: the registry checks every stored snapshot against it before `restore`
 * sees it, so `restore` only ever gets what `snapshot` could have written (see shape.ts).
 *
 * @example
 *   const counter: StateSpec<{ n: number }> = {
 *     version: 1, shape: record({ n: num() }), create: () => ({ n: 0 }), snapshot: s => ({ n: s.n }), restore: j => ({ n: (j as any).n }),
 *   };
 */
export interface StateSpec<S> {
  readonly version: number;
  readonly shape: Shape;
  create(): S;
  snapshot(state: S): Json;
  restore(snapshot: Json): S;
  /**
   * Earlier layouts that still restore, by version: what a snapshot of that version looks like
   * and how it becomes one of this version (checked against `shape` again before `restore`).
   * Any other version starts fresh.
   */
  readonly older?: { readonly [version: number]: { readonly shape: Shape; upgrade(snapshot: Json): Json } };
}

/** How a registry treats a piece of state missing from a stored snapshot. */
export interface RegisterOptions {
  /** Every snapshot of a unit holding this state has it (the clock): missing is damage, not a fresh start. */
  readonly required?: boolean;
}

/** The holder an operator reads its state through, so that a restore replaces it in place. */
export interface StateCell<S> {
  value: S;
}

interface Entry {
  readonly spec: StateSpec<unknown>;
  readonly cell: StateCell<unknown>;
  readonly required: boolean;
}

const STORED = record({ v: int(), s: json() });

/** The message of a restore's failure, by the state it failed on. */
function failedState(name: string, version: unknown, e: unknown): StateCodecError {
  const where = version === undefined ? `state '${name}'` : `state '${name}' (version ${String(version)})`;
  if (e instanceof StateCodecError) return new StateCodecError(`${where}: ${e.message}`, { cause: e });
  // A spec's restore failing on a snapshot its shape let through: the shape misses a rule.
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new StateCodecError(`${where}: could not be restored (${detail})`, { cause: e });
}

/** What a restore did with each stored piece of state. */
export interface RestoreReport {
  /** Stored under a name that the app no longer has. */
  readonly unknown: string[];
  /** Stored with another layout version that the spec cannot upgrade: started fresh instead. */
  readonly versionChanged: string[];
}

/**
 * Every piece of state of one runtime, by unique name. The runtime decides the names (one per
 * operator, e.g. `q/totals/window`), so a snapshot is just the map of their snapshots.
 */
export class StateRegistry {
  private readonly entries = new Map<string, Entry>();

  register<S>(name: string, spec: StateSpec<S>, options: RegisterOptions = {}): StateCell<S> {
    if (this.entries.has(name)) throw new EngineUsageError(`state '${name}' registered twice`);
    const cell: StateCell<S> = { value: spec.create() };
    this.entries.set(name, { spec: spec as StateSpec<unknown>, cell: cell as StateCell<unknown>, required: options.required === true });
    return cell;
  }

  snapshot(): { [name: string]: { v: number; s: Json } } {
    const out: { [name: string]: { v: number; s: Json } } = {};
    for (const [name, { spec, cell }] of this.entries) out[name] = { v: spec.version, s: spec.snapshot(cell.value) };
    return out;
  }

  /**
   * Restores every registered state from a stored snapshot (any JSON: it is checked here). A
   * state missing from it starts fresh (a query whose fingerprint changed has a new name), unless
   * it is required; a stored state of another version starts fresh and is reported. Anything
   * else that does not fit the state's shape throws StateCodecError naming the state, its
   * version, the path and what is wrong; the cells are left as they were then only in part, so a
   * runtime whose restore failed is not used any further.
   */
  restore(snapshot: unknown): RestoreReport {
    if (snapshot === null || typeof snapshot !== 'object' || Array.isArray(snapshot))
      throw new StateCodecError(`expected an object of named states, found ${describeFound(snapshot)}`);
    const states = snapshot as Record<string, unknown>;
    // Every snapshot of a runtime with state names it all; none at all is damage, not a fresh start.
    if (this.entries.size && !Object.keys(states).length) throw new StateCodecError(`no state stored, where there are ${this.entries.size} states to restore`);
    const unknown: string[] = [];
    const versionChanged: string[] = [];
    for (const name of Object.keys(states)) {
      if (!this.entries.has(name)) unknown.push(name);
      try {
        STORED.check(states[name], '');
      } catch (e) {
        throw failedState(name, undefined, e);
      }
    }
    for (const [name, { spec, cell, required }] of this.entries) {
      const stored = Object.hasOwn(states, name) ? (states[name] as { v: number; s: Json }) : undefined;
      if (stored === undefined) {
        if (required) throw new StateCodecError(`state '${name}' is missing (every stored snapshot of such a unit has it)`);
        cell.value = spec.create();
      } else if (stored.v !== spec.version && !(spec.older && Object.hasOwn(spec.older, stored.v))) {
        versionChanged.push(name);
        cell.value = spec.create();
      } else {
        try {
          let s = stored.s;
          const older = stored.v !== spec.version ? spec.older![stored.v] : undefined;
          if (older) {
            older.shape.check(s, '.s');
            s = older.upgrade(s);
          }
          spec.shape.check(s, '.s');
          cell.value = spec.restore(s);
        } catch (e) {
          if (e instanceof MillraceError && !(e instanceof StateCodecError)) throw e;
          throw failedState(name, stored.v, e);
        }
      }
    }
    return { unknown, versionChanged };
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}

/** A spec for state that is already a JSON-safe value and is copied on snapshot. */
export function jsonStateSpec<S extends Json>(version: number, shape: Shape, create: () => S): StateSpec<S> {
  return {
    version,
    shape,
    create,
    snapshot: s => JSON.parse(JSON.stringify(s)) as Json,
    restore: j => j as S,
  };
}
