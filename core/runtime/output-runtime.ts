import { EventKind, type StreamEvent } from '../kernel/event';
import type { OutputPlan, QueryPlan } from '../plan/plan';
import type { Receiver } from './junction';
import type { Host } from './host';
import type { RuntimeContext } from './runtime-context';

/** Where a query's selected rows go: a stream or named window, a table write, or nowhere (`return`). */
export function outputStage(rt: RuntimeContext, q: QueryPlan, host: Host): Receiver {
  const out = q.output;
  switch (out.kind) {
    case 'return':
      return () => {};
    case 'insert': {
      const window = rt.windows.get(out.target);
      const junction = window ? undefined : host.output(out.target);
      const target = window ? window.input : (chunk: StreamEvent[]) => junction!.send(chunk);
      // The selector's rows are fresh objects that nothing else holds: they become the target
      // stream's events (expired rows arrive there as current events, as in Siddhi).
      return chunk => {
        for (let i = 0; i < chunk.length; i++) chunk[i].type = EventKind.CURRENT;
        target(chunk);
      };
    }
    case 'insertTable': {
      const table = rt.table(out.table);
      return chunk => {
        for (const e of chunk) table.insert(e.data);
      };
    }
    default: {
      const write = tableWriter(rt, out);
      return chunk => {
        for (const e of chunk) write(e);
      };
    }
  }
}

/** Applies one output row to a table: insert, delete, update or update-or-insert. */
export function tableWriter(rt: RuntimeContext, out: Exclude<OutputPlan, { kind: 'insert' } | { kind: 'return' }>): (e: StreamEvent) => void {
  const table = rt.table(out.table);
  if (out.kind === 'insertTable') return e => table.insert(e.data);
  const ctx = rt.newCtx();
  return e => {
    ctx.event = e;
    if (out.kind === 'delete') table.delete(ctx, out.on);
    else if (table.update(ctx, out.on, out.set) === 0 && out.kind === 'upsert') table.insert(out.insertRow!(e.data));
  };
}
