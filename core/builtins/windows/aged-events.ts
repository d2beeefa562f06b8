import type { StreamEvent } from '../../kernel/event';
import type { Emit, WindowContext } from '../../plan/operators';
import { eventQueueSpec, type EventQueue } from './event-queue';
import { WindowTimer } from './window-timer';

/** Moves the events whose t ms are up at `now` from the queue to `out`. */
export type Release = (q: EventQueue, t: number, now: number, out: StreamEvent[]) => void;

/**
 * Events held for t ms of event time, in arrival order, with the window's one timer armed for the
 * oldest: what the time, timeLength and delay windows share. They differ in what an arrival does
 * and in `release` (expire, or release late as current).
 *
 * @example
 *   const aged = agedEvents(ctx, t, expireDue);
 *   // process: expireDue(aged.queue, t, now, out); aged.queue.push(e); ... aged.emit(out, emit);
 *   // onTimer: aged.onTimer
 */
export function agedEvents(ctx: WindowContext, t: number, release: Release) {
  const held = ctx.state('events', eventQueueSpec);
  const timer = new WindowTimer(ctx);
  const emitAndArm = (out: StreamEvent[], emit: Emit) => {
    const head = held.value.peek();
    if (head) timer.ensure(head.timestamp + t);
    if (out.length) emit(out);
  };
  return {
    get queue(): EventQueue {
      return held.value;
    },
    contents: () => held.value.toArray(),
    /** After a chunk was processed: arm the timer for the oldest event held and emit `out`. */
    emit: emitAndArm,
    onTimer(now: number, emit: Emit, due: number): void {
      timer.fired(due);
      const out: StreamEvent[] = [];
      release(held.value, t, now, out);
      emitAndArm(out, emit);
    },
  };
}
