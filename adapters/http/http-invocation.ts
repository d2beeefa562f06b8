import { PublishedOutboxes, runInvocation, type AppPlan, type InputRecord, type InvocationResult, type Logger, type StateStore } from '../../core';
import type { HttpPublisher } from './http-sink';

/** How many follow-up invocations one request may cause (an http-call whose answer calls again, ...). */
export const MAX_FOLLOW_UPS = 8;

export interface FeedbackRunRequest {
  readonly plan: AppPlan;
  readonly store: StateStore;
  readonly records: readonly InputRecord[];
  readonly publisher: HttpPublisher;
  /** Other sinks (kinesis, log), published after the http ones. */
  readonly publishOthers?: Parameters<typeof runInvocation>[0]['publish'];
  readonly published?: PublishedOutboxes;
  /** Streams whose events are published; default the streams with a `@sink`. */
  readonly outputStreams?: ReadonlySet<string>;
  readonly logger: Logger;
}

export interface FeedbackRunResult {
  /** The invocation of the request's own records. */
  readonly first: InvocationResult;
  /** Follow-up invocations run for http-call answers and sink fault events. */
  readonly followUps: number;
}

/**
 * Runs an invocation, then the records its publication fed back (the answers of `http-call`
 * sinks for their `http-call-response` sources, the fault events of `on.error='STREAM'` sinks)
 * as follow-up invocations of their own, up to MAX_FOLLOW_UPS rounds. Each follow-up commits on
 * its own: the feedback's source position is the outbox id of the output that caused it, so if
 * the process dies before a follow-up commits, the next invocation publishes the outbox again
 * and its answers are applied once. What is left after the last round is logged and dropped.
 */
export async function runWithFeedback(req: FeedbackRunRequest): Promise<FeedbackRunResult> {
  const outputStreams = req.outputStreams ?? new Set(req.plan.sinks.keys());
  const publish = async (outputs: Parameters<HttpPublisher['publish']>[0]) => {
    await req.publisher.publish(outputs);
    await req.publishOthers?.(outputs);
  };
  const base = { plan: req.plan, store: req.store, outputStreams, publish, published: req.published ?? new PublishedOutboxes(), logger: req.logger };
  const first = await runInvocation({ ...base, records: req.records });
  let followUps = 0;
  for (let records = req.publisher.takeFeedback(); records.length; records = req.publisher.takeFeedback()) {
    if (followUps >= MAX_FOLLOW_UPS) {
      req.logger.error(`${records.length} records fed back by sinks after ${MAX_FOLLOW_UPS} follow-up invocations were dropped (an http-call loop?)`);
      break;
    }
    followUps++;
    const r = await runInvocation({ ...base, records });
    if (r.failed.length) req.logger.error(`a follow-up invocation could not commit ${r.failed.length} of ${records.length} fed-back records: ${String(r.failure)}`);
  }
  return { first, followUps };
}
