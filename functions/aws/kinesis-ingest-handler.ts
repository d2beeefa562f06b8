/**
 * The Kinesis ingest function (DESIGN.md sections 3 and 5): a Lambda event source mapping on the
 * app's Kinesis streams hands it batches; it decodes them (adapters/aws/kinesis-source), runs the
 * invocation runner on the DynamoDB state store, publishes the committed outputs to the Kinesis
 * sinks and answers `{"batchItemFailures": [{"itemIdentifier": sequenceNumber}]}` for the records
 * not committed. Configuration is read and the app compiled once, at cold start.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import middy from '@middy/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { DynamoDBStateStore, type DynamoDBSender } from '../../adapters/aws/dynamodb-state-store';
import { faultRecords, KinesisSink, type KinesisPutter, type SinkFailure } from '../../adapters/aws/kinesis-sink';
import { failedRecords, KinesisSource, shardOfEventId } from '../../adapters/aws/kinesis-source';
import { jsonLogger, type FieldLogger, type LogLevel } from '../../adapters/node/json-logger';
import { PublishedOutboxes, runInvocation, type OutputEvent } from '../../core';
import { loadApp } from './app-loader';
import { parse, readConfig } from './config';

export const KINESIS_INGEST_CONFIG = {
  MILLRACE_APP_FILE: { description: 'the SiddhiQL app, a path (relative to the function root) of a .siddhi file in the bundle', parse: parse.text },
  MILLRACE_STATE_TABLE: { description: 'the DynamoDB state table', parse: parse.text },
  MILLRACE_LOG_LEVEL: { description: 'lowest level logged', parse: parse.oneOf<LogLevel>('debug', 'info', 'warn', 'error'), default: 'info' as LogLevel },
  MILLRACE_CHECKPOINT_PER_KEY: {
    description: "checkpoints per shard and partition key ('true', needed with ParallelizationFactor > 1) or per shard ('false')",
    parse: parse.bool,
    default: true,
  },
  MILLRACE_SINK_WAIT_MS: { description: "the longest a sink with on.error='WAIT' keeps retrying before the invocation fails", parse: parse.positiveInt, default: 60_000 },
};

export interface KinesisIngestDeps {
  readonly dynamodb?: DynamoDBSender;
  readonly kinesis?: KinesisPutter;
  /** Where log lines go (default stdout). */
  readonly write?: (line: string) => void;
  /** Reads the app file (default from the function root). */
  readonly readApp?: (file: string) => string;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Builds the handler: everything that can be wrong with the configuration or the app throws here,
 * at cold start.
 *
 * @example
 *   export const handler = createKinesisIngest(process.env);
 */
export function createKinesisIngest(env: Readonly<Record<string, string | undefined>>, deps: KinesisIngestDeps = {}) {
  const config = readConfig(env, KINESIS_INGEST_CONFIG);
  const plan = loadApp(config.MILLRACE_APP_FILE, env, deps.readApp);
  const base = jsonLogger({ level: config.MILLRACE_LOG_LEVEL, fields: { app: plan.name, function: 'kinesis-ingest' }, write: deps.write });
  const source = new KinesisSource(plan, { checkpointPerKey: config.MILLRACE_CHECKPOINT_PER_KEY });
  const store = new DynamoDBStateStore(deps.dynamodb ?? new DynamoDBClient({}), { tableName: config.MILLRACE_STATE_TABLE, logger: base });
  const sink = new KinesisSink(deps.kinesis ?? kinesisClient(), plan, { logger: base, waitBudgetMs: config.MILLRACE_SINK_WAIT_MS, sleep: deps.sleep, random: deps.random });
  const outputStreams = new Set([...plan.sinks].filter(([, sinks]) => sinks.some(s => s.type.toLowerCase() === 'kinesis')).map(([s]) => s));
  const published = new PublishedOutboxes();

  const run = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const shard = event.Records.length ? shardOfEventId(event.Records[0].eventID) : undefined;
    const log: FieldLogger = base.with({ invocation: context.awsRequestId, shard });
    const decoded = source.decode(event, log);
    if (!decoded.records.length) {
      log.info(`nothing to run: ${event.Records.length} record(s), ${decoded.unknown} of unknown streams`);
      return { batchItemFailures: [] };
    }
    const failures: SinkFailure[] = [];
    const publish = async (outputs: readonly OutputEvent[]) => void failures.push(...(await sink.publish(outputs)));
    const common = { plan, store, outputStreams, logger: log, publish, published, sleep: deps.sleep, random: deps.random };
    const result = await runInvocation({ ...common, records: decoded.records });
    const routed = await routeFailures(failures, log, common);
    const failed = failedRecords(event, decoded, result.failed);
    log
      .with({ records: event.Records.length, inputs: decoded.records.length, skipped: result.skipped, outputs: result.outputs.length, failed: failed.length, sinkFailures: failures.length, routed, attempts: result.attempts, unitsWritten: result.unitsWritten, version: result.version })
      .info(failed.length ? `committed up to record ${event.Records.length - failed.length} of ${event.Records.length}; the rest reported as failed` : 'committed');
    return { batchItemFailures: failed.map(r => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
  };

  /** on.error='STREAM': what the sinks could not publish goes to the fault streams, in an invocation of its own. */
  async function routeFailures(failures: SinkFailure[], log: FieldLogger, common: Omit<Parameters<typeof runInvocation>[0], 'records'>): Promise<number> {
    if (!failures.length) return 0;
    const { records, unrouted } = faultRecords(plan, failures);
    for (const f of unrouted) log.error(`record ${f.id} of stream '${f.stream}' could not be published and '${f.stream}' has no fault stream (@OnError(action='STREAM')): ${f.reason}`);
    if (records.length) await runInvocation({ ...common, records, publish: async outputs => void (await sink.publish(outputs)) });
    return records.length;
  }

  return middy<KinesisStreamEvent, KinesisStreamBatchResponse, Error, Context>().handler(run);
}

/** HTTP/1.1 with keep-alive: in Node the Kinesis client defaults to HTTP/2 (for SubscribeToShard), which PutRecords does not need. */
function kinesisClient(): KinesisClient {
  return new KinesisClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30_000 }) });
}
