import type { StreamEvent } from '../../kernel/event';
import { constant, param, PERIOD, type ParamSpec, type WindowFunction } from '../descriptor';
import { atLeast } from './window-params';
import { eventListSpec, expiredCopy, RESET_TEMPLATE } from './window-state';
import { WindowTimer } from './window-timer';
import { nullable, num } from '../../state/shape';

const WINDOW_TIME = param('window.time', PERIOD);
const START_TIME = param('start.time', PERIOD);
/** Second or third: messages say which. */
const STREAM_CURRENT: ParamSpec = { ...param('stream.current.event', constant('BOOL')), citeByPosition: true };

/**
 * `timeBatch(t [, start.time] [, stream.current.event])`: batches of t ms of event time.
 *
 * The first arrival fixes the batch boundaries: its time + t, or with start.time the next
 * `start.time + k*t` after it. Every boundary the clock reaches releases, in one chunk, EXPIRED
 * copies of the previous batch (only when the query uses expired events, stamped with the clock),
 * RESET (when events arrived since the last boundary) and the events of the batch. Boundaries
 * with nothing to release are skipped without a timer.
 */
export const timeBatchWindow: WindowFunction = {
  kind: 'window',
  name: 'timeBatch',
  batch: true,
  // Two parameters are told apart by the type of the second.
  signatures: [
    [WINDOW_TIME],
    [WINDOW_TIME, START_TIME],
    [WINDOW_TIME, STREAM_CURRENT],
    [WINDOW_TIME, START_TIME, STREAM_CURRENT],
  ],
  returns: 'batches of CURRENT events, preceded by RESET and EXPIRED copies of the previous batch',
  description:
    "A batch window of t ms of event time. Boundaries fall every t ms from the first event's time + t, or, with start.time, at start.time + k*t. When the clock reaches a boundary (an event or a clock-only move) the batch is released as one chunk: EXPIRED copies of the previous batch (when the query uses expired events), RESET, then the batch's events with their own timestamps; an event arriving exactly at a boundary belongs to the next batch, and empty periods release nothing but pending expirations. With stream.current.event=true, events pass through as they arrive and each boundary only expires them and resets. Two parameters are read as (t, start.time) or (t, stream.current.event) by the type of the second.",
  example: 'from S#window.timeBatch(1 min, 0) select sum(v) as total insert into PerMinute;',
  plan(args) {
    const t = atLeast('timeBatch', 'window.time', args.constant('window.time') as number, 1, ' ms');
    const start = args.constant('start.time') as number | undefined;
    const streamCurrent = args.constant('stream.current.event') === true;
    // Siddhi's rounding, Java remainder included: before start.time the first batch is one period longer.
    const firstBoundary = (now: number) => (start === undefined ? now + t : now + (t - ((now - start) % t)));
    const skipPast = (b: number, now: number) => b + (Math.floor((now - b) / t) + 1) * t;
    return {
      create(ctx) {
        /** Events since the last boundary (with stream.current.event: already passed through). */
        const pending = ctx.state('pending', eventListSpec);
        /** The last released batch, kept only for its EXPIRED copies. */
        const previous = ctx.state('previous', eventListSpec);
        const boundary = ctx.state('boundary', { version: 1, shape: nullable(num()), create: () => ({ at: null as number | null }), snapshot: c => c.at, restore: j => ({ at: j as number | null }) });
        const timer = new WindowTimer(ctx);
        const idle = () => !pending.value.length && !previous.value.length;

        const flush = (now: number, out: StreamEvent[]) => {
          const batch = pending.value;
          pending.value = [];
          if (ctx.expiredNeeded) for (const e of streamCurrent ? batch : previous.value) out.push(expiredCopy(e, now));
          if (batch.length) out.push(RESET_TEMPLATE(now));
          if (!streamCurrent) for (const e of batch) out.push(e);
          previous.value = ctx.expiredNeeded && !streamCurrent ? batch : [];
        };
        const arm = () => {
          const at = boundary.value.at;
          if (at !== null && !idle()) timer.ensure(at);
        };
        return {
          contents: () => (streamCurrent ? pending.value : previous.value),
          process(chunk, emit) {
            const now = ctx.clock.now;
            const b = boundary.value;
            if (b.at === null) b.at = firstBoundary(now);
            else if (idle() && b.at <= now) b.at = skipPast(b.at, now);
            // A boundary already reached but not yet fired (another window's timer fed this one):
            // Siddhi releases it here, with these arrivals in the batch.
            const release = b.at <= now;
            if (release) b.at += t;
            for (const e of chunk) pending.value.push(e);
            const out: StreamEvent[] = streamCurrent ? chunk.slice() : [];
            if (release) flush(now, out);
            arm();
            if (out.length) emit(out);
          },
          onTimer(now, emit, due) {
            timer.fired(due);
            const b = boundary.value;
            while (b.at !== null && b.at <= now) {
              if (idle()) {
                b.at = skipPast(b.at, now);
                break;
              }
              const out: StreamEvent[] = [];
              flush(now, out);
              b.at += t;
              if (out.length) emit(out);
            }
            arm();
          },
        };
      },
    };
  },
};
