import { ProcessingError } from '../errors/millrace-error';
import type { Json } from '../state/json';
import { num, refine, str, tuple, array } from '../state/shape';
import type { StateCell, StateRegistry } from '../state/state-spec';

/**
 * Called when a timer is due. `now` is the event clock, which may be past `due` when the clock
 * jumped (Siddhi's playback fires late timers at the time the clock reached, and what they emit
 * carries that time).
 */
export type TimerHandler = (now: number, due: number) => void;

/** How often one timer may fire again at a due time that did not advance before fireDue gives up. */
const STUCK_LIMIT = 1000;

interface Timer {
  due: number;
  target: string;
}

/** Timers as `[due, target]`, in due order (the order `schedule` keeps and `fireDue` relies on). */
const TIMERS = refine(array(tuple(num(), str())), (ts: [number, string][]) => {
  for (let i = 1; i < ts.length; i++) if (ts[i][0] < ts[i - 1][0]) return `timer ${i} is due before the one ahead of it (not in due order)`;
  return null;
});

/**
 * Event-time timers. Timers are state (due time and the id of the operator that set them), so a
 * restored runtime fires exactly what the previous invocation left pending. Operators register a
 * handler under a stable id at construction.
 */
export class Scheduler {
  private readonly handlers = new Map<string, TimerHandler>();
  /** Told about every timer before it fires (may throw to stop the invocation). */
  observer: ((target: string) => void) | undefined;
  private readonly timers: StateCell<Timer[]>;

  constructor(registry: StateRegistry) {
    this.timers = registry.register<Timer[]>(
      'scheduler',
      {
      version: 1,
      shape: TIMERS,
      create: () => [],
      snapshot: ts => ts.map(t => [t.due, t.target]) as Json,
      restore: j => (j as [number, string][]).map(([due, target]) => ({ due, target })),
      },
      { required: true },
    );
  }

  register(target: string, handler: TimerHandler): void {
    this.handlers.set(target, handler);
  }

  /** Ask for `target` to be called at `due`. A target with a timer already at that time is not added twice. */
  schedule(target: string, due: number): void {
    const ts = this.timers.value;
    let i = ts.length;
    while (i > 0 && ts[i - 1].due > due) i--;
    for (let j = i - 1; j >= 0 && ts[j].due === due; j--) if (ts[j].target === target) return;
    ts.splice(i, 0, { due, target });
  }

  cancel(target: string): void {
    this.timers.value = this.timers.value.filter(t => t.target !== target);
  }

  /** Forgets every timer and handler whose target starts with `prefix` (a removed partition key). */
  cancelPrefix(prefix: string): void {
    this.timers.value = this.timers.value.filter(t => !t.target.startsWith(prefix));
    for (const id of [...this.handlers.keys()]) if (id.startsWith(prefix)) this.handlers.delete(id);
  }

  /** Targets of the timers due at or before `until`. */
  dueTargets(until: number): string[] {
    return this.timers.value.filter(t => t.due <= until).map(t => t.target);
  }

  /** The earliest pending due time, or null. Stored with the unit so a tick finds due units. */
  nextDue(): number | null {
    const ts = this.timers.value;
    return ts.length ? ts[0].due : null;
  }

  /**
   * Fire, in due order, every timer due at or before `now`; handlers may schedule more. A timer
   * that keeps coming back without its due time advancing would never let this end: after
   * STUCK_LIMIT such firings it is a ProcessingError naming the timer.
   */
  fireDue(now: number): void {
    if (!Number.isFinite(now)) throw new ProcessingError(`the event clock is not a finite number (${String(now)})`);
    // Only timers due no later than the one fired before them can be stuck: while due times
    // advance (the common case, one window's expiry after another) nothing is counted.
    let lastDue = -Infinity;
    let stuck: Map<string, { due: number; times: number }> | undefined;
    for (;;) {
      const ts = this.timers.value;
      if (!ts.length || ts[0].due > now) return;
      const t = ts.shift()!;
      if (t.due <= lastDue) {
        const last = (stuck ??= new Map()).get(t.target);
        if (last && t.due <= last.due) {
          if (++last.times >= STUCK_LIMIT)
            throw new ProcessingError(`timer '${t.target}' fired ${last.times} times at ${t.due} without its due time advancing (clock at ${now})`);
        } else stuck.set(t.target, { due: t.due, times: 0 });
      } else lastDue = t.due;
      this.observer?.(t.target);
      const h = this.handlers.get(t.target);
      if (h) h(now, t.due);
    }
  }
}
