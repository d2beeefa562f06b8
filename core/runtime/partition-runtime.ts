import { EngineUsageError } from '../errors/millrace-error';
import type { StreamEvent, Value } from '../kernel/event';
import type { PartitionPlan } from '../plan/plan';
import type { StreamSchema } from '../plan/schema';
import type { Json } from '../state/json';
import { StateRegistry, type StateCell } from '../state/state-spec';
import { dict, json, num, optional, record, refine } from '../state/shape';

/** A partition key's unit as stored: when it was last seen and its queries' state. */
const KEY_UNIT = record({ seen: num(), state: json() });
import type { Junction } from './junction';
import type { Host } from './host';
import { buildQuery } from './query-runtime';
import type { RuntimeContext } from './runtime-context';
import type { RuntimeSnapshot } from './runtime-snapshot';
import type { PartitionUnits } from './state-units';

/** One key's copy of a partition's queries, with its own state and inner streams. */
interface PartitionInstance {
  readonly registry: StateRegistry;
  readonly junctions: Map<string, Junction>;
}

interface PartitionEntry {
  seen: number;
  /** Null while the key's unit is not loaded (split restore). */
  inst: PartitionInstance | null;
  /** Touched in this run: its unit is written at commit. */
  dirty: boolean;
  /** A fresh stand-in for a key whose unit was needed and not loaded: never written. */
  placeholder?: boolean;
}

/**
 * `partition with (...) begin ... end`: one instance of the partition's queries per key, created
 * when the key first appears (Siddhi's PartitionRuntime). The global unit keeps the keys (and,
 * with `@purge`, when each was last seen); each key's instance is a unit of its own
 * (`p:<partition>:<fingerprint>:<key>`), loaded only when a batch touches the key. A key reached
 * without its unit (an intermediate stream's key, a broadcast) is noted as missing state and run
 * on a fresh stand-in, and the invocation runner redoes the batch with the unit loaded.
 */
export function buildPartition(rt: RuntimeContext, p: PartitionPlan): void {
  const base = `p:${p.id}:${p.fingerprint}`;
  const unitOf = (key: string) => `${base}:${encodeURIComponent(key)}`;
  const keyOfUnit = (unit: string) => (unit.startsWith(`${base}:`) ? decodeURIComponent(unit.slice(base.length + 1)) : undefined);
  const schemas = new Map<string, StreamSchema>();
  for (const id of [...p.keys.map(k => k.stream), ...p.broadcast]) schemas.set(id, rt.junction(id).schema);
  for (const s of p.innerStreams) schemas.set(s.id, s);
  const create = (key: string): PartitionInstance => {
    const inst: PartitionInstance = { registry: new StateRegistry(), junctions: new Map() };
    for (const [id, schema] of schemas) inst.junctions.set(id, rt.newJunction(schema));
    const host: Host = {
      registry: inst.registry,
      input: id => inst.junctions.get(id) ?? rt.junction(id),
      output: id => (id.startsWith('#') ? inst.junctions.get(id)! : rt.junction(id)),
      prefix: `${unitOf(key)}/`,
    };
    for (const q of p.queries) buildQuery(rt, q, host);
    return inst;
  };
  const entries = rt.registry.register<Map<string, PartitionEntry>>(base, {
    version: 2,
    // A whole snapshot has every key's state; a split one (the global unit) only when a key was kept in it.
    shape: dict(
      refine(record({ seen: optional(num()), state: optional(json()) }), (e: { seen?: number; state?: Json }) => {
        if (e.seen === undefined && (!rt.units.split || p.purge)) return 'a key without the time it was last seen';
        if (e.state === undefined) return rt.units.split ? null : 'a key without its state in a whole snapshot';
        // The key's own registry checks the rest of its snapshot when it restores.
        return e.state !== null && typeof e.state === 'object' && !Array.isArray(e.state) ? null : `a key whose state is not a snapshot (${e.state === null ? 'null' : typeof e.state})`;
      }),
    ),
    create: () => new Map(),
    snapshot: m =>
      Object.fromEntries(
        [...m].map(([k, e]) => {
          // Only @purge reads when keys were last seen; without it, the global unit changes only when a key is new.
          if (rt.units.split) return [k, p.purge ? { seen: e.seen } : {}];
          if (!e.inst) throw new EngineUsageError(`partition key '${k}' is not loaded; take a split snapshot (snapshotUnits)`);
          return [k, { seen: e.seen, state: e.inst.registry.snapshot() }];
        }),
      ) as Json,
    restore: j => {
      const m = new Map<string, PartitionEntry>();
      for (const [k, v] of Object.entries(j as Record<string, { seen?: number; state?: RuntimeSnapshot }>)) {
        let inst: PartitionInstance | null = null;
        if (v.state) {
          inst = create(k);
          inst.registry.restore(v.state);
        }
        m.set(k, { seen: v.seen ?? 0, inst, dirty: false });
      }
      return m;
    },
  });
  /** The key's instance; a key whose unit is not loaded is needed, and runs on a stand-in meanwhile. */
  const loaded = (key: string, e: PartitionEntry): PartitionInstance => {
    if (!e.inst) {
      rt.units.need(unitOf(key));
      e.inst = create(key);
      e.placeholder = true;
    }
    return e.inst;
  };
  const purgeTimer = `${base}/purge`;
  const instanceFor = (key: string, now: number): PartitionInstance => {
    let e = entries.value.get(key);
    if (!e) {
      e = { seen: now, inst: create(key), dirty: true };
      entries.value.set(key, e);
      if (p.purge && entries.value.size === 1) rt.scheduler.schedule(purgeTimer, now + p.purge.intervalMs);
    }
    const inst = loaded(key, e);
    e.seen = now;
    e.dirty = true;
    return inst;
  };
  if (p.purge) schedulePurge(rt, p.purge, purgeTimer, entries, unitOf);
  routeEvents(rt, p, instanceFor, entries, loaded);
  rt.units.partitions.push(partitionUnits(base, p, entries, unitOf, keyOfUnit, create, rt));
}

/** `@purge`: every `intervalMs`, keys idle for `idleMs` go, with their timers and units. */
function schedulePurge(
  rt: RuntimeContext,
  purge: NonNullable<PartitionPlan['purge']>,
  purgeTimer: string,
  entries: StateCell<Map<string, PartitionEntry>>,
  unitOf: (key: string) => string,
): void {
  const { intervalMs, idleMs } = purge;
  rt.scheduler.register(purgeTimer, now => {
    for (const [key, e] of entries.value)
      if (e.seen + idleMs <= now) {
        entries.value.delete(key);
        rt.scheduler.cancelPrefix(`${unitOf(key)}/`);
        rt.units.removed.add(unitOf(key));
      }
    if (entries.value.size) rt.scheduler.schedule(purgeTimer, now + intervalMs);
  });
}

/** Partitioned streams go to their key's instance, event by event; broadcast streams to every key. */
function routeEvents(
  rt: RuntimeContext,
  p: PartitionPlan,
  instanceFor: (key: string, now: number) => PartitionInstance,
  entries: StateCell<Map<string, PartitionEntry>>,
  loaded: (key: string, e: PartitionEntry) => PartitionInstance,
): void {
  const keysOf = keyFunction(rt);
  for (const k of p.keys) {
    rt.junction(k.stream).receivers.push(chunk => {
      for (const e of chunk) for (const key of keysOf(k, e)) instanceFor(key, e.timestamp).junctions.get(k.stream)!.send([e]);
    });
  }
  for (const id of p.broadcast)
    rt.junction(id).receivers.push(chunk => {
      for (const [key, e] of entries.value) {
        const inst = loaded(key, e);
        e.dirty = true;
        inst.junctions.get(id)!.send(chunk);
      }
    });
}

/** The keys of an event on a partitioned stream: its value key, or the labels of the ranges it falls in. */
function keyFunction(rt: RuntimeContext): (k: PartitionPlan['keys'][number], e: StreamEvent) => string[] {
  const keyString = (v: Value) => (typeof v === 'string' ? v : String(v));
  const ctx = rt.newCtx();
  return (k, e) => {
    ctx.event = e;
    return k.kind === 'value' ? [keyString(k.key(ctx))] : k.ranges.filter(r => r.condition(ctx) === true).map(r => r.label);
  };
}

function partitionUnits(
  base: string,
  p: PartitionPlan,
  entries: StateCell<Map<string, PartitionEntry>>,
  unitOf: (key: string) => string,
  keyOfUnit: (unit: string) => string | undefined,
  create: (key: string) => PartitionInstance,
  rt: RuntimeContext,
): PartitionUnits {
  const keysOf = keyFunction(rt);
  const entryOf = (unit: string) => {
    const key = keyOfUnit(unit);
    return key === undefined ? undefined : entries.value.get(key);
  };
  return {
    base,
    unitsFor: (stream, e) => {
      const k = p.keys.find(x => x.stream === stream);
      if (!k) return p.broadcast.includes(stream) ? [...entries.value.keys()].map(unitOf) : [];
      return keysOf(k, e).filter(key => entries.value.has(key)).map(unitOf);
    },
    isUnloaded: unit => entryOf(unit)?.inst === null,
    touchedByTimer: unit => {
      const e = entryOf(unit);
      if (!e) return;
      if (!e.inst || e.placeholder) rt.units.need(unit);
      else e.dirty = true;
    },
    load: (unit, json) => {
      const key = keyOfUnit(unit);
      const e = key === undefined ? undefined : entries.value.get(key);
      if (!e) return;
      KEY_UNIT.check(json, '');
      const v = json as { seen: number; state: RuntimeSnapshot };
      e.inst = create(key!);
      e.inst.registry.restore(v.state);
      e.seen = v.seen;
    },
    dirty: () =>
      [...entries.value].filter(([, e]) => e.dirty && e.inst && !e.placeholder).map(([k, e]) => [unitOf(k), { seen: e.seen, state: e.inst!.registry.snapshot() }] as [string, Json]),
  };
}
