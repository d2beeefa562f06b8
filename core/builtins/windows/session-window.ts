import type { StreamEvent } from '../../kernel/event';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { BuiltinArgError, ProcessingError } from '../../errors/millrace-error';
import type { StateCell } from '../../state/state-spec';
import { attribute, param, PERIOD, type BoundArgs, type ParamSpec, type WindowFunction, type WindowPlanEnv } from '../descriptor';
import { javaStringHash } from './java-hash-order';
import { atLeast, decodeEvent, encodeEvent } from './window-params';
import { array, event, int, nullable, num, record, refine, str, tuple, uniqueBy } from '../../state/shape';
import { WindowTimer } from './window-timer';

/** Siddhi's key for all events when no key attribute is given. */
const DEFAULT_KEY = 'default-key';

/**
 * One session of one key: its events in window order, its start, its end (last joining event +
 * gap) and its alive time (end + allowed latency). `cursor` is where Siddhi's chunk iterator stands
 * (-1: not started): late events are inserted there, so their place follows Siddhi's.
 */
interface Session {
  events: StreamEvent[];
  start: number;
  end: number;
  alive: number;
  cursor: number;
}

/** Per key: the open session and the ended one still waiting for late events (with a latency). */
interface Sessions {
  current: Session;
  previous: Session;
}

/** Timer times in the order they were asked for, as Siddhi's scheduler queue keeps them. */
class DueQueue {
  private items: number[];
  private head = 0;
  constructor(items: number[] = []) {
    this.items = items;
  }
  get size(): number {
    return this.items.length - this.head;
  }
  peek(): number | undefined {
    return this.size ? this.items[this.head] : undefined;
  }
  /** Adds a time; one equal to the last one queued adds nothing (its firing would do nothing). */
  push(due: number): void {
    if (this.size && this.items[this.items.length - 1] === due) return;
    this.items.push(due);
  }
  shift(): number {
    const d = this.items[this.head++];
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return d;
  }
  toArray(): number[] {
    return this.items.slice(this.head);
  }
}

/**
 * Times with session keys, smallest first. Entries go stale when a session's time changes or it
 * leaves; readers check them against the session, so nothing has to be removed from the middle.
 */
class TimeHeap {
  private readonly a: [number, string][] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): number {
    return this.a[0][0];
  }
  push(time: number, key: string): void {
    const a = this.a;
    a.push([time, key]);
    for (let i = a.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (a[up][0] <= time) break;
      [a[up], a[i]] = [a[i], a[up]];
      i = up;
    }
  }
  pop(): [number, string] {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

interface SessionState {
  keys: Map<string, Sessions>;
  dues: DueQueue;
  /** Derived (rebuilt on restore): open sessions by end, ended ones by alive time. */
  ends: TimeHeap;
  alives: TimeHeap;
}

function indexed(keys: Map<string, Sessions>, dues: DueQueue): SessionState {
  const ends = new TimeHeap();
  const alives = new TimeHeap();
  for (const [k, s] of keys) {
    if (s.current.events.length) ends.push(s.current.end, k);
    if (s.previous.events.length) alives.push(s.previous.alive, k);
  }
  return { keys, dues, ends, alives };
}

const emptySession = (): Session => ({ events: [], start: 0, end: 0, alive: 0, cursor: -1 });

const sessionJson = (s: Session): Json => (s.events.length ? [s.start, s.end, s.alive, s.cursor, s.events.map(encodeEvent)] : null);
const sessionOf = (j: Json): Session => {
  if (j === null) return emptySession();
  const [start, end, alive, cursor, events] = j as [number, number, number, number, Json[]];
  return { start, end, alive, cursor, events: events.map(decodeEvent) };
};

/** A session with events as `[start, end, alive, cursor, events]` (an empty one is stored as null). */
const SESSION = refine(tuple(num(), num(), num(), int(), array(event())), (s: [number, number, number, number, Json[]]) => {
  if (!s[4].length) return 'a session without events (stored as null)';
  return s[3] < -1 || s[3] > s[4].length ? `cursor ${s[3]} outside its ${s[4].length} events` : null;
});

const sessionStateSpec: StateSpec<SessionState> = {
  version: 2,
  shape: record({ k: uniqueBy(tuple(str(), nullable(SESSION), nullable(SESSION)), (k: [string]) => k[0]), d: array(num()) }),
  create: () => indexed(new Map(), new DueQueue()),
  snapshot: s => ({ k: [...s.keys].map(([k, v]) => [k, sessionJson(v.current), sessionJson(v.previous)]), d: s.dues.toArray() }),
  restore: j => {
    const o = j as { k: [string, Json, Json][]; d: number[] };
    return indexed(new Map(o.k.map(([k, c, p]) => [k, { current: sessionOf(c), previous: sessionOf(p) }])), new DueQueue(o.d));
  },
};

function clear(s: Session): void {
  s.events = [];
  s.cursor = -1;
}

/** Siddhi's `if (chunk.hasNext()) chunk.next(); chunk.insertBeforeCurrent(events)` on a session. */
function insertAtCursor(s: Session, events: StreamEvent[]): void {
  const n = s.events.length;
  if (s.cursor < 0) s.cursor = 0;
  else if (s.cursor + 1 < n) s.cursor++;
  s.events.splice(s.cursor, 0, ...events);
  s.cursor += events.length;
}

/**
 * Sorts sessions that end by `time`, breaking ties the way Siddhi does: it sorts the entries of a
 * Java HashMap (filled in its key map's order) by time, stably, so equal times keep the HashMap's
 * order: bucket (for a table sized for all the keys), then the order the keys came in.
 */
function sortByTime(found: [string, Sessions][], time: (s: Sessions) => number, all: Map<string, Sessions>): void {
  found.sort((x, y) => time(x[1]) - time(y[1]));
  if (!found.some((x, i) => i > 0 && time(found[i - 1][1]) === time(x[1]))) return;
  let capacity = 16;
  while (all.size > capacity * 0.75) capacity *= 2;
  const arrival = new Map<string, number>();
  let i = 0;
  for (const k of all.keys()) arrival.set(k, i++);
  const bucket = (k: string) => {
    const h = javaStringHash(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  found.sort((x, y) => time(x[1]) - time(y[1]) || bucket(x[0]) - bucket(y[0]) || arrival.get(x[0])! - arrival.get(y[0])!);
}

/** The parameters, read. */
interface Setup {
  readonly gap: number;
  readonly latency: number;
  /** The session key attribute and its name; undefined: one session for all events. */
  readonly keyIndex: number | undefined;
  readonly keyName: string | undefined;
}

function setup(args: BoundArgs, env: WindowPlanEnv): Setup {
  const gap = atLeast('session', 'window.session', args.constant('window.session') as number, 0, ' ms');
  const keyIndex = args.attribute('window.key');
  const latency = atLeast('session', 'window.allowed.latency', (args.constant('window.allowed.latency') as number | undefined) ?? 0, 0, ' ms');
  if (latency > gap) throw new BuiltinArgError(`session window's allowed latency (${latency} ms) must not be greater than the session gap (${gap} ms)`);
  return { gap, latency, keyIndex, keyName: keyIndex === undefined ? undefined : env.attributes[keyIndex].name };
}

function expired(events: readonly StreamEvent[], out: StreamEvent[]): void {
  for (const e of events) out.push({ timestamp: e.timestamp, data: e.data, type: 1 });
}

/** The sessions of `pick` whose `time` is at most `due` (from `heap`), in Siddhi's order. */
function dueBy(keys: Map<string, Sessions>, heap: TimeHeap, pick: (s: Sessions) => Session, time: (s: Session) => number, due: number): [string, Sessions][] {
  if (!heap.size || heap.peek() > due) return [];
  const found: [string, Sessions][] = [];
  while (heap.size && heap.peek() <= due) {
    const [t, k] = heap.pop();
    const s = keys.get(k);
    if (!s || !pick(s).events.length || time(pick(s)) !== t || found.some(f => f[0] === k)) continue;
    found.push([k, s]);
  }
  if (found.length > 1) sortByTime(found, x => time(pick(x)), keys);
  return found;
}

/** The sessions of one window instance: arrivals and timeouts. */
class SessionSteps {
  constructor(
    private readonly cell: StateCell<SessionState>,
    private readonly w: Setup,
  ) {}

  keyOf(e: StreamEvent): string {
    if (this.w.keyIndex === undefined) return DEFAULT_KEY;
    const k = e.data[this.w.keyIndex];
    if (k === null) throw new ProcessingError(`session window: the session key '${this.w.keyName}' is null`);
    return k as string;
  }

  private dropEmpty(k: string, s: Sessions): void {
    if (!s.current.events.length && !s.previous.events.length) this.cell.value.keys.delete(k);
  }

  /** The open session moves to `previous`; a previous one still there leaves now. */
  private moveToPrevious(k: string, s: Sessions, out: StreamEvent[]): void {
    const { current, previous } = s;
    if (previous.events.length) expired(previous.events, out);
    s.previous = { events: current.events, start: current.start, end: current.end, alive: current.alive, cursor: -1 };
    this.cell.value.alives.push(current.alive, k);
    this.cell.value.dues.push(current.alive);
  }

  /** Merges the ended session into the open one when they are within the gap of each other. */
  private merge(previous: Session, next: Session): void {
    if (previous.events.length && previous.end >= next.start - this.w.gap) {
      insertAtCursor(next, previous.events);
      next.start = previous.start;
      clear(previous);
    }
  }

  /** An event older than its key's open session. Returns false when it is dropped. */
  private addLate(k: string, s: Sessions, e: StreamEvent): boolean {
    const { gap, latency } = this.w;
    const { current, previous } = s;
    const ts = e.timestamp;
    if (ts >= current.start - gap) {
      insertAtCursor(current, [e]);
      current.start = ts;
      if (latency > 0) this.merge(previous, current);
      return true;
    }
    if (latency === 0 || !previous.events.length || ts < previous.start - gap) return false;
    previous.events.push(e);
    if (ts <= previous.end - gap && ts < previous.start) previous.start = ts;
    else {
      previous.end = ts + gap;
      previous.alive = ts + gap + latency;
      this.cell.value.alives.push(previous.alive, k);
      this.merge(previous, current);
    }
    return true;
  }

  /** Opens a session of `k` with `e`. */
  private open(k: string, s: Sessions, e: StreamEvent): void {
    const end = e.timestamp + this.w.gap;
    s.current = { events: [e], start: e.timestamp, end, alive: end + this.w.latency, cursor: -1 };
    this.cell.value.ends.push(end, k);
    this.cell.value.dues.push(end);
  }

  /** One arrival of key `k`; false when it is dropped. Sessions it ends go to `leaving`. */
  arrive(k: string, e: StreamEvent, leaving: StreamEvent[]): boolean {
    const { keys: sessions, dues, ends } = this.cell.value;
    const { gap, latency } = this.w;
    const ts = e.timestamp;
    let s = sessions.get(k);
    if (!s) sessions.set(k, (s = { current: emptySession(), previous: emptySession() }));
    const cur = s.current;
    if (!cur.events.length) this.open(k, s, e);
    else if (ts >= cur.start) {
      if (ts <= cur.end) {
        const end = ts + gap;
        cur.events.push(e);
        cur.end = end;
        cur.alive = end + latency;
        ends.push(end, k);
        dues.push(end);
      } else if (latency > 0) {
        this.moveToPrevious(k, s, leaving);
        this.open(k, s, e);
      }
      // Without a latency Siddhi lets such an event through without holding it.
    } else if (!this.addLate(k, s, e)) {
      this.dropEmpty(k, s);
      return false;
    }
    return true;
  }

  /** What a timer at `due` does: ends the sessions due by then, releases the expired ones. */
  timeout(due: number, out: StreamEvent[]): void {
    const st = this.cell.value;
    for (const [k, s] of dueBy(st.keys, st.ends, x => x.current, x => x.end, due)) {
      const c = s.current;
      if (this.w.latency > 0) {
        s.previous.events.push(...c.events);
        s.previous.start = c.start;
        s.previous.end = c.end;
        s.previous.alive = c.alive;
        st.alives.push(c.alive, k);
        st.dues.push(c.alive);
      } else expired(c.events, out);
      clear(c);
      this.dropEmpty(k, s);
    }
    if (this.w.latency > 0)
      for (const [k, s] of dueBy(st.keys, st.alives, x => x.previous, x => x.alive, due)) {
        expired(s.previous.events, out);
        clear(s.previous);
        this.dropEmpty(k, s);
      }
  }
}

const GAP = param('window.session', PERIOD);
const KEY: ParamSpec = { ...param('window.key', attribute('STRING')), role: 'the session key' };
const LATENCY: ParamSpec = { ...param('window.allowed.latency', PERIOD), role: 'the allowed latency' };

/**
 * `session(gap [, key] [, allowed.latency])`: events pass through as they arrive; a session (per
 * key) ends when no event came for `gap`, and its events then leave the window as EXPIRED events
 * with their own timestamps. With `allowed.latency`, an ended session waits that long for late
 * events before it leaves.
 */
export const sessionWindow: WindowFunction = {
  kind: 'window',
  name: 'session',
  batch: false,
  // With two parameters the second is the key if it is an attribute, else the latency.
  signatures: [[GAP], [GAP, KEY], [GAP, LATENCY], [GAP, KEY, LATENCY]],
  returns: 'CURRENT events as they arrive; each session as EXPIRED events when it ends',
  description:
    "Groups events into sessions separated by gaps of inactivity: per value of window.key (a string attribute) when given, else one session for all events; use 'group by' on the key to aggregate per session. Events pass through as CURRENT events. A session ends once the clock passes its last event's time + gap; its events then leave as EXPIRED events carrying their own timestamps. An event arriving after its session's end starts a new session. Out-of-order events older than the open session's start join it when within the gap of it, or, with allowed.latency (at most the gap), an ended session that is still within its latency; other late events are dropped. With two parameters the second is the key if it is an attribute, else the latency.",
  example: 'from Clicks#window.session(30 min, user, 1 min) select user, count() as clicks group by user insert all events into Sessions;',
  plan(args, env) {
    const w = setup(args, env);
    return {
      create(ctx) {
        const cell = ctx.state('sessions', sessionStateSpec);
        const steps = new SessionSteps(cell, w);
        const timer = new WindowTimer(ctx);
        const arm = () => {
          const head = cell.value.dues.peek();
          if (head !== undefined) timer.ensure(head);
        };
        return {
          contents: () => [...cell.value.keys.values()].flatMap(s => [...s.previous.events, ...s.current.events]),
          process(chunk, emit) {
            const keys = chunk.map(e => steps.keyOf(e));
            const out: StreamEvent[] = [];
            const leaving: StreamEvent[] = [];
            chunk.forEach((e, i) => {
              if (steps.arrive(keys[i], e, leaving)) out.push(e);
            });
            for (const e of leaving) out.push(e);
            arm();
            if (out.length) emit(out);
          },
          onTimer(now, emit, due) {
            timer.fired(due);
            const dues = cell.value.dues;
            for (let head = dues.peek(); head !== undefined && head <= now; head = dues.peek()) {
              const out: StreamEvent[] = [];
              steps.timeout(dues.shift(), out);
              if (out.length) emit(out);
            }
            arm();
          },
        };
      },
    };
  },
};
