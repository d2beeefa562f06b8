import { BuiltinArgError } from '../../errors/millrace-error';
import { constant, param, type WindowFunction } from '../descriptor';
import { eventQueueSpec } from './event-queue';
import { atLeast } from './window-params';
import { expiredCopy } from './window-state';

/** `length(n)`: keeps the last n events; each arrival beyond n expires the oldest. */
export const lengthWindow: WindowFunction = {
  kind: 'window',
  name: 'length',
  batch: false,
  signatures: [[param('window.length', constant('INT'))]],
  returns: 'CURRENT and EXPIRED events',
  description: 'A sliding window of the last n events. When full, each arrival expires the oldest event (emitted as EXPIRED, before the arrival).',
  example: 'from S#window.length(10) select sum(v) as total insert into Out;',
  plan(args) {
    const n = atLeast('length', 'window.length', args.constant('window.length') as number, 0);
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
