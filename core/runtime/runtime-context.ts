import { EngineUsageError, ProcessingError } from '../errors/millrace-error';
import type { Logger } from '../io/logger';
import { EventKind, type StreamEvent } from '../kernel/event';
import { newEvalCtx, type EvalCtx } from '../kernel/eval-context';
import type { AppPlan } from '../plan/plan';
import type { StreamSchema } from '../plan/schema';
import { nullable, num } from '../state/shape';
import { StateRegistry, type StateCell } from '../state/state-spec';
import type { AggregationRuntime } from './aggregation';
import { Junction, type Receiver } from './junction';
import { Scheduler } from './scheduler';
import { StateUnits } from './state-units';
import type { TableRuntime } from './table';
import { jsonText } from '../state/value-codec';

/** A named window as the rest of the app sees it: where `insert into W` goes, and what it holds. */
export interface NamedWindowRuntime {
  readonly input: Receiver;
  contents(): StreamEvent[];
}

/**
 * What every part of one running app shares (as Siddhi's SiddhiAppContext): the plan, the state
 * registry of the app's global unit, the event clock and its timers, the stream junctions, the
 * tables, named windows and aggregations, and the state units kept outside the global unit. The
 * builders of queries, joins, partitions, aggregations and triggers are functions of it.
 */
export class RuntimeContext {
  readonly registry = new StateRegistry();
  readonly scheduler: Scheduler;
  readonly junctions = new Map<string, Junction>();
  /** By the index the planner gave each table. */
  readonly tables: TableRuntime[] = [];
  readonly windows = new Map<string, NamedWindowRuntime>();
  readonly aggregations = new Map<string, AggregationRuntime>();
  readonly units = new StateUnits();
  /** Called once, when the app's clock first moves (its start, for 'start' and periodic triggers). */
  readonly onStart: ((now: number) => void)[] = [];
  /** The event clock: the largest event time seen or moved to. */
  readonly clock: { readonly now: number };
  private readonly clockCell: StateCell<{ now: number }>;
  private startCell: StateCell<{ at: number | null }> | undefined;

  constructor(
    readonly plan: AppPlan,
    readonly logger: Logger,
  ) {
    this.clockCell = this.registry.register(
      'clock',
      {
        version: 1,
        shape: num(),
        create: () => ({ now: 0 }),
        snapshot: c => c.now,
        restore: j => ({ now: j as number }),
      },
      { required: true },
    );
    const cell = this.clockCell;
    this.clock = {
      get now() {
        return cell.value.now;
      },
    };
    this.scheduler = new Scheduler(this.registry);
    for (const s of plan.streams.values()) this.junctions.set(s.id, this.newJunction(s));
  }

  /**
   * Registers when the app started. Done after the queries' state, so that the global unit's
   * state names keep the order in which earlier versions wrote them.
   */
  registerStart(): void {
    this.startCell = this.registry.register(
      'started',
      { version: 1, shape: nullable(num()), create: () => ({ at: null as number | null }), snapshot: c => c.at, restore: j => ({ at: j as number | null }) },
      { required: true },
    );
  }

  /**
   * Sets the clock to `time` if it is behind, firing nothing: a restore's clock, when a unit
   * other than the global one (a source's) saw a later time that fired no timer.
   */
  resumeClock(time: number): void {
    const clock = this.clockCell.value;
    if (time > clock.now) clock.now = time;
  }

  /** Moves the clock to `time` (never back), starts the app on its first move, then fires every timer due by then. */
  advanceTime(time: number): void {
    const clock = this.clockCell.value;
    if (time > clock.now) clock.now = time;
    const start = this.startCell!.value;
    if (start.at === null) {
      start.at = clock.now;
      for (const f of this.onStart) f(clock.now);
    }
    this.scheduler.fireDue(clock.now);
  }

  junction(streamId: string): Junction {
    const j = this.junctions.get(streamId);
    if (!j) throw new EngineUsageError(`stream '${streamId}' is not defined in app '${this.plan.name}'`);
    return j;
  }

  /** A junction whose receivers' failures go to the stream's `@OnError`. */
  newJunction(schema: StreamSchema): Junction {
    return new Junction(schema, (j, c, e) => this.handleError(j, c, e));
  }

  table(id: string): TableRuntime {
    return this.tables.find(t => t.plan.id === id)!;
  }

  /** A fresh evaluation context reading this app's clock and tables. */
  newCtx(): EvalCtx {
    const ctx = newEvalCtx(this.clock as { now: number });
    ctx.tables = this.tables;
    return ctx;
  }

  /** `@OnError`: the fault stream `!S` gets the events with the error; without it they are logged and dropped. */
  private handleError(j: Junction, chunk: StreamEvent[], err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const fault = j.schema.onError === 'STREAM' ? this.junctions.get(`!${j.schema.id}`) : undefined;
    if (fault) {
      const error = err instanceof Error ? err : new ProcessingError(message);
      fault.send(chunk.filter(e => e.type === EventKind.CURRENT).map(e => ({ timestamp: e.timestamp, data: [...e.data, error], type: EventKind.CURRENT })));
      return;
    }
    for (const e of chunk)
      if (e.type === EventKind.CURRENT)
        this.logger.error(`Error in '${this.plan.name}' after consuming events from Stream '${j.schema.id}', ${message}. Hence, dropping event '${jsonText(e.data)}'`);
  }
}
