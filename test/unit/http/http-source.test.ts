/**
 * Siddhi's http source as adapters/http/http-source.ts answers it: routing by receiver.url,
 * POST only, basic authentication, the size limit, bad bodies answered 400 with the mapper's
 * reasons, and the records handed to the invocation runner.
 */
import { httpSourceRoutes, ingestRequest, type IngestDecision } from '../../../adapters/http/http-source';
import type { HttpRequest } from '../../../adapters/http/http-types';
import { compileApp, memoryLogger } from '../../../core';

const app = `@app:name('Shop')
  @source(type='http', receiver.url='http://0.0.0.0:8006/orders', basic.auth.enabled='true', @map(type='json'))
  define stream Orders (id string, amount double, qty long);
  @OnError(action='STREAM')
  @source(type='http', @map(type='json', @attributes(sku='$.sku', n='$.n')))
  define stream Stock (sku string, n int);
  from Orders select * insert into Out;
  from Stock select * insert into Out2;`;

const plan = compileApp(app);
const credentials = ['ingest:s3cret'];
const routes = httpSourceRoutes(plan, { credentials });
const auth = `Basic ${Buffer.from('ingest:s3cret').toString('base64')}`;

function request(over: Partial<HttpRequest> & { text?: string }): HttpRequest {
  return { method: 'POST', path: '/orders', headers: { authorization: auth }, body: Buffer.from(over.text ?? ''), receivedAt: 1_700_000_000_000, requestId: 'req-1', ...over };
}
const ingest = (r: HttpRequest, maxBodyBytes = 1000): IngestDecision => ingestRequest(plan, routes, r, { credentials, maxBodyBytes, logger: memoryLogger() });
const status = (d: IngestDecision) => d.response.status;
const message = (d: IngestDecision) => JSON.parse(d.response.body).message as string;

describe('http source', () => {
  test('routes are the paths of receiver.url, or /<app>/<stream>', () => {
    expect(routes.map(r => [r.path, r.stream, r.auth])).toEqual([
      ['/orders', 'Orders', true],
      ['/Shop/Stock', 'Stock', false],
    ]);
  });

  test("Siddhi's default json payloads, one event or an array, at the receive time, positioned by request id", () => {
    // Act
    const one = ingest(request({ text: '{"event":{"id":"a","amount":2.5,"qty":9007199254740993}}' }));
    const many = ingest(request({ text: '[{"event":{"id":"a","amount":1.5,"qty":1}},{"event":{"id":"b","amount":2.5,"qty":2}}]', requestId: 'req-2' }));
    // Assess
    expect(one).toMatchObject({ kind: 'run', records: [{ stream: 'Orders', time: 1_700_000_000_000, data: ['a', 2.5, 9007199254740993n], source: { kind: 'message', id: 'http:/orders', position: 'req-1' } }] });
    expect(JSON.parse(one.response.body)).toEqual({ status: 'accepted', events: 1 });
    expect(many.kind === 'run' && many.records[0].chunk).toEqual([['a', 1.5, 1], ['b', 2.5, 2]]); // LONGs: numbers where exact, bigints beyond 2^53
  });

  test('a client retry with the same Idempotency-Key has the same position', () => {
    const d = ingest(request({ text: '{"id":"a","amount":1.5,"qty":1}', headers: { authorization: auth, 'idempotency-key': 'order-77' } }));
    expect(d.kind === 'run' && d.records[0].source?.position).toBe('order-77');
  });

  test('wrong path 404, wrong method 405, no or bad credentials 401, too large 413, empty 400', () => {
    expect(status(ingest(request({ path: '/nope', text: '{}' })))).toBe(404);
    const get = ingest(request({ method: 'GET' }));
    expect([status(get), get.response.headers.allow]).toEqual([405, 'POST']);
    expect(status(ingest(request({ headers: {}, text: '{"id":"a","amount":1.5,"qty":1}' })))).toBe(401);
    const wrong = ingest(request({ headers: { authorization: `Basic ${Buffer.from('ingest:guess').toString('base64')}` }, text: '{}' }));
    expect([status(wrong), wrong.response.headers['www-authenticate']]).toEqual([401, 'Basic realm="millrace"']);
    expect(status(ingest(request({ text: 'x'.repeat(1001) })))).toBe(413);
    expect(message(ingest(request({ text: '' })))).toMatch(/the body is empty/);
    expect(status(ingest(request({ path: '/Shop/Stock', headers: {}, text: '{"sku":"s","n":1}' })))).toBe(200);
  });

  test('a body that does not map is answered 400 with the reason; under @OnError STREAM its fault events still run', () => {
    // Act
    const bad = ingest(request({ text: '{"event":{"id":"a","amount":"lots","qty":1}}' }));
    const fault = ingest(request({ path: '/Shop/Stock', text: '{"sku":"s"}' }));
    // Assess
    expect(bad.kind).toBe('answer');
    expect(status(bad)).toBe(400);
    expect(message(bad)).toMatch(/could not be mapped to stream 'Orders' with @map\(type='json'\).*amount/);
    expect(fault.kind).toBe('run');
    expect(status(fault)).toBe(400);
    expect(fault.kind === 'run' && fault.records.map(r => r.stream)).toEqual(['!Stock']);
  });

  test('an array that maps in part is accepted with what was dropped', () => {
    const d = ingest(request({ text: '[{"event":{"id":"a","amount":1.5,"qty":1}},{"event":{"id":"b","amount":2.5}}]' }));
    expect(status(d)).toBe(200);
    expect(JSON.parse(d.response.body)).toMatchObject({ events: 1, rejected: [expect.any(String)] });
  });

  test('auth without configured credentials, and two sources on one path, stop at cold start', () => {
    expect(() => httpSourceRoutes(plan, { credentials: [] })).toThrow(/basic.auth.enabled='true' but no credentials/);
    const twice = compileApp(`@source(type='http', receiver.url='http://h/x') define stream A (a int);
      @source(type='http', receiver.url='http://h/x') define stream B (a int); from A select * insert into C; from B select * insert into C;`);
    expect(() => httpSourceRoutes(twice, { credentials: [] })).toThrow(/both receive at '\/x'/);
  });
});
