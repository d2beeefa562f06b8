import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisSink, type KinesisPutter } from '../../adapters/aws/kinesis-sink';
import { HttpPublisher, type HttpFetch } from '../../adapters/http/http-sink';
import type { AppPlan, Logger, OutputEvent } from '../../core';

/** What a function that only moves clocks (the tick) publishes to. */
export interface AppPublishDeps {
  readonly kinesis?: KinesisPutter;
  readonly fetch?: HttpFetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Publishes committed outputs to every Kinesis and HTTP sink of the app, for a function whose
 * outputs are not tied to one transport (the tick: a closing time window may feed any sink).
 * Rejects when a sink must be retried (`on.error='WAIT'` out of time): the outbox is published
 * again, with the same ids, by the next invocation. What a sink gives up under `on.error='STREAM'`
 * and http-call answers are logged: a tick runs no follow-up invocation for them.
 *
 * @example
 *   const publish = appPublish(plan, logger); // null when the app has no such sink
 */
export function appPublish(plan: AppPlan, logger: Logger, deps: AppPublishDeps = {}): ((outputs: readonly OutputEvent[]) => Promise<void>) | null {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)));
  const kinesis = new KinesisSink(deps.kinesis ?? new KinesisClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }) }), plan, { logger, sleep });
  const http = HttpPublisher.serves(plan)
    ? new HttpPublisher({ plan, fetch: deps.fetch ?? ((url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })), logger, now: Date.now, sleep })
    : null;
  if (!kinesis.size && !http) return null;
  return async outputs => {
    if (kinesis.size) for (const f of await kinesis.publish(outputs)) logger.error(`output ${f.id} of stream '${f.stream}' was not published to Kinesis: ${f.reason}`);
    if (http) {
      await http.publish(outputs);
      const left = http.takeFeedback();
      if (left.length) logger.warn(`${left.length} record(s) from http sinks (http-call answers, events given up) are not processed by this function`);
    }
  };
}
