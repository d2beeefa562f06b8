/**
 * `npx serverless package` on a copy of the repository (the files a fresh clone has, and the
 * repository's node_modules), without AWS credentials and with every HTTP(S) request sent to a
 * dead proxy: osls, serverless-esbuild and serverless-offline must package offline. Then the
 * CloudFormation template and the zips are read back: the example app's committed plan, and a
 * plan written by `millrace plan` for an app with every kind of function, its real handlers bundled.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCommand } from '../../functions/local/plan-command';

const ROOT = join(__dirname, '../..');
const TIMEOUT_MS = 300_000;
const COPIED = ['serverless.yml', 'package.json', 'tsconfig.json', '.npmrc', 'core', 'adapters', 'functions', 'infra', 'examples'];
const SHOP = readFileSync(join(ROOT, 'test/fixtures/apps/shop.siddhi'), 'utf8');

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An environment without credentials, whose HTTP(S) requests go nowhere. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && !/proxy/i.test(k)) env[k] = v;
  const dead = 'http://127.0.0.1:9';
  return { ...env, HOME: mkdtempSync(join(tmpdir(), 'sls-home-')), AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', HTTP_PROXY: dead, HTTPS_PROXY: dead, http_proxy: dead, https_proxy: dead, SLS_TELEMETRY_DISABLED: '1' };
}

function packageIn(dir: string, out: string, extra: string[] = []): { template: Json; files: (zip: string) => string[] } {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--package', out, ...extra], { cwd: dir, env: offlineEnv(), encoding: 'utf8', timeout: TIMEOUT_MS });
  if (r.status !== 0) throw new Error(`serverless package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  const files = (zip: string) => spawnSync('unzip', ['-Z1', join(out, zip)], { encoding: 'utf8' }).stdout.trim().split('\n');
  return { template, files };
}

const ofType = (t: Json, type: string) => Object.entries<Json>(t.Resources).filter(([, r]) => r.Type === type);

describe('npx serverless package, offline', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'millrace-sls-'));
    for (const f of COPIED) if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test(
    'the example app: the tick on nodejs22.x arm64 with its own role, the state table, the stream it writes',
    () => {
      const { template, files } = packageIn(dir, join(dir, 'out-example'));
      const fn = template.Resources.TickLambdaFunction.Properties;
      expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'functions/aws/tick.handler', Role: { 'Fn::GetAtt': ['RoleTick', 'Arn'] } });
      expect(fn.Environment.Variables).toEqual({ MILLRACE_APP_FILE: 'examples/ticker/ticker.siddhi', MILLRACE_STATE_TABLE: { Ref: 'MillraceStateTable' } });
      expect(ofType(template, 'AWS::Events::Rule').map(([, r]) => r.Properties.ScheduleExpression)).toEqual(['rate(1 minute)']);
      const table = template.Resources.MillraceStateTable.Properties;
      expect(table).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } });
      expect(table.GlobalSecondaryIndexes[0].IndexName).toBe('due-index');
      expect(template.Resources.StreamTickerTotals.Properties.Name).toBe('ticker-totals');
      expect(ofType(template, 'AWS::IAM::Role').map(([id]) => id)).toEqual(['RoleTick']);
      // The bundle (the SDK left out) and the app it reads at cold start.
      expect(files('tick.zip').sort()).toEqual(['examples/ticker/ticker.siddhi', 'functions/aws/tick.js']);
    },
    TIMEOUT_MS,
  );

  test(
    'a plan from millrace plan: Kinesis ingest with its event source mapping, HTTP API routes, Store API, tables and roles',
    () => {
      mkdirSync(join(dir, 'apps'), { recursive: true });
      writeFileSync(join(dir, 'apps/shop.siddhi'), SHOP);
      for (const f of ['kinesis-ingest', 'http-ingest', 'store-api']) expect(existsSync(join(dir, 'functions/aws', `${f}.ts`))).toBe(true);
      const printed: string[] = [];
      expect(planCommand({ appPath: join(dir, 'apps/shop.siddhi'), appText: SHOP, serviceDir: dir, stdout: l => printed.push(l), stderr: l => printed.push(l) })).toBe(0);

      const { template } = packageIn(dir, join(dir, 'out-shop'), ['--param=plan=.millrace/plan.yml']);

      const mappings = ofType(template, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(1);
      expect(mappings[0][1].Properties).toMatchObject({
        BatchSize: 100,
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 3,
        ParallelizationFactor: 1,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['MillraceFailedRecords', 'Arn'] } } },
      });
      const routes = ofType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey).sort();
      expect(routes).toEqual(['POST /restock', 'POST /stores/query']);
      expect(template.Resources.TableShopStock.Properties.TableName).toBe('shop-stock');
      expect(ofType(template, 'AWS::Kinesis::Stream').map(([, r]) => r.Properties.Name).sort()).toEqual(['orders', 'shop-totals']);
      expect(ofType(template, 'AWS::IAM::Role').map(([id]) => id).sort()).toEqual(['RoleHttpIngest', 'RoleKinesisIngestOrders', 'RoleStoreApi', 'RoleTick']);
      expect(ofType(template, 'AWS::Lambda::Function').every(([, f]) => f.Properties.Runtime === 'nodejs22.x' && f.Properties.Architectures[0] === 'arm64')).toBe(true);
      expect(printed.join('\n')).toMatch(/single-writer/);
    },
    TIMEOUT_MS,
  );
});
