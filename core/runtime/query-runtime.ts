import type { QueryPlan } from '../plan/plan';
import { pipeline } from './handler-stages';
import { buildJoin } from './join-runtime';
import type { Host } from './host';
import type { Receiver } from './junction';
import { outputStage } from './output-runtime';
import { buildStateRuntime } from './pattern/pattern-runtime';
import { makeRateLimiter } from './rate-limiter';
import type { RuntimeContext } from './runtime-context';
import { chunkSensitive, groupsSpec, makeChunkListSelector, makeSelector } from './selector';

/**
 * One query, as Siddhi's QueryRuntime: its input (handlers of one stream, a join, or a pattern),
 * the selector, the rate limiter and the output, wired from the input junctions to the output.
 * State names and timer ids are `<host prefix>q:<name>:<fingerprint>/...`.
 */
export function buildQuery(rt: RuntimeContext, q: QueryPlan, host: Host): void {
  const prefix = `${host.prefix}q:${q.name}:${q.fingerprint}`;
  const ctx = rt.newCtx();
  const output = outputStage(rt, q, host);
  let selected: (chunk: Parameters<Receiver>[0], keys: string[] | null) => void = output;
  if (q.rate) {
    const timerId = `${prefix}/rate`;
    const limiter = makeRateLimiter(
      q.rate,
      { state: (name, spec) => host.registry.register(`${timerId}/${name}`, spec), schedule: due => rt.scheduler.schedule(timerId, due) },
      output,
    );
    rt.scheduler.register(timerId, now => limiter.onTimer(now));
    selected = (chunk, keys) => limiter.process(chunk, keys);
  }
  const groups = q.selector.aggregates.length ? host.registry.register(`${prefix}/groups`, groupsSpec(q.selector)) : null;
  const selector: Receiver = makeSelector(q.selector, ctx, groups, selected);
  if (q.join) {
    // A join hands on one chunk per triggering event only where the rows depend on it (see buildJoin).
    const next = chunkSensitive(q.selector) ? { list: makeChunkListSelector(q.selector, ctx, groups, selected) } : { flat: selector };
    return buildJoin(rt, q.join, prefix, ctx, next, q.selector, host);
  }
  if (q.state) {
    const timerId = `${prefix}/state`;
    const matcher = buildStateRuntime(
      q.state,
      {
        state: (name, spec) => host.registry.register(`${timerId}/${name}`, spec),
        schedule: due => rt.scheduler.schedule(timerId, due),
        clock: rt.clock,
        ctx,
      },
      selector,
    );
    rt.scheduler.register(timerId, now => matcher.onTimer(now));
    for (const s of new Set(q.state.streams)) host.input(s).receivers.push(chunk => matcher.receive(s, chunk));
    return;
  }
  host.input(q.inputStream).receivers.push(pipeline(rt, q.handlers, prefix, ctx, selector, { registry: host.registry }));
}
