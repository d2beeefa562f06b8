import { parseCron, type Cron } from '../../kernel/cron';
import type { StreamEvent } from '../../kernel/event';
import { BuiltinArgError } from '../../errors/millrace-error';
import { constant, param, type WindowFunction } from '../descriptor';
import { eventListSpec, expiredCopy, RESET_TEMPLATE } from './window-state';
import { WindowTimer } from './window-timer';

/**
 * `cron('<quartz expression>')`: a batch window released at the times of a Quartz cron
 * expression, on the event clock (UTC).
 *
 * As Siddhi's cron window does, a tick with no new events does nothing at all (the previous batch
 * stays until a tick that has new events), and a release is [EXPIRED copies of the previous batch
 * stamped with the clock, the new batch]. When the query does not use expired events, a RESET
 * takes the place of the EXPIRED copies (the aggregates end up the same). Only a tick after an
 * arrival needs a timer, so an idle window keeps none.
 */
export const cronWindow: WindowFunction = {
  kind: 'window',
  name: 'cron',
  batch: true,
  signatures: [[{ ...param('cron.expression', constant('STRING')), note: 'a Quartz cron expression' }]],
  returns: 'batches of CURRENT events, preceded by EXPIRED copies of the previous batch (or RESET)',
  description:
    "Collects events and releases them as a batch at each time of a Quartz cron expression (seconds first: 'sec min hour day-of-month month day-of-week [year]', evaluated in UTC on the event clock): EXPIRED copies of the previous batch stamped with the clock, then the new batch's events. A time with no new events releases nothing and leaves the previous batch in place. An event arriving exactly at a cron time belongs to the next batch. Examples: '*/5 * * * * ?' every 5 seconds, '0 0 * * * ?' every hour, '0 0 9 ? * MON-FRI' at 09:00 on weekdays.",
  example: "from S#window.cron('*/10 * * * * ?') select count() as n insert into Every10s;",
  plan(args) {
    let cron: Cron;
    try {
      cron = parseCron(args.constant('cron.expression') as string);
    } catch (e) {
      throw new BuiltinArgError(`cron window: ${(e as Error).message}`);
    }
    return {
      create(ctx) {
        const pending = ctx.state('pending', eventListSpec);
        const previous = ctx.state('previous', eventListSpec);
        const timer = new WindowTimer(ctx);
        return {
          contents: () => previous.value,
          process(chunk) {
            if (!chunk.length) return;
            const wasEmpty = !pending.value.length;
            for (const e of chunk) pending.value.push(e);
            if (wasEmpty) {
              const tick = cron.next(ctx.clock.now);
              if (tick !== null) timer.ensure(tick);
            }
          },
          onTimer(now, emit, due) {
            timer.fired(due);
            const batch = pending.value;
            if (!batch.length) return;
            pending.value = [];
            const out: StreamEvent[] = [];
            if (ctx.expiredNeeded) for (const e of previous.value) out.push(expiredCopy(e, now));
            else out.push(RESET_TEMPLATE(now));
            for (const e of batch) out.push(e);
            previous.value = ctx.expiredNeeded ? batch : [];
            emit(out);
          },
        };
      },
    };
  },
};
