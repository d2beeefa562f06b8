import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoDBStateStore, type DynamoDBSender } from '../../adapters/aws/dynamodb-state-store';
import { runWithFeedback } from '../../adapters/http/http-invocation';
import { HttpPublisher, type HttpFetch } from '../../adapters/http/http-sink';
import { httpSourceRoutes, ingestRequest } from '../../adapters/http/http-source';
import { errorResponse, SinkError } from '../../adapters/http/http-types';
import { jsonLogger } from '../../adapters/node/json-logger';
import { PublishedOutboxes, StateConflictError } from '../../core';
import { requestOfEvent, resultOfResponse } from './api-gateway';
import { loadApp } from './app-loader';
import { ConfigError, httpIngestKeys, readConfig } from './config';

export interface HttpIngestDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly dynamodb?: DynamoDBSender;
  readonly fetch?: HttpFetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly write?: (line: string) => void;
  readonly readFile?: (path: string) => string;
}

/**
 * The HTTP ingest function: API Gateway HTTP API (payload v2) in, v2 result out. Built once per
 * cold start (configuration and app checked then); each request is Siddhi's http source
 * (adapters/http/http-source.ts), one invocation through DynamoDB, and the app's http sinks.
 */
export function createHttpIngestHandler(deps: HttpIngestDeps) {
  const config = readConfig(deps.env, httpIngestKeys);
  const plan = loadApp(config.MILLRACE_APP_FILE, deps.env, deps.readFile);
  const logger = jsonLogger({ level: config.MILLRACE_LOG_LEVEL, fields: { app: plan.name, function: 'http-ingest' }, write: deps.write });
  let routes;
  try {
    routes = httpSourceRoutes(plan, { credentials: config.MILLRACE_HTTP_BASIC_AUTH });
  } catch (e) {
    throw new ConfigError(`configuration: ${(e as Error).message}`);
  }
  const store = new DynamoDBStateStore(deps.dynamodb ?? new DynamoDBClient({}), { tableName: config.MILLRACE_STATE_TABLE, logger });
  const published = new PublishedOutboxes();
  const timeout = config.MILLRACE_HTTP_SINK_TIMEOUT_MS;
  const fetchPort: HttpFetch = deps.fetch ?? ((url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(timeout) }));
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>(r => setTimeout(r, ms)));
  const options = { credentials: config.MILLRACE_HTTP_BASIC_AUTH, maxBodyBytes: config.MILLRACE_HTTP_MAX_BODY_BYTES, basePath: config.MILLRACE_HTTP_BASE_PATH, logger };

  return middy(async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const log = logger.with({ invocation: context.awsRequestId, request: event.requestContext.requestId });
    const decision = ingestRequest(plan, routes, requestOfEvent(event), { ...options, logger: log });
    if (decision.kind === 'answer') {
      log.info(`answered ${decision.response.status} without running`);
      return resultOfResponse(decision.response);
    }
    const publisher = new HttpPublisher({ plan, fetch: fetchPort, logger: log, now, sleep });
    try {
      const { first, followUps } = await runWithFeedback({ plan, store, records: decision.records, publisher, published, logger: log });
      if (first.failed.length) {
        log.error(`the request's records were not committed: ${String(first.failure)}`);
        return resultOfResponse(errorResponse(500, `the events could not be processed: ${first.failure instanceof Error ? first.failure.message : String(first.failure)}`));
      }
      log.info(`committed ${decision.records.length} records of stream '${decision.route.stream}': ${first.outputs.length} outputs, ${first.unitsWritten} units written, ${first.skipped} skipped as replays, ${followUps} follow-up invocations`);
      return resultOfResponse(decision.response);
    } catch (e) {
      if (e instanceof SinkError) {
        // Publication comes after the commit: the events are in; the next invocation publishes the outbox again.
        log.error(`committed, but publishing failed: ${e.message}`);
        return resultOfResponse(decision.response);
      }
      if (e instanceof StateConflictError) {
        log.warn(`gave up on conflicting writers: ${e.message}`);
        return resultOfResponse(errorResponse(503, 'the state kept changing under this request; send it again', { 'retry-after': '1' }));
      }
      log.error(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return resultOfResponse(errorResponse(500, `the events could not be processed: ${e instanceof Error ? e.message : String(e)}`));
    }
  });
}
