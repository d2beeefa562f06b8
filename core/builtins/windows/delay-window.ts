import type { StreamEvent } from '../../runtime/event';
import type { WindowFunction } from '../descriptor';
import { eventQueueSpec } from './event-queue';
import { WindowTimer } from './window-timer';
import { arityCheck, intParam } from './window-state';

/** `delay(t)`: holds each event t ms, then releases it as a current event at the clock's time. */
export const delayWindow: WindowFunction = {
  name: 'delay',
  batch: false,
  signature: '(window.delay INT|LONG|time)',
  returns: 'CURRENT events, t ms late',
  description: 'Holds every event for t ms of event time, then emits it as a CURRENT event carrying the time the clock reached (all events due at once come out together).',
  example: 'from S#window.delay(1 min) select * insert into Later;',
  plan(args) {
    arityCheck('delay', args, 1, 1);
    const t = intParam('delay', 'window.delay', args[0], { min: 1 });
    return {
      create(ctx) {
        const held = ctx.state('events', eventQueueSpec);
        const timer = new WindowTimer(ctx);
        const release = (now: number, emit: (c: StreamEvent[]) => void) => {
          const out: StreamEvent[] = [];
          const q = held.value;
          while (q.size && q.peek()!.timestamp + t <= now) out.push({ timestamp: now, data: q.shift()!.data, type: 0 });
          if (q.size) timer.ensure(q.peek()!.timestamp + t);
          if (out.length) emit(out);
        };
        return {
          contents: () => held.value.toArray(),
          process(chunk, emit) {
            release(ctx.clock.now, emit);
            for (const e of chunk) held.value.push(e);
            if (held.value.size) timer.ensure(held.value.peek()!.timestamp + t);
          },
          onTimer(now, emit, due) {
            timer.fired(due);
            release(now, emit);
          },
        };
      },
    };
  },
};
