import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rowTableDefinition, stateTableDefinition } from '../../../adapters/aws/dynamodb-tables';
import { compileApp } from '../../../core';
import { planCommand } from '../../../functions/local/plan-command';
import { awsDeployment } from '../../../infra/aws/serverless-plan';

const ROOT = join(__dirname, '../../..');
const FULL_APP = readFileSync(join(ROOT, 'test/fixtures/apps/shop.siddhi'), 'utf8');

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const statements = (d: Json, role: string): Json[] => d.resources.Resources[role].Properties.Policies[0].PolicyDocument.Statement;
const actions = (d: Json, role: string): string[] => statements(d, role).flatMap((s: Json) => s.Action);

describe('awsDeployment', () => {
  const d: Json = awsDeployment(compileApp(FULL_APP), { appFile: 'apps/shop.siddhi', shards: 4, parallelizationFactor: 2 });

  test('one function per role: Kinesis ingest per source stream, HTTP ingest, Store API, tick', () => {
    expect(Object.keys(d.functions)).toEqual(['kinesisIngestOrders', 'httpIngest', 'storeApi', 'tick']);
    expect(d.functions.kinesisIngestOrders.handler).toBe('functions/aws/kinesis-ingest.handler');
    expect(d.functions.httpIngest.events).toEqual([{ httpApi: { method: 'POST', path: '/restock' } }]);
    expect(d.functions.storeApi.events).toEqual([{ httpApi: { method: 'POST', path: '/stores/query', authorizer: { type: 'aws_iam' } } }]);
    expect(d.functions.storeApi.environment).toMatchObject({ MILLRACE_STORE_API_AUTH: 'iam' });
    expect(d.functions.tick.events).toEqual([{ schedule: { rate: ['rate(1 minute)'] } }]);
    for (const f of Object.values<Json>(d.functions)) {
      expect(f.environment).toMatchObject({ MILLRACE_APP_FILE: 'apps/shop.siddhi', MILLRACE_STATE_TABLE: { Ref: 'MillraceStateTable' } });
      expect(f.package.patterns).toEqual(['apps/shop.siddhi']);
    }
  });

  test('the Kinesis event source mapping reports item failures, bisects, retries a bounded number of times and sends the rest to SQS', () => {
    expect(d.functions.kinesisIngestOrders.events[0].stream).toEqual({
      type: 'kinesis',
      arn: { 'Fn::GetAtt': ['StreamOrders', 'Arn'] },
      batchSize: 100,
      startingPosition: 'TRIM_HORIZON',
      functionResponseType: 'ReportBatchItemFailures',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
      parallelizationFactor: 2,
      destinations: { onFailure: { arn: { 'Fn::GetAtt': ['MillraceFailedRecords', 'Arn'] }, type: 'sqs' } },
    });
    expect(d.resources.Resources.MillraceFailedRecords.Type).toBe('AWS::SQS::Queue');
  });

  test('tables as the DynamoDB adapter defines them: the state table with its due index and TTL, one per @store', () => {
    const { TableName: _, ...state } = stateTableDefinition('x');
    expect(d.resources.Resources.MillraceStateTable.Properties).toEqual({ ...state, TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } });
    expect(d.resources.Resources.TableShopStock.Properties).toEqual(rowTableDefinition('shop-stock'));
    expect(d.resources.Resources.StreamOrders.Properties).toMatchObject({ Name: 'orders', ShardCount: 4 });
    expect(d.resources.Resources.StreamShopTotals.Properties).toMatchObject({ Name: 'shop-totals', ShardCount: 4 });
  });

  test('each role holds only what its function touches', () => {
    const ingest = actions(d, 'RoleKinesisIngestOrders');
    expect(ingest).toEqual(expect.arrayContaining(['kinesis:GetRecords', 'kinesis:PutRecords', 'sqs:SendMessage', 'dynamodb:PutItem']));
    const reads = statements(d, 'RoleKinesisIngestOrders').find((s: Json) => s.Action.includes('kinesis:GetRecords'));
    expect(reads.Resource).toEqual([{ 'Fn::GetAtt': ['StreamOrders', 'Arn'] }]);
    const api = actions(d, 'RoleStoreApi');
    expect(api.filter(a => !a.startsWith('logs:') && /Put|Delete|Update|kinesis|sqs/.test(a))).toEqual([]);
    const tick = actions(d, 'RoleTick');
    expect(tick).not.toContain('kinesis:GetRecords');
    expect(tick).not.toContain('sqs:SendMessage');
    expect(tick).toContain('kinesis:PutRecords');
    const logs = statements(d, 'RoleTick')[0];
    expect(logs.Resource[0]['Fn::Sub']).toMatch(/log-group:\/aws\/lambda\/\$\{AWS::StackName\}-tick:\*$/);
  });

  test('the summary says the app is single-writer when a window is global over several shards', () => {
    expect(d.summary.join('\n')).toMatch(/single-writer: query .* keeps a time window outside any partition.*4 shards x parallelization 2.*Partition the query by a key, or use one shard/);
    const partitioned = awsDeployment(
      compileApp(`@source(type='kinesis', stream.name='s') define stream S (k string, v int);
        partition with (k of S) begin from S#window.length(3) select k, sum(v) as t insert into Out; end;`),
      { appFile: 'a.siddhi', shards: 8 },
    );
    expect(partitioned.summary.join('\n')).toContain('writers: partitioned state only');
  });

  test.each([
    ["@purge(enable='true', interval='1 sec', idle.period='1 min') partition with (k of S) begin from S#window.length(3) select k, sum(v) as t insert into Out; end;", /partition .* purges idle keys/],
    ['define stream R (v int); partition with (k of S) begin from S#window.time(1 min) select k, sum(v) as t insert into Out; end;', /query .* in partition .* sets timers \(a time window\)/],
    ['partition with (k of S) begin from every a=S -> b=S[v > a.v] within 1 min select a.k as k insert into Out; end;', /sets timers \(a pattern or sequence/],
  ])('inside a partition, %s is global state: the summary says single-writer', (text, reason) => {
    const d = awsDeployment(compileApp(`@source(type='kinesis', stream.name='s') define stream S (k string, v int);\n${text}`), { appFile: 'a.siddhi', shards: 2 });
    expect(d.summary.join('\n')).toMatch(/writers: single-writer: /);
    expect(d.summary.join('\n')).toMatch(reason);
  });
});

describe('millrace plan', () => {
  test('the committed example plan is what millrace plan writes for the example app', () => {
    const out = mkdtempSync(join(tmpdir(), 'millrace-plan-'));
    const lines: string[] = [];
    const app = join(ROOT, 'examples/ticker/ticker.siddhi');
    const code = planCommand({ appPath: app, appText: readFileSync(app, 'utf8'), serviceDir: ROOT, outDir: out, stdout: l => lines.push(l), stderr: l => lines.push(l) });
    expect(code).toBe(0);
    expect(readFileSync(join(out, 'plan.yml'), 'utf8')).toBe(readFileSync(join(ROOT, 'infra/aws/example-plan.yml'), 'utf8'));
    expect(lines.slice(0, 4)).toEqual([
      'app Ticker',
      'functions: tick',
      'tables: the state table (on-demand, TTL, next-due index)',
      'streams: ticker-totals (written; 1 shard)',
    ]);
  });

  test('refuses an app outside the service directory and reports compile errors', () => {
    const lines: string[] = [];
    const io = { stdout: (l: string) => lines.push(l), stderr: (l: string) => lines.push(l) };
    expect(planCommand({ appPath: '/elsewhere/a.siddhi', appText: 'define stream S (x int);', serviceDir: ROOT, ...io })).toBe(2);
    expect(planCommand({ appPath: join(ROOT, 'x.siddhi'), appText: 'define stream S (x int); from S select y insert into O;', serviceDir: ROOT, ...io })).toBe(1);
    expect(lines.join('\n')).toMatch(/inside the service directory[\s\S]*x\.siddhi/);
  });
});
