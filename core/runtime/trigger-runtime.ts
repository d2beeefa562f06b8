import { EventKind } from '../kernel/event';
import { parseCron } from '../kernel/cron';
import type { TriggerPlan } from '../plan/plan';
import type { RuntimeContext } from './runtime-context';

/** How many missed firings a trigger catches up after a clock jump. */
const MAX_CATCH_UP = 1000;

/**
 * `define trigger T at ...` fires on the event clock: 'start' when the clock first moves,
 * `every T` at start + T, start + 2T, ..., a cron expression at its times. A clock jump fires each
 * missed time once (at most MAX_CATCH_UP of them; the rest are skipped and logged).
 */
export function buildTrigger(rt: RuntimeContext, t: TriggerPlan): void {
  const junction = rt.junction(t.id);
  const fire = (times: number[], now: number) => {
    if (times.length) junction.send(times.map(at => ({ timestamp: now, data: [at], type: EventKind.CURRENT })));
  };
  if (t.at.kind === 'start') {
    rt.onStart.push(now => fire([now], now));
    return;
  }
  const timerId = `trigger:${t.id}:${t.fingerprint}`;
  const at = t.at;
  const cron = at.kind === 'cron' ? parseCron(at.expression) : undefined;
  const period = at.kind === 'every' ? at.millis : 0;
  const nextAfter = (time: number) => (cron ? cron.next(time) : time + period);
  rt.onStart.push(now => {
    const first = cron ? cron.next(now - 1) : now + period;
    if (first !== null) rt.scheduler.schedule(timerId, first);
  });
  rt.scheduler.register(timerId, (now, due) => {
    const times: number[] = [];
    let next: number | null = due;
    while (next !== null && next <= now && times.length < MAX_CATCH_UP) {
      times.push(next);
      next = nextAfter(next);
    }
    if (next !== null && next <= now) {
      rt.logger.warn(`trigger '${t.id}': the clock jumped to ${now}; fired ${MAX_CATCH_UP} missed times and skipped the rest`);
      while (next !== null && next <= now) next = cron ? cron.next(now) : next + Math.ceil((now - next + 1) / period) * period;
    }
    fire(times, now);
    if (next !== null) rt.scheduler.schedule(timerId, next);
  });
}
