import { rowTableDefinition, stateTableDefinition } from '../../adapters/aws/dynamodb-tables';
import type { AppPlan } from '../../core';
import type { YamlValue } from '../yaml';
import { appResources, type AppResources } from './app-resources';

/** Choices `millrace plan` takes from its options; every one has a default. */
export interface AwsPlanOptions {
  /** The app's path from the service directory: packaged with each function, read at cold start. */
  readonly appFile: string;
  /** Where the handlers are, from the service directory (default `functions/aws`). */
  readonly handlers?: string;
  /** Shards of each Kinesis stream the plan creates (default 1). */
  readonly shards?: number;
  /** Records per Kinesis batch (default 100). */
  readonly batchSize?: number;
  /** Concurrent batches per shard (default 1; more only helps a partitioned app). */
  readonly parallelizationFactor?: number;
  /** Retries of a failed Kinesis batch before its records go to the on-failure queue (default 3). */
  readonly maximumRetryAttempts?: number;
  /** The tick's EventBridge schedule (default `rate(1 minute)`). */
  readonly tickSchedule?: string;
}

/** A `millrace plan` for AWS: what serverless.yml includes, and what it means in a few lines. */
export interface AwsDeployment {
  readonly functions: Record<string, YamlValue>;
  readonly resources: { readonly Resources: Record<string, YamlValue>; readonly Outputs: Record<string, YamlValue> };
  readonly app: AppResources;
  readonly summary: readonly string[];
}

const STATE_TABLE = 'MillraceStateTable';
const FAILURE_QUEUE = 'MillraceFailedRecords';

/** A CloudFormation logical id from a name: letters and digits only. */
function logicalId(prefix: string, name: string): string {
  return prefix + name.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');
}

const arn = (id: string): YamlValue => ({ 'Fn::GetAtt': [id, 'Arn'] });
const sub = (text: string): YamlValue => ({ 'Fn::Sub': text });

interface Access {
  readonly state: 'write' | 'read';
  readonly rowTables: 'write' | 'read';
  readonly reads?: readonly string[];
  readonly writes: readonly string[];
  readonly failureQueue?: boolean;
}

/** The function's own role: its log group, and only the tables, streams and queue it touches. */
function role(functionKey: string, access: Access, streamIds: ReadonlyMap<string, string>, rowTables: readonly string[]): YamlValue {
  const ddbWrite = ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];
  const ddbRead = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
  const statements: YamlValue[] = [
    { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${AWS::StackName}-${functionKey}:*`)] },
    { Effect: 'Allow', Action: access.state === 'write' ? [...ddbRead, ...ddbWrite] : ddbRead, Resource: [arn(STATE_TABLE), sub(`\${${STATE_TABLE}.Arn}/index/*`)] },
  ];
  if (rowTables.length)
    statements.push({
      Effect: 'Allow',
      Action: access.rowTables === 'write' ? ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan', ...ddbWrite] : ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan', 'dynamodb:Query'],
      Resource: rowTables.map(t => sub(`arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${t}`)),
    });
  if (access.reads?.length)
    statements.push({
      Effect: 'Allow',
      Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      Resource: access.reads.map(s => arn(streamIds.get(s)!)),
    });
  if (access.writes.length) statements.push({ Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: access.writes.map(s => arn(streamIds.get(s)!)) });
  if (access.failureQueue) statements.push({ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [arn(FAILURE_QUEUE)] });
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }] },
      Policies: [{ PolicyName: `${functionKey}-access`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}

/** CloudFormation properties of a CreateTable request (the SDK's input shape is CloudFormation's). */
function tableResource(definition: ReturnType<typeof stateTableDefinition>, extra: Record<string, YamlValue> = {}): YamlValue {
  return { Type: 'AWS::DynamoDB::Table', Properties: { ...(JSON.parse(JSON.stringify(definition)) as Record<string, YamlValue>), ...extra } };
}

/**
 * The functions and resources of an app on AWS, for serverless.yml: one Kinesis ingest per Kinesis
 * stream it reads (ReportBatchItemFailures, bisect on error, bounded retries, an SQS on-failure
 * destination), an HTTP ingest for its http sources, the Store API when it has something to
 * query, the tick on a schedule; the state table (on-demand, TTL, the next-due index as
 * `stateTableDefinition` defines it), one table per `@store`, the Kinesis streams it reads and
 * writes, and a role per function with only what that function touches.
 *
 * @example
 *   const d = awsDeployment(compileApp(text), { appFile: 'apps/orders.siddhi' });
 *   writeFileSync('.millrace/plan.yml', toYaml({ functions: d.functions, resources: d.resources }));
 */
export function awsDeployment(plan: AppPlan, options: AwsPlanOptions): AwsDeployment {
  const app = appResources(plan);
  const dir = options.handlers ?? 'functions/aws';
  const shards = options.shards ?? 1;
  const parallelization = options.parallelizationFactor ?? 1;
  const Resources: Record<string, YamlValue> = {};
  const functions: Record<string, YamlValue> = {};
  const rowTables = app.rowTables.map(t => t.table);
  const allStreams = [...new Set([...app.kinesisSources.keys(), ...app.kinesisSinks.keys()])];
  const streamIds = new Map(allStreams.map(s => [s, logicalId('Stream', s)]));
  const sinkStreams = [...app.kinesisSinks.keys()];
  const environment = { MILLRACE_APP_FILE: options.appFile, MILLRACE_STATE_TABLE: { Ref: STATE_TABLE } };
  const base = (key: string, handler: string, description: string) => ({
    handler: `${dir}/${handler}.handler`,
    description,
    role: logicalId('Role', key),
    environment,
    package: { patterns: [options.appFile] },
  });

  Resources[STATE_TABLE] = tableResource(stateTableDefinition('placeholder'), { TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } });
  delete (Resources[STATE_TABLE] as { Properties: Record<string, unknown> }).Properties.TableName;
  for (const t of rowTables) Resources[logicalId('Table', t)] = tableResource(rowTableDefinition(t));
  for (const s of allStreams) Resources[streamIds.get(s)!] = { Type: 'AWS::Kinesis::Stream', Properties: { Name: s, ShardCount: shards, StreamModeDetails: { StreamMode: 'PROVISIONED' } } };

  for (const [stream, appStreams] of app.kinesisSources) {
    const key = logicalId('kinesisIngest', stream);
    functions[key] = {
      ...base(key, 'kinesis-ingest', `Millrace ${plan.name}: Kinesis ${stream} -> ${appStreams.join(', ')}`),
      events: [
        {
          stream: {
            type: 'kinesis',
            arn: arn(streamIds.get(stream)!),
            batchSize: options.batchSize ?? 100,
            startingPosition: 'TRIM_HORIZON',
            functionResponseType: 'ReportBatchItemFailures',
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: options.maximumRetryAttempts ?? 3,
            parallelizationFactor: parallelization,
            destinations: { onFailure: { arn: arn(FAILURE_QUEUE), type: 'sqs' } },
          },
        },
      ],
    };
    Resources[logicalId('Role', key)] = role(key, { state: 'write', rowTables: 'write', reads: [stream], writes: sinkStreams, failureQueue: true }, streamIds, rowTables);
  }
  if (app.kinesisSources.size) Resources[FAILURE_QUEUE] = { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1_209_600 } };
  if (app.httpRoutes.length) {
    const key = 'httpIngest';
    functions[key] = { ...base(key, 'http-ingest', `Millrace ${plan.name}: HTTP sources`), events: app.httpRoutes.map(r => ({ httpApi: { method: 'POST', path: r.path } })) };
    Resources[logicalId('Role', key)] = role(key, { state: 'write', rowTables: 'write', writes: sinkStreams }, streamIds, rowTables);
  }
  if (app.queryable) {
    const key = 'storeApi';
    // Authorised by IAM on the route (callers sign with SigV4): secure without a secret to plant.
    // An API key instead: MILLRACE_STORE_API_AUTH=api-key with MILLRACE_STORE_API_KEYS from a secret store.
    const fn = base(key, 'store-api', `Millrace ${plan.name}: Store API (read-only)`);
    functions[key] = {
      ...fn,
      environment: { ...environment, MILLRACE_STORE_API_AUTH: 'iam' },
      events: [{ httpApi: { method: 'POST', path: '/stores/query', authorizer: { type: 'aws_iam' } } }],
    };
    Resources[logicalId('Role', key)] = role(key, { state: 'read', rowTables: 'read', writes: [] }, streamIds, rowTables);
  }
  const tickKey = 'tick';
  functions[tickKey] = { ...base(tickKey, 'tick', `Millrace ${plan.name}: advances due clocks`), events: [{ schedule: { rate: [options.tickSchedule ?? 'rate(1 minute)'] } }] };
  Resources[logicalId('Role', tickKey)] = role(tickKey, { state: 'write', rowTables: 'write', writes: sinkStreams }, streamIds, rowTables);

  const Outputs: Record<string, YamlValue> = { MillraceStateTableName: { Value: { Ref: STATE_TABLE } } };
  if (app.kinesisSources.size) Outputs.MillraceFailedRecordsQueue = { Value: { Ref: FAILURE_QUEUE } };
  return { functions, resources: { Resources, Outputs }, app, summary: summary(plan, app, functions, allStreams, shards, parallelization) };
}

function summary(plan: AppPlan, app: AppResources, functions: Record<string, YamlValue>, streams: readonly string[], shards: number, parallelization: number): string[] {
  const out = [`app ${plan.name}`];
  out.push(`functions: ${Object.keys(functions).join(', ')}`);
  out.push(`tables: the state table (on-demand, TTL, next-due index)${app.rowTables.map(t => `, ${t.table} (${t.of})`).join('')}`);
  out.push(`streams: ${streams.length ? streams.map(s => `${s} (${[app.kinesisSources.has(s) ? 'read' : '', app.kinesisSinks.has(s) ? 'written' : ''].filter(Boolean).join(', ')}; ${shards} shard${shards === 1 ? '' : 's'})`).join(', ') : 'none'}`);
  if (app.httpRoutes.length) out.push(`http routes: ${app.httpRoutes.map(r => `POST ${r.path} -> ${r.stream}`).join(', ')}`);
  if (!app.globalState) out.push('writers: partitioned state only; shards and parallelization add writers');
  else if (shards > 1 || parallelization > 1)
    out.push(
      `writers: single-writer: ${app.globalState}, so its state is global and every invocation commits it in turn; ` +
        `with ${shards} shards x parallelization ${parallelization} the invocations conflict on it. Partition the query by a key, or use one shard and parallelization 1.`,
    );
  else out.push(`writers: single-writer (${app.globalState}); one shard and parallelization 1 keep it so`);
  for (const w of app.warnings) out.push(`note: ${w}`);
  return out;
}
