import { EventKind, type StreamEvent } from '../../kernel/event';
import { ProcessingError } from '../../errors/millrace-error';
import { attribute, param, PERIOD, type WindowFunction } from '../descriptor';
import { eventQueueSpec } from './event-queue';

/**
 * `externalTime(ts, t)`: a sliding time window on the time an attribute carries. An arrival whose
 * `ts` is at least `t` past a held event's expires it (EXPIRED, stamped with the arrival's `ts`,
 * before the arrival). Nothing expires without arrivals: there is no timer.
 */
export const externalTimeWindow: WindowFunction = {
  kind: 'window',
  name: 'externalTime',
  batch: false,
  signatures: [[param('timestamp', attribute('LONG')), param('window.time', PERIOD)]],
  returns: 'CURRENT and EXPIRED events',
  description:
    "A sliding window over the last window.time of the time given by a LONG attribute (for example the time an event happened at its source). The window's clock is the timestamp of the arriving event: each arrival expires the held events whose timestamp is window.time or more older, oldest first, as EXPIRED events stamped with the arrival's timestamp. Timestamps should not decrease; nothing expires between arrivals.",
  example: 'from S#window.externalTime(eventTime, 1 min) select sum(price) as total insert into Out;',
  plan(args, env) {
    const tsIndex = args.attribute('timestamp')!;
    const span = args.constant('window.time') as number;
    const tsName = env.attributes[tsIndex].name;
    return {
      create(ctx) {
        const held = ctx.state('events', eventQueueSpec);
        return {
          contents: () => held.value.toArray(),
          process(chunk, emit) {
            for (const e of chunk) if (e.data[tsIndex] === null) throw new ProcessingError(`externalTime window: the timestamp attribute '${tsName}' is null`);
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
