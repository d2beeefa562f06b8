import type { StreamEvent } from '../../kernel/event';
import { param, PERIOD, type WindowFunction } from '../descriptor';
import type { EventQueue } from './event-queue';
import { agedEvents } from './aged-events';
import { atLeast } from './window-params';

/** Moves the events whose delay is over to `out`, as CURRENT events carrying `now`, in arrival order. */
function releaseDue(q: EventQueue, t: number, now: number, out: StreamEvent[]): void {
  for (let head = q.peek(); head && head.timestamp + t <= now; head = q.peek()) out.push({ timestamp: now, data: q.shift()!.data, type: 0 });
}

/** `delay(t)`: holds each event t ms, then releases it as a current event at the clock's time. */
export const delayWindow: WindowFunction = {
  kind: 'window',
  name: 'delay',
  batch: false,
  signatures: [[param('window.delay', PERIOD)]],
  returns: 'CURRENT events, t ms late',
  description:
    'Holds every event for t ms of event time, then emits it as a CURRENT event carrying the time the clock reached (events due by then come out together, in arrival order). Nothing is emitted on arrival and no EXPIRED events are produced. The held events are what joins and on-demand queries see.',
  example: 'from Purchases#window.delay(1 hour) as p join Deliveries#window.length(100) as d on p.id == d.id select p.id insert into LateDeliveries;',
  plan(args) {
    const t = atLeast('delay', 'window.delay', args.constant('window.delay') as number, 0, ' ms');
    return {
      create(ctx) {
        const aged = agedEvents(ctx, t, releaseDue);
        return {
          contents: aged.contents,
          process(chunk, emit) {
            const now = ctx.clock.now;
            const q = aged.queue;
            const out: StreamEvent[] = [];
            for (const e of chunk) {
              releaseDue(q, t, now, out);
              q.push(e);
            }
            aged.emit(out, emit);
          },
          onTimer: aged.onTimer,
        };
      },
    };
  },
};
