/**
 * The HTTP ingest and Store API Lambda handlers, invoked with API Gateway HTTP API events of the
 * real payload v2 shape, against DynamoDB Local (started here), with a real HTTP server as the
 * app's http sink. The bundled handlers (dist/aws/*.cjs, the esbuild output) are loaded too.
 * A missing DynamoDB Local is reported and the suite skipped, never passed.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRowTable, createStateTable } from '../../adapters/aws/dynamodb-state-store';
import { createHttpIngestHandler } from '../../functions/aws/http-ingest-handler';
import { createStoreApiHandler } from '../../functions/aws/store-api-handler';
import { dynamoDBLocalMissing, startDynamoDBLocal, type RunningEmulator } from '../helpers/emulators';
import { dynamoDBClientFor } from '../helpers/local-clients';
import { startHttpTarget, type HttpTarget } from '../helpers/http-target';

const missing = dynamoDBLocalMissing();
const describeIf = missing ? describe.skip : describe;
if (missing) console.warn(`HTTP function tests skipped: ${missing}`);

const APP = `@app:name('Shop')
@source(type='http', receiver.url='http://0.0.0.0:8006/orders', basic.auth.enabled='true', @map(type='json'))
define stream Orders (sku string, qty long);
@sink(type='http', publisher.url='\${HOOK_URL}', @map(type='json'))
define stream Big (sku string, qty long);
@store(type='dynamodb', table.name='ShopStock') @PrimaryKey('sku')
define table Stock (sku string, qty long);
define aggregation Sold from Orders select sku, sum(qty) as total group by sku aggregate every sec ... min;
from Orders select sku, qty update or insert into Stock set Stock.qty = Stock.qty + qty on Stock.sku == sku;
from Orders[qty > 100] select sku, qty insert into Big;`;

let n = 0;
/** An API Gateway HTTP API event, payload format 2.0, as AWS documents it. */
function apiEvent(method: string, rawPath: string, body: string, headers: Record<string, string> = {}, base64 = false): APIGatewayProxyEventV2 {
  const id = `req-${++n}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0', host: 'abc123.execute-api.us-east-1.amazonaws.com', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'curl/8.5.0' },
      requestId: id,
      routeKey: '$default',
      stage: '$default',
      time: '03/Dec/2025:14:00:00 +0000',
      timeEpoch: 1_764_770_400_000 + n * 1000,
    },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}
const context = { awsRequestId: 'lambda-1' } as Context;
const basic = `Basic ${Buffer.from('ingest:s3cret').toString('base64')}`;

describeIf('AWS HTTP functions on DynamoDB Local', () => {
  let ddb: RunningEmulator;
  let hook: HttpTarget;
  let env: Record<string, string>;
  const lines: string[] = [];
  const client = () => dynamoDBClientFor(ddb);

  beforeAll(async () => {
    ddb = await startDynamoDBLocal();
    hook = await startHttpTarget();
    await createStateTable(client(), 'State');
    await createRowTable(client(), 'ShopStock');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'millrace-http-'));
    writeFileSync(path.join(dir, 'shop.siddhi'), APP);
    env = { MILLRACE_APP_FILE: path.join(dir, 'shop.siddhi'), MILLRACE_STATE_TABLE: 'State', MILLRACE_HTTP_BASIC_AUTH: 'ingest:s3cret', MILLRACE_HTTP_MAX_BODY_BYTES: '2048', HOOK_URL: hook.url('/hook') };
  }, 120_000);
  afterAll(async () => {
    await hook?.stop();
    await ddb?.stop();
  });

  const ingest = () => createHttpIngestHandler({ env, dynamodb: client(), write: l => lines.push(l) });
  const storeApi = (more: Record<string, string> = {}) =>
    createStoreApiHandler({ env: { MILLRACE_APP_FILE: env.MILLRACE_APP_FILE, MILLRACE_STATE_TABLE: 'State', MILLRACE_STORE_API_KEYS: 'k-1', HOOK_URL: env.HOOK_URL, ...more }, dynamodb: client(), write: l => lines.push(l) });
  const query = (body: unknown, key = 'k-1') => apiEvent('POST', '/stores/query', JSON.stringify(body), { 'x-api-key': key });
  const parsed = (r: { statusCode?: number; body?: string }) => [r.statusCode, JSON.parse(r.body ?? 'null')];

  test('ingest: accepted events are committed, published to the http sink with their id, and readable through the Store API', async () => {
    // Prepare
    const handler = ingest();
    // Act
    const a = await handler(apiEvent('POST', '/orders', '{"event":{"sku":"apple","qty":5}}', { authorization: basic }), context);
    const b = await handler(apiEvent('POST', '/orders', '[{"event":{"sku":"apple","qty":200}},{"event":{"sku":"pear","qty":1}}]', { authorization: basic }, true), context);
    const api = storeApi();
    const rows = await api(query({ appName: 'Shop', query: 'from Stock select sku, qty order by sku', details: true }), context);
    const sold = await api(query({ appName: 'Shop', query: "from Sold within 0L, 2000000000000L per 'seconds' select sku, sum(total) as total group by sku order by sku" }), context);
    // Assess
    expect(parsed(a)).toEqual([200, { status: 'accepted', events: 1 }]);
    expect(parsed(b)).toEqual([200, { status: 'accepted', events: 2 }]);
    expect(hook.requests.map(r => [r.body, r.headers['x-millrace-event-id']])).toEqual([['{"event":{"sku":"apple","qty":200}}', 'http:/orders:req-2/0']]);
    expect(parsed(rows)).toEqual([200, { records: [['apple', 205], ['pear', 1]], details: [{ name: 'sku', dataType: 'STRING' }, { name: 'qty', dataType: 'LONG' }] }]);
    expect(parsed(sold)).toEqual([200, { records: [['apple', 205], ['pear', 1]] }]);
    expect(lines.some(l => JSON.parse(l).message.startsWith('committed 1 records') && JSON.parse(l).app === 'Shop')).toBe(true);
  }, 60_000);

  test('ingest: 401 without credentials, 400 on a bad body, 413 over the limit, 404 and 405', async () => {
    const handler = ingest();
    const res = async (e: APIGatewayProxyEventV2) => parsed(await handler(e, context));
    expect(await res(apiEvent('POST', '/orders', '{"sku":"a","qty":1}'))).toEqual([401, { code: 401, type: 'error', message: "'/orders' needs valid basic authentication credentials" }]);
    const [s, body] = await res(apiEvent('POST', '/orders', '{"sku":"a","qty":"many"}', { authorization: basic }));
    expect([s, body.message]).toEqual([400, expect.stringMatching(/could not be mapped to stream 'Orders'.*qty/)]);
    expect((await res(apiEvent('POST', '/orders', `{"sku":"${'x'.repeat(3000)}","qty":1}`, { authorization: basic })))[0]).toBe(413);
    expect((await res(apiEvent('POST', '/elsewhere', '{}', { authorization: basic })))[0]).toBe(404);
    expect((await res(apiEvent('GET', '/orders', '', { authorization: basic })))[0]).toBe(405);
  }, 60_000);

  test('store API: 401, 400 with the position of a compile error, 404 app, read-only 403, row limit', async () => {
    const api = storeApi({ MILLRACE_STORE_API_ROW_LIMIT: '1' });
    const res = async (e: APIGatewayProxyEventV2) => parsed(await api(e, context));
    expect(await res(query({ appName: 'Shop', query: 'from Stock select *' }, 'wrong'))).toEqual([401, { code: 401, type: 'error', message: "a valid API key is needed in the 'x-api-key' header" }]);
    const [s, e] = await res(query({ appName: 'Shop', query: 'from Stock select nope' }));
    expect([s, e.type, e.message]).toEqual([400, 'error', expect.stringMatching(/query:1:\d+: .*nope/)]);
    expect((await res(apiEvent('POST', '/stores/query', 'not json', { 'x-api-key': 'k-1' })))[0]).toBe(400);
    expect((await res(query({ appName: 'Other', query: 'from Stock select *' })))[0]).toBe(404);
    const [w, we] = await res(query({ appName: 'Shop', query: "select 'fig' as sku, 1L as qty insert into Stock" }));
    expect([w, we.message]).toEqual([403, expect.stringMatching(/read-only/)]);
    const [l, le] = await res(query({ appName: 'Shop', query: 'from Stock select sku' }));
    expect([l, le.message]).toEqual([400, expect.stringMatching(/more than the limit of 1/)]);
    expect(await res(query({ appName: 'Shop', query: 'from Stock select sku order by sku limit 1' }))).toEqual([200, { records: [['apple']] }]);
  }, 60_000);

  test('store API with writes allowed commits an on-demand insert', async () => {
    const api = storeApi({ MILLRACE_STORE_API_WRITES: 'true' });
    expect(parsed(await api(query({ appName: 'Shop', query: "select 'fig' as sku, 3L as qty insert into Stock" }), context))).toEqual([200, { records: [] }]);
    expect(parsed(await api(query({ appName: 'Shop', query: "from Stock on sku == 'fig' select qty" }), context))).toEqual([200, { records: [[3]] }]);
  }, 60_000);

  test('configuration errors stop the function at cold start', () => {
    expect(() => createStoreApiHandler({ env: { MILLRACE_APP_FILE: env.MILLRACE_APP_FILE, MILLRACE_STATE_TABLE: 'State' } })).toThrow(/MILLRACE_STORE_API_KEYS is required/);
    expect(() => createHttpIngestHandler({ env: { ...env, MILLRACE_HTTP_BASIC_AUTH: '' } })).toThrow(/basic.auth.enabled='true' but no credentials/);
    expect(() => createHttpIngestHandler({ env: { ...env, MILLRACE_HTTP_MAX_BODY: '1' } })).toThrow(/MILLRACE_HTTP_MAX_BODY is not a setting/);
  });

  test('the bundled handlers (dist/aws/*.cjs) answer the same events', async () => {
    const bundle = path.join(__dirname, '../../dist/aws/store-api.cjs');
    if (!existsSync(bundle)) throw new Error('dist/aws/store-api.cjs is missing: run node scripts/build.mjs');
    const saved = { ...process.env };
    Object.assign(process.env, { MILLRACE_APP_FILE: env.MILLRACE_APP_FILE, MILLRACE_STATE_TABLE: 'State', MILLRACE_STORE_API_KEYS: 'k-1', HOOK_URL: env.HOOK_URL, AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { handler } = require(bundle) as { handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<{ statusCode: number; body: string }> };
      const r = await handler(query({ appName: 'Shop', query: "from Stock on sku == 'pear' select sku, qty" }), context);
      expect(parsed(r)).toEqual([200, { records: [['pear', 1]] }]);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    }
  }, 60_000);
});
