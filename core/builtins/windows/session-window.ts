import type { StreamEvent } from '../../runtime/event';
import { decodeRow, encodeRow } from '../../runtime/value-codec';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { BuiltinArgError, type WindowFunction } from '../descriptor';
import { arityCheck, intParam } from './window-state';
import { WindowTimer } from './window-timer';

interface Session {
  events: StreamEvent[];
  /** The latest event time + gap: the session is over once the clock passes it. */
  end: number;
}

/** Per session key: the open session and the one closed but still accepting late events. */
interface Sessions {
  open: Map<string, Session>;
  closed: Map<string, Session>;
}

const sessionJson = (s: Session) => [s.end, s.events.map(e => [e.timestamp, encodeRow(e.data)])];
const sessionOf = (j: Json): Session => {
  const [end, es] = j as [number, [number, Json[]][]];
  return { end, events: es.map(([t, d]) => ({ timestamp: t, data: decodeRow(d), type: 0 })) };
};

const sessionsSpec: StateSpec<Sessions> = {
  version: 1,
  create: () => ({ open: new Map(), closed: new Map() }),
  snapshot: s => ({ open: [...s.open].map(([k, v]) => [k, sessionJson(v)]), closed: [...s.closed].map(([k, v]) => [k, sessionJson(v)]) }) as Json,
  restore: j => {
    const o = j as { open: [string, Json][]; closed: [string, Json][] };
    return { open: new Map(o.open.map(([k, v]) => [k, sessionOf(v)])), closed: new Map(o.closed.map(([k, v]) => [k, sessionOf(v)])) };
  },
};

/**
 * `session(gap [, key] [, allowed.latency])`: events pass through as they arrive; a session (per
 * key) ends when no event came for `gap`, and its events then leave the window as EXPIRED events
 * with their own timestamps. With `allowed.latency`, a late event up to that long after the end
 * still joins the ended session, which is released only then.
 */
export const sessionWindow: WindowFunction = {
  name: 'session',
  batch: false,
  signature: '(window.session INT|LONG|time, [window.key STRING attribute], [window.allowed.latency INT|LONG|time])',
  returns: 'CURRENT events as they arrive; each session as EXPIRED events when it ends',
  description:
    "Groups events into sessions separated by gaps of inactivity, per key when a key attribute is given (use 'group by' on the same key). Late events within allowed.latency of a session's end join it.",
  example: 'from Clicks#window.session(30 min, user) select user, count() as clicks group by user insert all events into Sessions;',
  plan(args) {
    arityCheck('session', args, 1, 3);
    const gap = intParam('session', 'window.session', args[0], { min: 1 });
    let keyIndex: number | undefined;
    let latencyArg = args[1];
    if (args[1] && args[1].type === 'STRING') {
      if (args[1].attributeIndex === undefined) throw new BuiltinArgError('session window: the key must be a string attribute of the stream');
      keyIndex = args[1].attributeIndex;
      latencyArg = args[2];
    } else if (args.length === 3) throw new BuiltinArgError('session window: the second parameter must be the string key attribute');
    const latency = latencyArg ? intParam('session', 'window.allowed.latency', latencyArg, { min: 0 }) : 0;
    if (latency >= gap) throw new BuiltinArgError(`session window: allowed.latency (${latency} ms) must be less than the gap (${gap} ms)`);
    return {
      create(ctx) {
        const state = ctx.state('sessions', sessionsSpec);
        const timer = new WindowTimer(ctx);
        const keyOf = (e: StreamEvent) => (keyIndex === undefined ? '' : String(e.data[keyIndex]));
        const schedule = () => {
          let due = Infinity;
          for (const s of state.value.open.values()) due = Math.min(due, s.end);
          for (const s of state.value.closed.values()) due = Math.min(due, s.end + latency);
          if (due !== Infinity) timer.ensure(due);
        };
        /** Ends open sessions whose gap has passed; releases closed ones whose latency has passed. */
        const expire = (now: number, emit: (c: StreamEvent[]) => void) => {
          const { open, closed } = state.value;
          const released: Session[] = [];
          for (const [k, s] of [...open]) {
            if (s.end > now) continue;
            open.delete(k);
            if (latency && s.end + latency > now) closed.set(k, s);
            else released.push(s);
          }
          for (const [k, s] of [...closed])
            if (s.end + latency <= now) {
              closed.delete(k);
              released.push(s);
            }
          // Sessions leave in the order they ended.
          released.sort((x, y) => x.end - y.end);
          const out: StreamEvent[] = [];
          for (const s of released) for (const e of s.events) out.push({ timestamp: e.timestamp, data: e.data, type: 1 });
          if (out.length) emit(out);
        };
        return {
          contents: () => [...state.value.open.values(), ...state.value.closed.values()].flatMap(s => s.events),
          process(chunk, emit) {
            expire(ctx.clock.now, emit);
            const { open, closed } = state.value;
            for (const e of chunk) {
              const k = keyOf(e);
              const late = closed.get(k);
              const cur = open.get(k);
              if (late && e.timestamp <= late.end && (!cur || e.timestamp < cur.events[0].timestamp)) late.events.push(e);
              else if (cur) {
                cur.events.push(e);
                cur.end = Math.max(cur.end, e.timestamp + gap);
              } else open.set(k, { events: [e], end: e.timestamp + gap });
            }
            schedule();
            emit(chunk);
          },
          onTimer(now, emit, due) {
            timer.fired(due);
            expire(now, emit);
            schedule();
          },
        };
      },
    };
  },
};
