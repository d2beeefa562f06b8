import { EventKind, type StreamEvent } from '../kernel/event';
import type { EvalCtx } from '../kernel/eval-context';
import type { WindowOperator } from '../plan/operators';
import type { HandlerPlan } from '../plan/plan';
import type { StateRegistry } from '../state/state-spec';
import type { Receiver } from './junction';
import type { RuntimeContext } from './runtime-context';

/** Where a stage keeps its state and what it tells about its window. */
export interface StageEnv {
  readonly registry: StateRegistry;
  /** Told the window operator of the pipeline, if it has one (joins and named windows read its contents). */
  readonly onWindow?: (op: WindowOperator) => void;
}

/**
 * An input's handlers in order (filters, stream functions, a window), ending in `next`. `prefix`
 * scopes their state names and timer ids (`<prefix>/h<i>`).
 */
export function pipeline(rt: RuntimeContext, handlers: readonly HandlerPlan[], prefix: string, ctx: EvalCtx, next: Receiver, env: StageEnv): Receiver {
  let r = next;
  for (let i = handlers.length - 1; i >= 0; i--) r = handlerStage(rt, handlers[i], `${prefix}/h${i}`, ctx, r, env);
  return r;
}

/** One handler as a receiver: RESET and TIMER events pass filters and functions untouched. */
export function handlerStage(rt: RuntimeContext, h: HandlerPlan, id: string, ctx: EvalCtx, next: Receiver, env: StageEnv): Receiver {
  switch (h.kind) {
    case 'filter':
      return filterStage(h.condition, ctx, next);
    case 'function': {
      const fn = h.create({ log: m => rt.logger.info(`${rt.plan.name}: ${m}`) });
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
    case 'window':
      return windowStage(rt, h, id, next, env);
  }
}

function filterStage(cond: (ctx: EvalCtx) => unknown, ctx: EvalCtx, next: Receiver): Receiver {
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

/** A window operator: its state under `<id>/<name>`, its timer under `id`; a failing timer is logged. */
function windowStage(rt: RuntimeContext, h: Extract<HandlerPlan, { kind: 'window' }>, id: string, next: Receiver, env: StageEnv): Receiver {
  const op = h.create({
    state: (name, spec) => env.registry.register(`${id}/${name}`, spec),
    schedule: due => rt.scheduler.schedule(id, due),
    clock: rt.clock,
    expiredNeeded: h.expiredNeeded,
  });
  if (op.onTimer) {
    const onTimer = op.onTimer.bind(op);
    rt.scheduler.register(id, (now, due) => {
      try {
        onTimer(now, next, due);
      } catch (err) {
        rt.logger.error(`Error in '${rt.plan.name}' while firing a timer of ${h.name} window at ${now}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }
  env.onWindow?.(op);
  return chunk => op.process(chunk, next);
}
