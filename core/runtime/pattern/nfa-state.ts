import type { MatchedEvent } from '../../plan/pattern-plan';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { decodeRow, encodeRow } from '../../state/value-codec';
import { array, int, literal, nullable, num, record, refine, row, tuple } from '../../state/shape';

/**
 * A partial (or complete) match: Siddhi's StateEvent. `slots[stateId]` holds the events of each
 * position (several for a counted one). Slot arrays are shared between a partial match and the
 * copies `every` makes of it, exactly as Siddhi shares its event chains, so they are snapshotted
 * by identity.
 */
export interface PartialMatch {
  /** Creation order; the oldest are dropped first when the bound is exceeded. */
  id: number;
  /** The time of the last step (or, for an absent element's result, its deadline); -1 when new. */
  ts: number;
  /** Set once `within` expired it. */
  expired: boolean;
  slots: (MatchedEvent[] | null)[];
}

/** The state of one processor (pre and post processor of one element). */
export interface ProcessorState {
  /** Partial matches waiting for this element's event. */
  pending: PartialMatch[];
  /** Added while the current event is processed; they join `pending` before the next one. */
  fresh: PartialMatch[];
  /** The start element has put its first partial match in place. */
  initialized: boolean;
  /** The last partial match tried moved on (transient while an event is processed). */
  changed: boolean;
  /** The post processor sent a complete match to the selector (checked and cleared by `thisLast`). */
  returned: boolean;
  /** Counted: the last event tried passed the filter (transient). */
  success: boolean;
  /** Counted start element of a sequence: put a new partial match in place on the next refresh. */
  restart: boolean;
  /** Absent: false once a non-`every` start element fired. */
  active: boolean;
  /** Absent: when the current wait ends. */
  lastScheduled: number;
  /** Absent side of `and`/`or`: when its stream last matched (0: not since it last fired). */
  lastArrival: number;
  /** Absent: the start-up timer was armed. */
  started: boolean;
  /** Absent: times it asked to be woken at, in the order asked (Siddhi's notify queue). */
  timers: number[];
}

export interface NfaState {
  procs: ProcessorState[];
  /** Next partial-match id. */
  seq: number;
  /** Partial matches dropped because the bound was exceeded, since the query started. */
  dropped: number;
  /** When the next `within` expiry is due (to free expired partial matches without traffic). */
  expiryDue: number | null;
}

export function newProcessorState(): ProcessorState {
  return {
    pending: [],
    fresh: [],
    initialized: false,
    changed: false,
    returned: false,
    success: false,
    restart: false,
    active: true,
    lastScheduled: 0,
    lastArrival: 0,
    started: false,
    timers: [],
  };
}

const FLAGS = ['initialized', 'changed', 'returned', 'success', 'restart', 'active', 'started'] as const;

type EncodedEvent = [number, Json[] | null];

interface StoredNfa {
  chains: EncodedEvent[][];
  matches: [number, number, number, number[]][];
  procs: { p: number[]; n: number[] }[];
}

const FLAG = literal(0, 1);
const NFA_LAYOUT = record({
  seq: int(),
  dropped: int(),
  expiryDue: nullable(num()),
  chains: array(array(tuple(num(), nullable(row())))),
  matches: array(tuple(int(), num(), FLAG, array(int()))),
  procs: array(record({ p: array(int()), n: array(int()), f: tuple(...FLAGS.map(() => FLAG)), s: num(), a: num(), t: array(num()) })),
});

/**
 * What is wrong with a stored NFA's references, or null: one processor state per processor, one
 * slot per processor in every match, and every match and chain referred to, in the order a snapshot numbers them (by first reference),
 * so that a restore shares exactly what the snapshot shared.
 */
function nfaReferenceProblem(o: StoredNfa, processorCount: number): string | null {
  if (o.procs.length !== processorCount) return `${o.procs.length} processor states where the pattern has ${processorCount}`;
  let nextMatch = 0;
  let nextChain = 0;
  for (let pi = 0; pi < o.procs.length; pi++)
    for (const k of [...o.procs[pi].p, ...o.procs[pi].n]) {
      if (k < 0 || k > nextMatch) return `processor ${pi} refers to match ${k} out of order (next new match is ${nextMatch})`;
      if (k < nextMatch) continue;
      if (k >= o.matches.length) return `processor ${pi} refers to match ${k} of ${o.matches.length}`;
      nextMatch++;
      if (o.matches[k][3].length !== processorCount) return `match ${k} has ${o.matches[k][3].length} slots where the pattern has ${processorCount}`;
      for (const ci of o.matches[k][3]) {
        if (ci < -1 || ci > nextChain) return `match ${k} refers to chain ${ci} out of order (next new chain is ${nextChain})`;
        if (ci === nextChain) {
          if (ci >= o.chains.length) return `match ${k} refers to chain ${ci} of ${o.chains.length}`;
          nextChain++;
        }
      }
    }
  if (nextMatch !== o.matches.length) return `match ${nextMatch} is not referred to`;
  if (nextChain !== o.chains.length) return `chain ${nextChain} is not referred to`;
  return null;
}

/**
 * Snapshot layout (version 1): `{seq, dropped, expiryDue, chains, matches, procs}` where `chains`
 * lists each distinct slot array as `[[ts, row], ...]`, `matches` each distinct partial match as
 * `[id, ts, expired, [chainIndex | -1, ...]]`, and a processor refers to matches by index.
 */
export function nfaStateSpec(processorCount: number): StateSpec<NfaState> {
  const create = (): NfaState => ({ procs: Array.from({ length: processorCount }, newProcessorState), seq: 0, dropped: 0, expiryDue: null });
  return {
    version: 1,
    shape: refine(NFA_LAYOUT, (o: StoredNfa) => nfaReferenceProblem(o, processorCount)),
    create,
    snapshot: s => {
      const chainIndex = new Map<MatchedEvent[], number>();
      const chains: EncodedEvent[][] = [];
      const matchIndex = new Map<PartialMatch, number>();
      const matches: Json[] = [];
      const ref = (m: PartialMatch): number => {
        let i = matchIndex.get(m);
        if (i !== undefined) return i;
        const slots = m.slots.map(c => {
          if (c === null) return -1;
          let ci = chainIndex.get(c);
          if (ci === undefined) {
            ci = chains.length;
            chainIndex.set(c, ci);
            chains.push(c.map(ev => [ev.ts, ev.data === null ? null : encodeRow(ev.data)]));
          }
          return ci;
        });
        i = matches.length;
        matchIndex.set(m, i);
        matches.push([m.id, m.ts, m.expired ? 1 : 0, slots]);
        return i;
      };
      const procs = s.procs.map(p => ({
        p: p.pending.map(ref),
        n: p.fresh.map(ref),
        f: FLAGS.map(k => (p[k] ? 1 : 0)),
        s: p.lastScheduled,
        a: p.lastArrival,
        t: p.timers,
      }));
      return { seq: s.seq, dropped: s.dropped, expiryDue: s.expiryDue, chains, matches, procs } as unknown as Json;
    },
    restore: j => {
      const o = j as unknown as {
        seq: number;
        dropped: number;
        expiryDue: number | null;
        chains: EncodedEvent[][];
        matches: [number, number, number, number[]][];
        procs: { p: number[]; n: number[]; f: number[]; s: number; a: number; t: number[] }[];
      };
      const chains: MatchedEvent[][] = o.chains.map(c => c.map(([ts, row]) => ({ ts, data: row === null ? null : decodeRow(row) })));
      const matches: PartialMatch[] = o.matches.map(([id, ts, expired, slots]) => ({ id, ts, expired: expired === 1, slots: slots.map(ci => (ci < 0 ? null : chains[ci])) }));
      const state = create();
      o.procs.forEach((p, i) => {
        if (i >= state.procs.length) return;
        const ps = state.procs[i];
        ps.pending = p.p.map(k => matches[k]);
        ps.fresh = p.n.map(k => matches[k]);
        FLAGS.forEach((k, fi) => (ps[k] = p.f[fi] === 1));
        ps.lastScheduled = p.s;
        ps.lastArrival = p.a;
        ps.timers = [...p.t];
      });
      state.seq = o.seq;
      state.dropped = o.dropped;
      state.expiryDue = o.expiryDue;
      return state;
    },
  };
}
