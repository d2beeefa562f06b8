import { silentLogger, type Logger } from '../io/logger';
import type { AppPlan, HandlerPlan, QueryPlan } from '../planner/plan';
import type { StreamSchema } from '../planner/schema';
import type { Json } from '../state/json';
import { StateRegistry, type RestoreReport, type StateCell } from '../state/state-spec';
import { EventKind, type StreamEvent, type Value } from './event';
import { newEvalCtx, type EvalCtx } from './eval-context';
import { Scheduler } from './scheduler';
import { makeRateLimiter } from './rate-limiter';
import { groupsSpec, makeSelector } from './selector';

type Receiver = (chunk: StreamEvent[]) => void;

/** Called with every chunk of events that arrives on a stream. */
export type StreamListener = (streamId: string, events: readonly StreamEvent[]) => void;

export interface RuntimeOptions {
  readonly logger?: Logger;
}

/** The snapshot of a whole runtime: every registered state by name. */
export type RuntimeSnapshot = { [name: string]: { v: number; s: Json } };

class Junction {
  readonly receivers: Receiver[] = [];
  constructor(
    readonly schema: StreamSchema,
    private readonly onError: (j: Junction, chunk: StreamEvent[], err: unknown) => void,
  ) {}

  send(chunk: StreamEvent[]): void {
    const rs = this.receivers;
    for (let i = 0; i < rs.length; i++) {
      try {
        rs[i](chunk);
      } catch (err) {
        this.onError(this, chunk, err);
      }
    }
  }
}

/**
 * One running instance of an app plan. Holds nothing that its snapshot does not carry: build a
 * new runtime, `restore` the last snapshot, and it continues exactly where the other stopped.
 *
 * @example
 *   const rt = new AppRuntime(plan);
 *   rt.subscribe('Out', (s, es) => console.log(es));
 *   rt.send('In', 1000, ['a', 1]);
 *   const snap = rt.snapshot();
 */
export class AppRuntime {
  readonly plan: AppPlan;
  private readonly registry = new StateRegistry();
  private readonly scheduler: Scheduler;
  private readonly clockCell: StateCell<{ now: number }>;
  private readonly clockView: { readonly now: number };
  private readonly junctions = new Map<string, Junction>();
  private readonly logger: Logger;

  constructor(plan: AppPlan, options: RuntimeOptions = {}) {
    this.plan = plan;
    this.logger = options.logger ?? silentLogger;
    this.clockCell = this.registry.register('clock', {
      version: 1,
      create: () => ({ now: 0 }),
      snapshot: c => c.now,
      restore: j => ({ now: j as number }),
    });
    const cell = this.clockCell;
    this.clockView = {
      get now() {
        return cell.value.now;
      },
    };
    this.scheduler = new Scheduler(this.registry);
    for (const s of plan.streams.values()) this.junctions.set(s.id, new Junction(s, (j, c, e) => this.handleError(j, c, e)));
    for (const q of plan.queries) this.buildQuery(q);
    for (const [stream, sinks] of plan.sinks)
      for (const sink of sinks)
        if (sink.type.toLowerCase() === 'log') {
          const prefix = sink.options.get('prefix') ?? `${plan.name} : ${stream}`;
          this.subscribe(stream, (_s, es) => {
            for (const e of es) this.logger.info(`${prefix} : Event{timestamp=${e.timestamp}, data=${JSON.stringify(e.data)}}`);
          });
        }
  }

  /** The event clock: the largest event time seen or moved to. */
  get now(): number {
    return this.clockCell.value.now;
  }

  /** Listen to every chunk arriving on a stream (after the app's own queries). */
  subscribe(streamId: string, listener: StreamListener): void {
    const j = this.junction(streamId);
    j.receivers.push(chunk => listener(streamId, chunk));
  }

  /** Moves the clock to `time` (never back), then fires every timer due by then, in due order, at that time. */
  advanceTime(time: number): void {
    const clock = this.clockCell.value;
    if (time > clock.now) clock.now = time;
    this.scheduler.fireDue(clock.now);
  }

  /** Sends one event into a stream at event time `timestamp`. */
  send(streamId: string, timestamp: number, data: Value[]): void {
    this.sendChunk(streamId, [{ timestamp, data, type: EventKind.CURRENT }]);
  }

  /** Sends events that arrived together (one record of several events) as one chunk. */
  sendChunk(streamId: string, events: StreamEvent[]): void {
    if (!events.length) return;
    const j = this.junction(streamId);
    this.advanceTime(events[events.length - 1].timestamp);
    j.send(events);
  }

  /** The earliest pending timer, or null: when this unit next needs a tick without traffic. */
  nextDue(): number | null {
    return this.scheduler.nextDue();
  }

  snapshot(): RuntimeSnapshot {
    return this.registry.snapshot();
  }

  restore(snapshot: RuntimeSnapshot): RestoreReport {
    const report = this.registry.restore(snapshot);
    if (report.unknown.length || report.versionChanged.length) {
      const parts = [];
      if (report.unknown.length) parts.push(`dropped state of queries that changed or were removed: ${report.unknown.join(', ')}`);
      if (report.versionChanged.length) parts.push(`state layout changed, started fresh: ${report.versionChanged.join(', ')}`);
      this.logger.warn(`app '${this.plan.name}': ${parts.join('; ')}`);
    }
    return report;
  }

  private junction(streamId: string): Junction {
    const j = this.junctions.get(streamId);
    if (!j) throw new Error(`stream '${streamId}' is not defined in app '${this.plan.name}'`);
    return j;
  }

  private handleError(j: Junction, chunk: StreamEvent[], err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const fault = j.schema.onError === 'STREAM' ? this.junctions.get(`!${j.schema.id}`) : undefined;
    if (fault) {
      const error = err instanceof Error ? err : new Error(message);
      fault.send(chunk.filter(e => e.type === EventKind.CURRENT).map(e => ({ timestamp: e.timestamp, data: [...e.data, error], type: EventKind.CURRENT })));
      return;
    }
    for (const e of chunk)
      if (e.type === EventKind.CURRENT)
        this.logger.error(`Error in '${this.plan.name}' after consuming events from Stream '${j.schema.id}', ${message}. Hence, dropping event '${JSON.stringify(e.data)}'`);
  }

  private buildQuery(q: QueryPlan): void {
    const prefix = `q:${q.name}:${q.fingerprint}`;
    const ctx = newEvalCtx(this.clockView);
    const output = this.outputStage(q);
    let selected: (chunk: StreamEvent[], keys: string[] | null) => void = output;
    if (q.rate) {
      const timerId = `${prefix}/rate`;
      const limiter = makeRateLimiter(
        q.rate,
        { state: (name, spec) => this.registry.register(`${timerId}/${name}`, spec), schedule: due => this.scheduler.schedule(timerId, due) },
        output,
      );
      this.scheduler.register(timerId, now => limiter.onTimer(now));
      selected = (chunk, keys) => limiter.process(chunk, keys);
    }
    const groups = q.selector.aggregates.length ? this.registry.register(`${prefix}/groups`, groupsSpec(q.selector)) : null;
    let next: Receiver = makeSelector(q.selector, ctx, groups, selected);
    for (let i = q.handlers.length - 1; i >= 0; i--) next = this.handlerStage(q.handlers[i], i, prefix, ctx, next);
    this.junction(q.inputStream).receivers.push(next);
  }

  private outputStage(q: QueryPlan): Receiver {
    if (q.output.kind === 'return') return () => {};
    const target = this.junction(q.output.target);
    // The selector's rows are fresh objects that nothing else holds: they become the target
    // stream's events (expired rows arrive there as current events, as in Siddhi).
    return chunk => {
      for (let i = 0; i < chunk.length; i++) chunk[i].type = EventKind.CURRENT;
      target.send(chunk);
    };
  }

  private handlerStage(h: HandlerPlan, index: number, prefix: string, ctx: EvalCtx, next: Receiver): Receiver {
    switch (h.kind) {
      case 'filter': {
        const cond = h.condition;
        return chunk => {
          if (chunk.length === 1) {
            const e = chunk[0];
            ctx.event = e;
            if (e.type >= EventKind.RESET || cond(ctx) === true) next(chunk);
            return;
          }
          const out: StreamEvent[] = [];
          for (const e of chunk) {
            ctx.event = e;
            if (e.type >= EventKind.RESET || cond(ctx) === true) out.push(e);
          }
          if (out.length) next(out);
        };
      }
      case 'function': {
        const fn = h.create({ log: m => this.logger.info(`${this.plan.name}: ${m}`) });
        return chunk => {
          const out = new Array<StreamEvent>(chunk.length);
          for (let i = 0; i < chunk.length; i++) {
            const e = chunk[i];
            ctx.event = e;
            const extra = e.type >= EventKind.RESET ? null : fn(ctx);
            out[i] = extra && extra.length ? { timestamp: e.timestamp, data: [...e.data, ...extra], type: e.type } : e;
          }
          next(out);
        };
      }
      case 'window': {
        const timerId = `${prefix}/h${index}`;
        const op = h.create({
          state: (name, spec) => this.registry.register(`${timerId}/${name}`, spec),
          schedule: due => this.scheduler.schedule(timerId, due),
          clock: this.clockView,
          expiredNeeded: h.expiredNeeded,
        });
        if (op.onTimer) {
          const onTimer = op.onTimer.bind(op);
          this.scheduler.register(timerId, (now, due) => {
            try {
              onTimer(now, next, due);
            } catch (err) {
              this.logger.error(`Error in '${this.plan.name}' while firing a timer of ${h.name} window at ${now}: ${err instanceof Error ? err.message : String(err)}`);
            }
          });
        }
        return chunk => op.process(chunk, next);
      }
    }
  }
}
