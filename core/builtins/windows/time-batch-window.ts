import { parseCron, type Cron } from '../../runtime/cron';
import type { StreamEvent } from '../../runtime/event';
import { BuiltinArgError, type ArgInfo, type WindowContext, type WindowFunction, type WindowOperator } from '../descriptor';
import { eventListSpec, expiredCopy, RESET_TEMPLATE, arityCheck, boolParam, intParam } from './window-state';
import { WindowTimer } from './window-timer';

/**
 * The batch machinery shared by `timeBatch` and `cron`: events collect until the next boundary;
 * at each boundary the window emits, in one chunk, EXPIRED copies of the previous batch (when
 * needed), RESET and the new batch. Boundaries with nothing to emit emit nothing.
 */
function batchOperator(
  ctx: WindowContext,
  streamCurrent: boolean,
  nextBoundary: (after: number) => number | null,
  firstBoundary: (now: number) => number | null,
  skipPast: (boundary: number, now: number) => number | null,
): WindowOperator {
  const pending = ctx.state('pending', eventListSpec);
  const previous = ctx.state('previous', eventListSpec);
  const boundary = ctx.state('boundary', { version: 1, create: () => ({ at: null as number | null }), snapshot: c => c.at, restore: j => ({ at: j as number | null }) });
  const timer = new WindowTimer(ctx);

  const flush = (now: number, emit: (c: StreamEvent[]) => void) => {
    const batch = pending.value;
    pending.value = [];
    const out: StreamEvent[] = [];
    if (ctx.expiredNeeded) for (const e of streamCurrent ? batch : previous.value) out.push(expiredCopy(e, now));
    if (out.length || batch.length) out.push(RESET_TEMPLATE(now));
    if (!streamCurrent) for (const e of batch) out.push(e);
    previous.value = ctx.expiredNeeded && !streamCurrent ? batch : [];
    if (out.length) emit(out);
  };
  /**
   * Crosses every boundary up to `now`. Boundaries stay aligned; while nothing is held the
   * window skips straight past `now` and keeps no timer.
   */
  const advance = (now: number, emit: (c: StreamEvent[]) => void) => {
    let b = boundary.value.at;
    while (b !== null && b <= now) {
      if (!pending.value.length && !previous.value.length) {
        b = skipPast(b, now);
        break;
      }
      flush(now, emit);
      b = nextBoundary(b);
    }
    boundary.value.at = b;
    if (b !== null && (pending.value.length || previous.value.length)) timer.ensure(b);
  };
  return {
    contents: () => (streamCurrent ? pending.value : previous.value.length ? previous.value : pending.value),
    process(chunk, emit) {
      const now = ctx.clock.now;
      advance(now, emit);
      if (boundary.value.at === null) boundary.value.at = firstBoundary(now);
      if (boundary.value.at !== null) timer.ensure(boundary.value.at);
      for (const e of chunk) pending.value.push(e);
      if (streamCurrent) emit(chunk);
    },
    onTimer(now, emit, due) {
      timer.fired(due);
      advance(now, emit);
    },
  };
}

function timeParam(args: readonly ArgInfo[], i: number): number {
  return intParam('timeBatch', i === 0 ? 'window.time' : 'start.time', args[i], { min: i === 0 ? 1 : 0 });
}

/** `timeBatch(t [, start.time] [, stream.current.event])`. */
export const timeBatchWindow: WindowFunction = {
  name: 'timeBatch',
  batch: true,
  signature: '(window.time INT|LONG|time, [start.time INT|LONG], [stream.current.event BOOL])',
  returns: 'batches of CURRENT events, preceded by RESET and EXPIRED copies of the previous batch',
  description:
    'A batch window of t ms of event time. The first batch starts at the first event, or, with start.time, batches are aligned so that boundaries fall at start.time + k*t. Each batch is released when the clock passes its end; empty periods release nothing but pending expirations. With stream.current.event=true, events pass through as they arrive and the window only expires and resets at each boundary.',
  example: 'from S#window.timeBatch(1 min) select sum(v) as total insert into PerMinute;',
  plan(args) {
    arityCheck('timeBatch', args, 1, 3);
    const t = timeParam(args, 0);
    let start: number | undefined;
    let streamCurrent = false;
    if (args.length >= 2) {
      if (args[1].type === 'BOOL') {
        if (args.length > 2) throw new BuiltinArgError('timeBatch window: stream.current.event must be the last parameter');
        streamCurrent = boolParam('timeBatch', 'stream.current.event', args[1], false);
      } else start = timeParam(args, 1);
    }
    if (args.length === 3) streamCurrent = boolParam('timeBatch', 'stream.current.event', args[2], false);
    return {
      create: ctx =>
        batchOperator(
          ctx,
          streamCurrent,
          b => b + t,
          now => (start === undefined ? now + t : start + (Math.floor((now - start) / t) + 1) * t),
          (b, now) => b + (Math.floor((now - b) / t) + 1) * t,
        ),
    };
  },
};

/** `cron('<quartz expression>')`: a batch window whose boundaries are the expression's times. */
export const cronWindow: WindowFunction = {
  name: 'cron',
  batch: true,
  signature: "(cron.expression STRING)",
  returns: 'batches of CURRENT events, preceded by RESET and EXPIRED copies of the previous batch',
  description:
    "Collects events and releases them as a batch at every time of a Quartz cron expression (seconds field first, UTC), on the event clock. Example expressions: '*/5 * * * * ?' every 5 seconds, '0 0 * * * ?' every hour.",
  example: "from S#window.cron('*/10 * * * * ?') select count() as n insert into Every10s;",
  plan(args) {
    arityCheck('cron', args, 1, 1);
    const a = args[0];
    if (a.type !== 'STRING' || !a.constant) throw new BuiltinArgError('cron window needs a constant string: a Quartz cron expression');
    let cron: Cron;
    try {
      cron = parseCron(a.constant.value as string);
    } catch (e) {
      throw new BuiltinArgError(`cron window: ${(e as Error).message}`);
    }
    return { create: ctx => batchOperator(ctx, false, b => cron.next(b), now => cron.next(now), (_b, now) => cron.next(now)) };
  },
};
