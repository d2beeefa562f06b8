import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DynamoDBStateStore } from '../../adapters/aws/dynamodb-state-store';
import { jsonLogger, type FieldLogger, type LogLevel } from '../../adapters/node/json-logger';
import { appUnitKey, PublishedOutboxes, runInvocation, type AppPlan, type OutputEvent, type StateStore } from '../../core';
import { loadApp } from './app-loader';
import { appPublish } from './app-publish';
import { parse, readConfig } from './config';

/**
 * The port through which the tick hands committed outputs to the app's sinks: called once per
 * unit advanced, with that invocation's outputs in emission order (each with its outbox id, and
 * its stream: outputs of a stream without a `@sink` are for the caller to drop). It resolves when
 * every output is published; a rejection leaves the outbox in the unit, so the next invocation of
 * that unit publishes it again with the same ids. The same shape as `InvocationRequest.publish`.
 *
 * @example
 *   const publish: TickPublish = async outputs => { await kinesisSink.put(sinkPayloads(plan, outputs)); };
 */
export type TickPublish = (outputs: readonly OutputEvent[]) => Promise<void>;

export interface TickDeps {
  readonly plan: AppPlan;
  readonly store: StateStore;
  readonly publish: TickPublish;
  readonly logger: FieldLogger;
  /** Due units looked up per tick (the rest wait for the next one). */
  readonly limit: number;
  /** A unit is started only while the invocation has more than this many milliseconds left. */
  readonly reserveMs: number;
  /** The clock is moved to now minus this (room for records still in flight to the ingest). */
  readonly lagMs: number;
  /** Wall-clock milliseconds; injected so tests need no real time. */
  readonly clock?: () => number;
}

/** What one tick did, returned to Lambda and logged. */
export interface TickSummary {
  readonly now: number;
  /** Due units found in the index. */
  readonly due: number;
  /** Units whose clock was advanced and committed. */
  readonly advanced: number;
  readonly outputs: number;
  /** Units that failed (logged; the next tick tries them again). */
  readonly failed: number;
  /** Due units found but not reached in the time budget: the next tick picks them up. */
  readonly left: number;
  /** The index answered `limit` keys: more may be due, for the next tick. */
  readonly more: boolean;
}

/** Every outbox this process published, across ticks: a warm function does not publish one twice. */
const published = new PublishedOutboxes();

/**
 * One tick: the app's units whose timers are due (the state store's next-due index), each advanced
 * to now by an invocation without events, so that time windows close, absent patterns fire and
 * triggers run while the streams are quiet. Work is bounded by `limit` and by the time Lambda
 * leaves (`getRemainingTimeInMillis`); what is not reached is still due and the next tick picks it
 * up. A unit that fails is logged and skipped, never blocking the others.
 *
 * @example
 *   const summary = await tick(deps, () => context.getRemainingTimeInMillis());
 */
export async function tick(deps: TickDeps, remainingMs: () => number): Promise<TickSummary> {
  const now = (deps.clock ?? Date.now)();
  const own = appUnitKey(deps.plan.name);
  const outputStreams = new Set(deps.plan.sinks.keys());
  const { mine, more } = await dueOfApp(deps.store, own, now, deps.limit);
  let advanced = 0;
  let outputs = 0;
  let failed = 0;
  let i = 0;
  for (; i < mine.length && remainingMs() > deps.reserveMs; i++) {
    const unitKey = mine[i];
    const log = deps.logger.with({ unit: unitKey });
    try {
      const r = await runInvocation({ plan: deps.plan, store: deps.store, unitKey, records: [{ time: now - deps.lagMs }], outputStreams, publish: deps.publish, published, logger: log });
      advanced++;
      outputs += r.outputs.length;
      log.with({ outputs: r.outputs.length, version: r.version, nextDue: r.nextDue }).info(`advanced to ${now - deps.lagMs}`);
    } catch (e) {
      failed++;
      log.error(`could not advance the unit (the next tick tries again): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { now, due: mine.length, advanced, outputs, failed, left: mine.length - i, more };
}

/** How far past `limit` the tick looks for its own units when other apps' fill the index's first answer. */
const LOOK_FURTHER = 16;

/**
 * Due units of the app `own` names, at most `limit`. The index is shared by every app of the state
 * table, earliest first: when other apps' units fill the first answer, it asks again for more (up
 * to LOOK_FURTHER times the limit), so one app's backlog cannot starve another's tick.
 */
async function dueOfApp(store: StateStore, own: string, now: number, limit: number): Promise<{ mine: string[]; more: boolean }> {
  // Its units are its global unit and any other top-level unit under its prefix (`app/<name>/`);
  // sub-units (`...#...`) never carry a due time of their own.
  const prefix = own.slice(0, own.lastIndexOf('/') + 1);
  for (let asked = limit; ; asked *= 4) {
    const keys = await store.dueUnits(now, asked);
    const mine = keys.filter(k => k.startsWith(prefix) && !k.includes('#'));
    const full = keys.length === asked;
    if (mine.length >= limit || !full || asked >= limit * LOOK_FURTHER) return { mine: mine.slice(0, limit), more: full };
  }
}

/**
 * The tick as a middy handler for an EventBridge schedule.
 *
 * @example
 *   export const handler = createTickHandler(deps);
 */
export function createTickHandler(deps: TickDeps) {
  return middy<ScheduledEvent, TickSummary, Error, Context>().handler(async (_event, context) => {
    const summary = await tick({ ...deps, logger: deps.logger.with({ invocation: context.awsRequestId }) }, () => context.getRemainingTimeInMillis());
    deps.logger.with({ invocation: context.awsRequestId, ...summary }).info(summary.left || summary.more ? 'tick done; due units left for the next tick' : 'tick done');
    return summary;
  });
}

/** The tick's settings (environment variables, validated at cold start). */
export const TICK_CONFIG = {
  MILLRACE_APP_FILE: { description: 'the .siddhi file packaged with the function', parse: parse.text, default: 'app.siddhi' },
  MILLRACE_STATE_TABLE: { description: 'the DynamoDB state table', parse: parse.text },
  MILLRACE_TICK_LIMIT: { description: 'due units advanced per tick at most', parse: parse.positiveInt, default: 100 },
  MILLRACE_TICK_RESERVE_MS: { description: 'no unit is started with less than this many ms of the invocation left', parse: parse.positiveInt, default: 5000 },
  MILLRACE_TICK_LAG_MS: { description: 'the clock is moved to now minus this many ms', parse: (raw: string) => (raw === '0' ? 0 : parse.positiveInt(raw)), default: 0 },
  MILLRACE_LOG_LEVEL: { description: 'lowest log level written', parse: parse.oneOf<LogLevel>('debug', 'info', 'warn', 'error'), default: 'info' as LogLevel },
};

/**
 * Outputs written as log lines, one per output with its id: what the tick does for an app with no
 * Kinesis or HTTP sink (its `log` sinks), so nothing committed is lost from sight.
 */
export function logPublish(logger: FieldLogger): TickPublish {
  return async outputs => {
    for (const o of outputs) logger.with({ output: o.id, stream: o.stream, time: o.event.timestamp, data: o.event.data.map(v => (typeof v === 'bigint' ? v.toString() : v)) }).info('output');
  };
}

/**
 * The tick built from the environment: the app, a DynamoDB client with keep-alive, the state
 * store. Throws ConfigError (at cold start) on any bad or unknown setting.
 */
export function tickHandlerFromEnv(env: Readonly<Record<string, string | undefined>>, publish?: TickPublish) {
  const c = readConfig(env, TICK_CONFIG);
  const plan = loadApp(c.MILLRACE_APP_FILE, env);
  const logger = jsonLogger({ level: c.MILLRACE_LOG_LEVEL, fields: { app: plan.name, function: 'tick' } });
  const client = new DynamoDBClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 10_000 }) });
  const store = new DynamoDBStateStore(client, { tableName: c.MILLRACE_STATE_TABLE, logger });
  return createTickHandler({ plan, store, publish: publish ?? appPublish(plan, logger) ?? logPublish(logger), logger, limit: c.MILLRACE_TICK_LIMIT, reserveMs: c.MILLRACE_TICK_RESERVE_MS, lagMs: c.MILLRACE_TICK_LAG_MS });
}
