import type { StateCell } from '../../state/state-spec';
import { nullable, num } from '../../state/shape';
import type { WindowContext } from '../../plan/operators';

/**
 * One pending timer per window (its due time is state), so that a window holding thousands of
 * events keeps one timer, not one per event.
 */
export class WindowTimer {
  private readonly cell: StateCell<{ at: number | null }>;
  constructor(private readonly ctx: WindowContext) {
    this.cell = ctx.state<{ at: number | null }>('timer', { version: 1, shape: nullable(num()), create: () => ({ at: null }), snapshot: c => c.at, restore: j => ({ at: j as number | null }) });
  }

  /** Makes sure a timer fires at `due` (or earlier). */
  ensure(due: number): void {
    const at = this.cell.value.at;
    if (at !== null && at <= due) return;
    this.cell.value.at = due;
    this.ctx.schedule(due);
  }

  /** Call first in onTimer: the timer that fired is no longer pending (if it was the pending one). */
  fired(due: number): void {
    if (this.cell.value.at === due) this.cell.value.at = null;
  }
}
