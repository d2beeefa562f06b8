import { EngineUsageError } from '../errors/millrace-error';
import type { Json } from './json';

/**
 * How one piece of operator state is created, written to a JSON-safe snapshot and read back.
 * `version` changes whenever the snapshot layout changes; a stored snapshot of another version is
 * not restored (the state starts fresh and the runtime reports it).
 *
 * @example
 *   const counter: StateSpec<{ n: number }> = {
 *     version: 1, create: () => ({ n: 0 }), snapshot: s => ({ n: s.n }), restore: j => ({ n: (j as any).n }),
 *   };
 */
export interface StateSpec<S> {
  readonly version: number;
  create(): S;
  snapshot(state: S): Json;
  restore(snapshot: Json): S;
}

/** The holder an operator reads its state through, so that a restore replaces it in place. */
export interface StateCell<S> {
  value: S;
}

interface Entry {
  readonly spec: StateSpec<unknown>;
  readonly cell: StateCell<unknown>;
}

/** What a restore did with each stored piece of state. */
export interface RestoreReport {
  /** Stored under a name that the app no longer has. */
  readonly unknown: string[];
  /** Stored with another layout version: started fresh instead. */
  readonly versionChanged: string[];
}

/**
 * Every piece of state of one runtime, by unique name. The runtime decides the names (one per
 * operator, e.g. `q/totals/window`), so a snapshot is just the map of their snapshots.
 */
export class StateRegistry {
  private readonly entries = new Map<string, Entry>();

  register<S>(name: string, spec: StateSpec<S>): StateCell<S> {
    if (this.entries.has(name)) throw new EngineUsageError(`state '${name}' registered twice`);
    const cell: StateCell<S> = { value: spec.create() };
    this.entries.set(name, { spec: spec as StateSpec<unknown>, cell: cell as StateCell<unknown> });
    return cell;
  }

  snapshot(): { [name: string]: { v: number; s: Json } } {
    const out: { [name: string]: { v: number; s: Json } } = {};
    for (const [name, { spec, cell }] of this.entries) out[name] = { v: spec.version, s: spec.snapshot(cell.value) };
    return out;
  }

  restore(snapshot: { [name: string]: { v: number; s: Json } }): RestoreReport {
    const unknown: string[] = [];
    const versionChanged: string[] = [];
    for (const name of Object.keys(snapshot)) if (!this.entries.has(name)) unknown.push(name);
    for (const [name, { spec, cell }] of this.entries) {
      const stored = snapshot[name];
      if (stored === undefined) cell.value = spec.create();
      else if (stored.v !== spec.version) {
        versionChanged.push(name);
        cell.value = spec.create();
      } else cell.value = spec.restore(stored.s);
    }
    return { unknown, versionChanged };
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}

/** A spec for state that is already a JSON-safe value and is copied on snapshot. */
export function jsonStateSpec<S extends Json>(version: number, create: () => S): StateSpec<S> {
  return {
    version,
    create,
    snapshot: s => JSON.parse(JSON.stringify(s)) as Json,
    restore: j => j as S,
  };
}
