import type { OutputEvent } from './invocation-types';
import type { AppPlan, SinkPlan } from '../plan/plan';

/** A payload for one `@sink` of a stream, with the outbox id a consumer drops duplicates by. */
export interface SinkPayload {
  readonly stream: string;
  /** Which `@sink` of the stream (in the order the app writes them). */
  readonly sinkIndex: number;
  readonly sink: SinkPlan;
  readonly payload: string;
  /** The id of the output it carries (of the first one, for a payload of a grouped chunk). */
  readonly id: string;
}

/** `source:position/rank` -> `source:position`: the outputs one input record produced. */
const recordOf = (id: string) => id.slice(0, id.lastIndexOf('/'));

/**
 * Encodes committed outputs for the streams' sinks (DESIGN.md section 3, step 6): the outputs of
 * one stream that one input record produced form a chunk, as in Siddhi, which a grouping mapper
 * (json by default) writes as one payload. Sinks without a mapper (`log`) are left out.
 *
 * @example
 *   for (const p of sinkPayloads(plan, result.outputs)) await kinesis.put(p.sink, p.payload, p.id);
 */
export function sinkPayloads(plan: AppPlan, outputs: readonly OutputEvent[]): SinkPayload[] {
  const out: SinkPayload[] = [];
  let i = 0;
  while (i < outputs.length) {
    const { stream, id } = outputs[i];
    let j = i + 1;
    while (j < outputs.length && outputs[j].stream === stream && recordOf(outputs[j].id) === recordOf(id)) j++;
    const group = outputs.slice(i, j);
    (plan.sinks.get(stream) ?? []).forEach((sink, sinkIndex) => {
      if (!sink.encoder) return;
      const payloads = sink.encoder.encode(group.map(o => o.event.data));
      payloads.forEach((payload, k) => out.push({ stream, sinkIndex, sink, payload, id: (payloads.length === group.length ? group[k] : group[0]).id }));
    });
    i = j;
  }
  return out;
}
