import { EventKind } from '../kernel/event';
import type { WindowOperator } from '../plan/operators';
import type { NamedWindowPlan } from '../plan/plan';
import type { StreamSchema } from '../plan/schema';
import { handlerStage } from './handler-stages';
import type { Receiver } from './junction';
import type { RuntimeContext } from './runtime-context';

/**
 * `define window W ...`: a window in front of a junction that carries what it emits (its
 * `output ... events` type decides which; never its RESETs), for every query that reads W; joins
 * and on-demand queries read what it holds.
 */
export function buildNamedWindow(rt: RuntimeContext, w: NamedWindowPlan): void {
  const schema: StreamSchema = { id: w.id, attributes: w.attributes, origin: 'inferred', pos: { line: 0, column: 0, offset: 0 }, onError: 'LOG' };
  const junction = rt.newJunction(schema);
  rt.junctions.set(w.id, junction);
  const { currentOn, expiredOn } = w;
  // As Siddhi's StreamPublishProcessor: only CURRENT and EXPIRED events leave a named window, so
  // its RESETs clear no reader's aggregates (a batch window's readers follow its expirations).
  const emit: Receiver = chunk => {
    const out = chunk.filter(e => (e.type === EventKind.CURRENT ? currentOn : e.type === EventKind.EXPIRED && expiredOn));
    if (out.length) junction.send(out);
  };
  let op: WindowOperator | undefined;
  const input = handlerStage(rt, w.window, `w:${w.id}:${w.fingerprint}`, rt.newCtx(), emit, { registry: rt.registry, onWindow: o => (op = o) });
  rt.windows.set(w.id, { input, contents: () => op!.contents() });
}
