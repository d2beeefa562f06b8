import type { StreamEvent } from '../../runtime/event';
import type { WindowFunction } from '../descriptor';
import { eventQueueSpec } from './event-queue';
import { WindowTimer } from './window-timer';
import { arityCheck, expiredCopy, intParam } from './window-state';

/** `time(t)`: keeps the events of the last t ms of event time; expiry is driven by the clock. */
export const timeWindow: WindowFunction = {
  name: 'time',
  batch: false,
  signature: '(window.time INT|LONG|time)',
  returns: 'CURRENT and EXPIRED events',
  description:
    'A sliding window of the events of the last t ms. An event expires t ms after its timestamp; everything due expires together, as one chunk, as soon as the clock reaches it (also when only the clock moves), carrying the clock time.',
  example: 'from S#window.time(1 min) select avg(price) as a insert into Out;',
  plan(args) {
    arityCheck('time', args, 1, 1);
    const t = intParam('time', 'window.time', args[0], { min: 1 });
    return {
      create(ctx) {
        const held = ctx.state('events', eventQueueSpec);
        const timer = new WindowTimer(ctx);
        const expire = (now: number, out: StreamEvent[]) => {
          const q = held.value;
          while (q.size && q.peek()!.timestamp + t <= now) out.push(expiredCopy(q.shift()!, now));
          if (q.size) timer.ensure(q.peek()!.timestamp + t);
        };
        return {
          contents: () => held.value.toArray(),
          process(chunk, emit) {
            const out: StreamEvent[] = [];
            expire(ctx.clock.now, out);
            for (const e of chunk) {
              held.value.push(e);
              out.push(e);
            }
            if (held.value.size) timer.ensure(held.value.peek()!.timestamp + t);
            emit(out);
          },
          onTimer(now, emit, due) {
            timer.fired(due);
            const out: StreamEvent[] = [];
            expire(now, out);
            if (out.length) emit(out);
          },
        };
      },
    };
  },
};
