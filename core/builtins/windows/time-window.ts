import type { StreamEvent } from '../../kernel/event';
import { param, PERIOD, type WindowFunction } from '../descriptor';
import type { EventQueue } from './event-queue';
import { expiredCopy } from './window-state';
import { agedEvents } from './aged-events';
import { atLeast } from './window-params';

/**
 * Moves every held event whose time is up (timestamp + t <= now) to `out` as an EXPIRED event
 * carrying `now`, oldest first, stopping at the first one still inside the window (as Siddhi does,
 * an out-of-order event waits behind older-looking ones).
 */
export function expireDue(q: EventQueue, t: number, now: number, out: StreamEvent[]): void {
  for (let head = q.peek(); head && head.timestamp + t <= now; head = q.peek()) out.push(expiredCopy(q.shift()!, now));
}

/** `time(t)`: keeps the events of the last t ms of event time; expiry is driven by the clock. */
export const timeWindow: WindowFunction = {
  kind: 'window',
  name: 'time',
  batch: false,
  signatures: [[param('window.time', PERIOD)]],
  returns: 'CURRENT and EXPIRED events',
  description:
    'A sliding window of the events of the last t ms of event time. An event expires t ms after its timestamp: when the clock reaches that time (an event or a clock-only move), everything due leaves together as EXPIRED events carrying the clock time, before anything that arrives at that time. Within one chunk of arrivals, each event first expires what is due by the clock.',
  example: 'from S#window.time(1 min) select symbol, avg(price) as avgPrice group by symbol insert into Out;',
  plan(args) {
    const t = atLeast('time', 'window.time', args.constant('window.time') as number, 0, ' ms');
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
              q.push(e);
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
