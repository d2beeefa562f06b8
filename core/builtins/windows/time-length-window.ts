import type { StreamEvent } from '../../kernel/event';
import { constant, param, PERIOD, type WindowFunction } from '../descriptor';
import { agedEvents } from './aged-events';
import { expireDue } from './time-window';
import { atLeast } from './window-params';
import { expiredCopy } from './window-state';

/** `timeLength(t, n)`: the events of the last t ms, at most n of them. */
export const timeLengthWindow: WindowFunction = {
  kind: 'window',
  name: 'timeLength',
  batch: false,
  signatures: [[param('window.time', PERIOD), param('window.length', constant('INT'))]],
  returns: 'CURRENT and EXPIRED events',
  description:
    'A sliding window holding the events of the last t ms of event time, at most n of them. An arrival that finds n events held expires the oldest at once (EXPIRED before the arrival, in the same chunk); the clock expires events older than t ms as the time window does. n=0 lets events pass without holding them.',
  example: 'from S#window.timeLength(2 sec, 10) select sum(v) as s insert into Out;',
  plan(args) {
    const t = atLeast('timeLength', 'window.time', args.constant('window.time') as number, 0, ' ms');
    const n = atLeast('timeLength', 'window.length', args.constant('window.length') as number, 0);
    return {
      create(ctx) {
        const aged = agedEvents(ctx, t, expireDue);
        return {
          contents: aged.contents,
          process(chunk, emit) {
            const now = ctx.clock.now;
            const q = aged.queue;
            const out: StreamEvent[] = [];
            for (const e of chunk) {
              expireDue(q, t, now, out);
              if (q.size < n) q.push(e);
              else if (n > 0) {
                out.push(expiredCopy(q.shift()!, now));
                q.push(e);
              }
              out.push(e);
            }
            aged.emit(out, emit);
          },
          onTimer: aged.onTimer,
        };
      },
    };
  },
};
