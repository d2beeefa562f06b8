import type { AttrType } from '../../ast/nodes';
import type { StreamEvent, Value } from '../../kernel/event';
import { BuiltinArgError } from '../../errors/millrace-error';
import { describeArg } from '../arg-checker';
import { constant, param, value, type WindowFunction } from '../descriptor';
import { eventListSpec, expiredCopy } from './window-state';

/**
 * Java's `compareTo` for one attribute type: strings by UTF-16 code units, false before true,
 * numbers numerically (FLOAT/DOUBLE as Double.compare: -0.0 before 0.0, NaN after everything).
 * Siddhi fails on null; here null comes first.
 */
function comparatorFor(type: AttrType): (a: Value, b: Value) => number {
  const floating = type === 'FLOAT' || type === 'DOUBLE';
  return (a, b) => {
    if (a === b) return floating && a === 0 ? Number(Object.is(b, -0)) - Number(Object.is(a, -0)) : 0;
    if (a === null) return -1;
    if (b === null) return 1;
    if (a < b) return -1;
    if (a > b) return 1;
    if (floating) {
      const an = a !== a;
      const bn = b !== b;
      if (an !== bn) return an ? 1 : -1;
    }
    return 0;
  };
}

/**
 * `sort(n, attr [, 'asc'|'desc'] [, attr2 [, order2]] ...)`: keeps the n first events in the sort
 * order; an arrival that makes it n+1 expires the last one in that order (possibly itself), after
 * the arrival in the chunk. Ties keep arrival order, so among equal events the newest goes.
 */
export const sortWindow: WindowFunction = {
  kind: 'window',
  name: 'sort',
  batch: false,
  // The keys are attributes, each optionally followed by its order: `plan` reads the pairs.
  signatures: [[param('window.length', constant('INT')), { name: 'attribute', forms: [value()], default: 'none', repeated: true }]],
  returns: 'CURRENT and EXPIRED events',
  description:
    "A sliding window that keeps the window.length events that come first when sorted by the given attributes, each ascending unless followed by 'desc' ('asc' or 'desc', any case). When an arrival makes it hold one event too many, the last event in the sort order (among equal events, the newest) expires at once, as an EXPIRED event after the arrival.",
  example: "from S#window.sort(5, price, 'asc') select symbol, price insert all events into Out;",
  plan(bound) {
    const n = bound.constant('window.length') as number;
    const args = bound.all;
    const keys: { index: number; cmp: (a: Value, b: Value) => number; sign: number }[] = [];
    for (let i = 1; i < args.length; i++) {
      const a = args[i];
      if (a.attributeIndex === undefined) {
        if (a.type === 'STRING' && a.constant)
          throw new BuiltinArgError(`sort window's order '${a.constant.value}' must follow an attribute to sort by`);
        throw new BuiltinArgError(`sort window's parameter ${i + 1} must be an attribute to sort by, found ${describeArg(a)}`);
      }
      const index = a.attributeIndex;
      let sign = 1;
      const next = args[i + 1];
      if (next && next.type === 'STRING' && next.constant) {
        const order = String(next.constant.value).toLowerCase();
        if (order !== 'asc' && order !== 'desc') throw new BuiltinArgError(`sort window's order must be 'asc' or 'desc', found '${next.constant.value}'`);
        sign = order === 'desc' ? -1 : 1;
        i++;
      }
      keys.push({ index, cmp: comparatorFor(a.type), sign });
    }
    const compare = (x: StreamEvent, y: StreamEvent) => {
      for (const k of keys) {
        const c = k.cmp(x.data[k.index], y.data[k.index]);
        if (c !== 0) return k.sign * c;
      }
      return 0;
    };
    return {
      create(ctx) {
        const held = ctx.state('events', eventListSpec);
        return {
          contents: () => held.value,
          process(chunk, emit) {
            const now = ctx.clock.now;
            const out: StreamEvent[] = [];
            for (const e of chunk) {
              out.push(e);
              const es = held.value;
              es.push(e);
              if (es.length > n) {
                // Stable, like Java's Collections.sort; the list stays sorted from then on.
                es.sort(compare);
                out.push(expiredCopy(es.pop()!, now));
              }
            }
            if (out.length) emit(out);
          },
        };
      },
    };
  },
};
