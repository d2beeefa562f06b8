import type { StreamEvent } from '../../kernel/event';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { attribute, constant, param, type WindowFunction } from '../descriptor';
import { frequencyKey, JavaHashOrder } from './java-hash-order';
import { decodeEvent, encodeEvent } from './window-params';
import { array, event, int, record, refine, tuple } from '../../state/shape';
import { expiredCopy } from './window-state';

interface Counted {
  count: number;
  /** The latest event with this key. */
  event: StreamEvent;
}

interface Frequent {
  counts: Map<string, Counted>;
  /** The order Siddhi's count map walks its keys in. */
  order: JavaHashOrder;
}

/**
 * `frequent(n [, attr...])` (deprecated in Siddhi): Misra-Gries counting of the n most frequent
 * keys (the chosen attributes, or all of them). A known key passes on and counts one more. A new
 * key when n are held takes one count off every held key; keys reaching zero expire (their latest
 * event, EXPIRED, before the arrival); the new key enters only if that freed a place, else the
 * event is dropped.
 */
export const frequentWindow: WindowFunction = {
  kind: 'window',
  name: 'frequent',
  batch: false,
  // Siddhi reads the count as a long (a time value is one too).
  signatures: [[param('event.count', constant('INT')), { name: 'attribute', forms: [attribute()], default: 'all attributes', repeated: true }]],
  returns: 'CURRENT and EXPIRED events',
  description:
    "Deprecated in Siddhi. Keeps the latest event of each of the event.count most frequent keys (Misra-Gries): the key of an event is its attributes' values (the given attributes, or all of them) as Java strings, concatenated. An event of a held key passes on. An event of a new key, when event.count keys are held, lowers every held key's count by one and expires the keys that reach zero (their latest event, as EXPIRED); it then enters if a place freed up, and is dropped otherwise.",
  example: 'from Purchases#window.frequent(2, cardNo) select cardNo, price insert all events into Out;',
  plan(args, env) {
    const n = args.constant('event.count') as number;
    const keyArgs = args.args('attribute');
    const indices = keyArgs.length ? keyArgs.map(a => a.attributeIndex!) : env.attributes.map((_, i) => i);
    const types = env.attributes.map(a => a.type);
    const keyOf = (e: StreamEvent) => frequencyKey(e.data, indices, types);
    const spec: StateSpec<Frequent> = {
      version: 1,
      shape: refine(record({ cap: int(), e: array(tuple(int(), event(types))) }), (s: { cap: number; e: [number, Json][] }) => {
        const keys = s.e.map(([, ej]) => keyOf(decodeEvent(ej)));
        if (new Set(keys).size !== keys.length) return 'two entries have the same key';
        return JavaHashOrder.problem(s.cap, keys);
      }),
      create: () => ({ counts: new Map(), order: new JavaHashOrder() }),
      snapshot: st => ({ cap: st.order.capacity, e: st.order.keys().map(k => [st.counts.get(k)!.count, encodeEvent(st.counts.get(k)!.event)]) }),
      restore: j => {
        const s = j as { cap: number; e: [number, Json][] };
        const counts = new Map<string, Counted>();
        for (const [count, ej] of s.e) {
          const event = decodeEvent(ej);
          counts.set(keyOf(event), { count, event });
        }
        return { counts, order: JavaHashOrder.of(s.cap, [...counts.keys()]) };
      },
    };
    return {
      create(ctx) {
        const cell = ctx.state('counts', spec);
        return {
          contents: () => cell.value.order.keys().map(k => cell.value.counts.get(k)!.event),
          process(chunk, emit) {
            const { counts, order } = cell.value;
            const now = ctx.clock.now;
            const out: StreamEvent[] = [];
            for (const e of chunk) {
              const key = keyOf(e);
              const known = counts.get(key);
              if (known) {
                known.count++;
                known.event = e;
                order.touch(key);
                out.push(e);
                continue;
              }
              if (counts.size + 1 > n) {
                const keys = order.keys();
                for (let i = 0; i < n && i < keys.length; i++) {
                  const k = keys[i];
                  const c = counts.get(k)!;
                  if (--c.count === 0) {
                    order.remove(k);
                    counts.delete(k);
                    out.push(expiredCopy(c.event, now));
                  } else order.touch(k);
                }
                if (counts.size + 1 > n) continue;
              }
              counts.set(key, { count: 1, event: e });
              order.add(key);
              out.push(e);
            }
            if (out.length) emit(out);
          },
        };
      },
    };
  },
};
