import { EventKind, type StreamEvent } from '../../kernel/event';
import type { WindowFunction } from '../descriptor';
import { eventQueueSpec } from './event-queue';
import { attributeParam, intOrLongParam } from './window-params';
import { arityCheck } from './window-state';

/**
 * `externalTime(ts, t)`: a sliding time window on the time an attribute carries. An arrival whose
 * `ts` is at least `t` past a held event's expires it (EXPIRED, stamped with the arrival's `ts`,
 * before the arrival). Nothing expires without arrivals: there is no timer.
 */
export const externalTimeWindow: WindowFunction = {
  name: 'externalTime',
  batch: false,
  signature: '(timestamp LONG, window.time INT|LONG|TIME)',
  returns: 'CURRENT and EXPIRED events',
  description:
    "A sliding window over the last window.time of the time given by a LONG attribute (for example the time an event happened at its source). The window's clock is the timestamp of the arriving event: each arrival expires the held events whose timestamp is window.time or more older, oldest first, as EXPIRED events stamped with the arrival's timestamp. Timestamps should not decrease; nothing expires between arrivals.",
  example: 'from S#window.externalTime(eventTime, 1 min) select sum(price) as total insert into Out;',
  plan(args, env) {
    arityCheck('externalTime', args, 2, 2);
    const tsIndex = attributeParam('externalTime', 'timestamp', args[0], ['LONG'], env);
    const span = intOrLongParam('externalTime', 'window.time', args[1]);
    const tsName = env.attributes[tsIndex].name;
    return {
      create(ctx) {
        const held = ctx.state('events', eventQueueSpec);
        return {
          contents: () => held.value.toArray(),
          process(chunk, emit) {
            for (const e of chunk) if (e.data[tsIndex] === null) throw new Error(`externalTime window: the timestamp attribute '${tsName}' is null`);
            const q = held.value;
            const out: StreamEvent[] = [];
            for (const e of chunk) {
              const now = e.data[tsIndex] as number;
              for (let old = q.peek(); old && (old.data[tsIndex] as number) - now + span <= 0; old = q.peek()) {
                q.shift();
                out.push({ timestamp: now, data: old.data, type: EventKind.EXPIRED });
              }
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
