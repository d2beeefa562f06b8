import type { StreamEvent } from '../../kernel/event';
import { toInt } from '../../kernel/java-num';
import { javaFloatToString } from '../../kernel/java-text';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { attribute, constant, NUMERIC, optional, param, type ArgInfo, type WindowFunction } from '../descriptor';
import { frequencyKey, JavaHashOrder } from './java-hash-order';
import { decodeEvent, encodeEvent } from './window-params';
import { array, event, int, record, refine, tuple } from '../../state/shape';
import { expiredCopy } from './window-state';

interface Counted {
  count: number;
  bucketId: number;
  /** The latest event with this key. */
  event: StreamEvent;
}

interface Lossy {
  total: number;
  bucket: number;
  counts: Map<string, Counted>;
  /** The order Siddhi's count map walks its keys in. */
  order: JavaHashOrder;
}

/** A constant number, as Siddhi reads it (`Double.parseDouble(String.valueOf(value))`). */
function numberOf(a: ArgInfo): number {
  const v = a.constant!.value as number;
  return a.type === 'FLOAT' ? Number(javaFloatToString(v)) : v;
}

/**
 * `lossyFrequent(support [, error] [, attr...])` (deprecated in Siddhi): lossy counting of keys
 * (the chosen attributes, or all of them). An arrival passes on when its key's count is at least
 * (support - error) × events seen; every ⌈1/error⌉ events, keys whose count can no longer reach
 * that are pruned (their latest event, EXPIRED, after the arrival).
 */
export const lossyFrequentWindow: WindowFunction = {
  kind: 'window',
  name: 'lossyFrequent',
  batch: false,
  signatures: [
    [
      param('support.threshold', constant(...NUMERIC)),
      { ...optional('error.bound', 'support.threshold / 10', constant(...NUMERIC)), attributeHint: 'attributes to count by come after support and error' },
      { name: 'attribute', forms: [attribute()], default: 'all attributes', repeated: true },
    ],
  ],
  returns: 'CURRENT and EXPIRED events',
  description:
    "Deprecated in Siddhi. Lossy counting of the keys of events (the given attributes' values, or all of them, as Java strings concatenated): an event passes on when its key has been seen at least (support - error) × the events seen so far; otherwise it is only counted. Every ceil(1/error) events the keys that cannot be frequent any more are dropped and their latest events expire (EXPIRED). Attributes to count by can only be given after an explicit error bound.",
  example: 'from Purchases#window.lossyFrequent(0.1, 0.01, cardNo) select cardNo, price insert all events into Out;',
  plan(args, env) {
    const support = numberOf(args.arg('support.threshold')!);
    const errorArg = args.arg('error.bound');
    const error = errorArg ? numberOf(errorArg) : support / 10;
    const keyArgs = args.args('attribute');
    const indices = keyArgs.length ? keyArgs.map(a => a.attributeIndex!) : env.attributes.map((_, i) => i);
    const types = env.attributes.map(a => a.type);
    const keyOf = (e: StreamEvent) => frequencyKey(e.data, indices, types);
    const width = Math.ceil(1 / error);
    const spec: StateSpec<Lossy> = {
      version: 1,
      shape: refine(
        record({ t: int(), b: int(), cap: int(), e: array(tuple(int(), int(), event(types))) }),
        (s: { cap: number; e: [number, number, Json][] }) => {
          const keys = s.e.map(([, , ej]) => keyOf(decodeEvent(ej)));
          if (new Set(keys).size !== keys.length) return 'two entries have the same key';
          return JavaHashOrder.problem(s.cap, keys);
        },
      ),
      create: () => ({ total: 0, bucket: 1, counts: new Map(), order: new JavaHashOrder() }),
      snapshot: st => ({
        t: st.total,
        b: st.bucket,
        cap: st.order.capacity,
        e: st.order.keys().map(k => {
          const c = st.counts.get(k)!;
          return [c.count, c.bucketId, encodeEvent(c.event)];
        }),
      }),
      restore: j => {
        const s = j as { t: number; b: number; cap: number; e: [number, number, Json][] };
        const counts = new Map<string, Counted>();
        for (const [count, bucketId, ej] of s.e) {
          const event = decodeEvent(ej);
          counts.set(keyOf(event), { count, bucketId, event });
        }
        return { total: s.t, bucket: s.b, counts, order: JavaHashOrder.of(s.cap, [...counts.keys()]) };
      },
    };
    return {
      create(ctx) {
        const cell = ctx.state('counts', spec);
        return {
          contents: () => cell.value.order.keys().map(k => cell.value.counts.get(k)!.event),
          process(chunk, emit) {
            const st = cell.value;
            const now = ctx.clock.now;
            const out: StreamEvent[] = [];
            for (const e of chunk) {
              st.total = (st.total + 1) | 0;
              if (st.total !== 1) st.bucket = Math.ceil(st.total / width);
              const key = keyOf(e);
              let c = st.counts.get(key);
              if (c) {
                c.event = e;
                c.count = (c.count + 1) | 0;
                st.order.touch(key);
              } else {
                c = { count: 1, bucketId: (toInt(st.bucket) - 1) | 0, event: e };
                st.counts.set(key, c);
                st.order.add(key);
              }
              if (c.count >= (support - error) * st.total) out.push(e);
              if (st.total % width === 0) {
                for (const k of st.order.keys()) {
                  const p = st.counts.get(k)!;
                  if (p.count + p.bucketId <= st.bucket) {
                    st.order.remove(k);
                    st.counts.delete(k);
                    out.push(expiredCopy(p.event, now));
                  }
                }
              }
            }
            if (out.length) emit(out);
          },
        };
      },
    };
  },
};
