import { BuiltinArgError, type WindowFunction } from '../descriptor';
import { eventQueueSpec } from './event-queue';
import { arityCheck, expiredCopy, intParam } from './window-state';

/** `length(n)`: keeps the last n events; each arrival beyond n expires the oldest. */
export const lengthWindow: WindowFunction = {
  name: 'length',
  batch: false,
  signature: '(window.length INT)',
  returns: 'CURRENT and EXPIRED events',
  description: 'A sliding window of the last n events. When full, each arrival expires the oldest event (emitted as EXPIRED, before the arrival).',
  example: 'from S#window.length(10) select sum(v) as total insert into Out;',
  plan(args) {
    arityCheck('length', args, 1, 1);
    const n = intParam('length', 'window.length', args[0], { min: 0 });
    if (!Number.isSafeInteger(n)) throw new BuiltinArgError(`length window size ${n} is too large`);
    return {
      create(ctx) {
        const held = ctx.state('events', eventQueueSpec);
        return {
          contents: () => held.value.toArray(),
          process(chunk, emit) {
            const out = [];
            for (const e of chunk) {
              const now = e.timestamp;
              if (n === 0) {
                out.push(e, expiredCopy(e, now));
                continue;
              }
              const q = held.value;
              if (q.size >= n) out.push(expiredCopy(q.shift()!, now));
              q.push(e);
              out.push(e);
            }
            if (out.length) emit(out);
          },
        };
      },
    };
  },
};
