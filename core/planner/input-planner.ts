import type { SingleInput, WindowHandler } from '../ast/nodes';
import type { ArgInfo } from '../builtins/descriptor';
import { checkArgs } from '../builtins/arg-checker';
import { BuiltinArgError } from '../errors/millrace-error';
import { streamFunctions } from '../builtins/stream-functions';
import { windowFunctions } from '../builtins/windows/window-functions';
import type { Compiled, Scope } from '../plan/expression-scope';
import type { HandlerPlan, JoinPlan } from '../plan/plan';
import type { PatternPlan } from '../plan/pattern-plan';
import type { AttributeSchema } from '../plan/schema';
import type { PlanContext } from './planning-context';
import { eventSource } from './scope';

/** What happens to a stream's events before a query sees them: filters, stream functions, a window. */

/** A query's input, planned: what the selector's names resolve in and what `select *` gives. */
export interface PlannedInput {
  /** The stream or named window read (single input); empty for joins and patterns. */
  readonly stream: string;
  readonly handlers: HandlerPlan[];
  readonly join?: JoinPlan;
  readonly statePlan?: PatternPlan;
  readonly scope: Scope;
  readonly starAttributes: readonly AttributeSchema[];
  readonly windowed: boolean;
  /** Set when `select *` would give two attributes one name: the error to report for `select *`. */
  readonly starClash?: string;
}

/** Filters, stream functions and the window of one input, in order. */
export function planHandlers(
  ctx: PlanContext,
  input: SingleInput,
  id: string,
  names: readonly string[],
  attributes: readonly AttributeSchema[],
  expiredOn: boolean,
  isNamedWindow: boolean,
): { handlers: HandlerPlan[]; attributes: AttributeSchema[]; windowed: boolean } {
  const handlers: HandlerPlan[] = [];
  let schema: AttributeSchema[] = [...attributes];
  for (const h of input.handlers) {
    const scope = ctx.scopeOf([eventSource(id, names, schema)]);
    if (h.kind === 'Filter') {
      const c = ctx.compiler.condition(h.condition, scope, 'filter condition');
      handlers.push({ kind: 'filter', condition: c.fn });
    } else if (h.kind === 'StreamFunction') {
      const fname = h.namespace ? `${h.namespace}:${h.name}` : h.name;
      const fn = h.namespace ? undefined : streamFunctions.get(h.name);
      const args = h.args.map(a => ctx.compiler.compile(a, scope));
      if (!fn) {
        ctx.error(h.pos, `No extension exist for stream function '${fname}'`, fname.length + 1);
        continue;
      }
      if (args.some(a => a.type === null)) continue;
      try {
        const p = fn.plan(checkArgs(fn, argInfos(args), schema));
        const fns = args.map(a => a.fn);
        handlers.push({ kind: 'function', name: fname, create: env => p.make(fns, env) });
        schema = [...schema, ...p.added];
      } catch (e) {
        if (!(e instanceof BuiltinArgError)) throw e;
        ctx.error(h.pos, e.message, fname.length + 1);
      }
    } else {
      const wname = h.namespace ? `${h.namespace}:${h.name}` : h.name;
      if (isNamedWindow) {
        ctx.error(h.pos, `'${id}' is a named window; a query reading it cannot add another window`, wname.length + 8);
        continue;
      }
      if (handlers.some(x => x.kind === 'window')) {
        ctx.error(h.pos, 'a query input can have only one window', 7);
        continue;
      }
      const planned = planWindow(ctx, h, schema, expiredOn);
      if (planned) handlers.push(planned);
    }
  }
  return { handlers, attributes: schema, windowed: handlers.some(h => h.kind === 'window') };
}

export function planWindow(ctx: PlanContext, h: WindowHandler, schema: readonly AttributeSchema[], expiredNeeded: boolean): Extract<HandlerPlan, { kind: 'window' }> | null {
  const wname = h.namespace ? `${h.namespace}:${h.name}` : h.name;
  const wf = h.namespace ? undefined : windowFunctions.get(h.name);
  const scope = ctx.scopeOf([eventSource('window', [], schema)]);
  const args = h.args.map(a => ctx.compiler.compile(a, scope));
  if (!wf) {
    ctx.error(h.pos, `No extension exist for window '${wname}'`, wname.length + 8);
    return null;
  }
  if (args.some(a => a.type === null)) return null;
  try {
    const p = wf.plan(checkArgs(wf, argInfos(args), schema), ctx.windowEnv(schema));
    return { kind: 'window', name: wname, batch: wf.batch, expiredNeeded, create: p.create };
  } catch (e) {
    if (!(e instanceof BuiltinArgError)) throw e;
    ctx.error(h.pos, e.message, wname.length + 8);
    return null;
  }
}

function argInfos(args: readonly Compiled[]): ArgInfo[] {
  return args.map(a => ({ type: a.type!, constant: a.constant, attributeIndex: a.attributeIndex }));
}
