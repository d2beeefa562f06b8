import type { StreamEvent } from '../../runtime/event';
import type { WindowFunction } from '../descriptor';
import { eventQueueSpec } from './event-queue';
import { WindowTimer } from './window-timer';
import { arityCheck, expiredCopy, intParam } from './window-state';

/** `timeLength(t, n)`: the events of the last t ms, at most n of them. */
export const timeLengthWindow: WindowFunction = {
  name: 'timeLength',
  batch: false,
  signature: '(window.time INT|LONG|time, window.length INT)',
  returns: 'CURRENT and EXPIRED events',
  description: 'A sliding window holding the events of the last t ms, capped at n events: an arrival beyond n expires the oldest at once; the clock expires events older than t.',
  example: 'from S#window.timeLength(2 sec, 10) select sum(v) as s insert into Out;',
  plan(args) {
    arityCheck('timeLength', args, 2, 2);
    const t = intParam('timeLength', 'window.time', args[0], { min: 1 });
    const n = intParam('timeLength', 'window.length', args[1], { min: 1 });
    return {
      create(ctx) {
        const held = ctx.state('events', eventQueueSpec);
        const timer = new WindowTimer(ctx);
        const expire = (now: number, out: StreamEvent[]) => {
          const q = held.value;
          while (q.size && q.peek()!.timestamp + t <= now) out.push(expiredCopy(q.shift()!, now));
        };
        return {
          contents: () => held.value.toArray(),
          process(chunk, emit) {
            const out: StreamEvent[] = [];
            const now = ctx.clock.now;
            expire(now, out);
            for (const e of chunk) {
              if (held.value.size >= n) out.push(expiredCopy(held.value.shift()!, now));
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
            if (held.value.size) timer.ensure(held.value.peek()!.timestamp + t);
            if (out.length) emit(out);
          },
        };
      },
    };
  },
};
