/**
 * The http and http-call sinks against a real HTTP server (node:http on loopback): payloads with
 * the outbox id header, on.error LOG / WAIT / STREAM, and http-call answers fed back as records
 * of their http-call-response sources, applied once however often the outbox is published.
 */
import { runWithFeedback } from '../../../adapters/http/http-invocation';
import { HttpPublisher, parseHeaders } from '../../../adapters/http/http-sink';
import { EVENT_ID_HEADER, SinkError } from '../../../adapters/http/http-types';
import { compileApp, MemoryStateStore, PublishedOutboxes, memoryLogger, runInvocation, type AppPlan, type InputRecord } from '../../../core';
import { startHttpTarget, type HttpTarget } from '../../helpers/http-target';

let target: HttpTarget;
let status = 200;
let answer = '';
beforeAll(async () => {
  target = await startHttpTarget(() => ({ status, body: answer }));
});
afterAll(() => target.stop());
beforeEach(() => {
  target.requests.length = 0;
  status = 200;
  answer = '';
});

const compile = (text: string) => compileApp(text, { env: n => (n === 'TARGET' ? target.url('') : undefined) });
const records = (n: number): InputRecord[] => Array.from({ length: n }, (_, i) => ({ stream: 'In', time: 1000 + i, data: [`e${i}`, i], source: { kind: 'message', id: 'test', position: `m${i}` } }));
const publisherFor = (plan: AppPlan, sleeps: number[] = [], logger = memoryLogger()) =>
  new HttpPublisher({ plan, fetch: (url, init) => fetch(url, init), logger, now: () => 5000, sleep: async ms => void sleeps.push(ms), waitsMs: [10, 20, 40] });

const sinkApp = (onError: string) => `@app:name('Push')
  define stream In (name string, n int);
  @OnError(action='STREAM')
  @sink(type='http', publisher.url='\${TARGET}/hook', method='PUT', headers="'X-Team:ops','Content-Type:application/vnd.x+json'", on.error='${onError}', @map(type='json'))
  define stream Out (name string, n int);
  from In select name, n insert into Out;
  from !Out select name, _error insert into Faults;`;

describe('http sink', () => {
  test('each payload one request: method, headers, mapped body and the outbox id', async () => {
    // Prepare
    const plan = compile(sinkApp('LOG'));
    const publisher = publisherFor(plan);
    // Act
    const r = await runInvocation({ plan, store: new MemoryStateStore(), records: records(2), outputStreams: new Set(['Out']), publish: o => publisher.publish(o) });
    // Assess
    expect(target.requests.map(q => [q.method, q.path, q.body, q.headers['x-team'], q.headers['content-type'], q.headers[EVENT_ID_HEADER.toLowerCase()]])).toEqual([
      ['PUT', '/hook', '{"event":{"name":"e0","n":0}}', 'ops', 'application/vnd.x+json', r.outputs[0].id],
      ['PUT', '/hook', '{"event":{"name":"e1","n":1}}', 'ops', 'application/vnd.x+json', r.outputs[1].id],
    ]);
    expect(r.outputs[0].id).toBe('test:m0/0');
  });

  test("on.error='LOG' logs and drops a failed payload", async () => {
    status = 500;
    const plan = compile(sinkApp('LOG'));
    const logger = memoryLogger();
    const publisher = publisherFor(plan, [], logger);
    await runInvocation({ plan, store: new MemoryStateStore(), records: records(1), outputStreams: new Set(['Out']), publish: o => publisher.publish(o) });
    expect(logger.lines.join('\n')).toMatch(/Dropping event at sink 'http' of stream 'Out': .* answered 500/);
    expect(publisher.takeFeedback()).toEqual([]);
  });

  test("on.error='WAIT' retries with bounded backoff, then fails the publish (the outbox stays to publish again)", async () => {
    // Prepare: the first two attempts fail
    const plan = compile(sinkApp('WAIT'));
    const sleeps: number[] = [];
    let calls = 0;
    const flaky = await startHttpTarget(() => ({ status: ++calls <= 2 ? 503 : 200 }));
    const planFlaky = compileApp(sinkApp('WAIT'), { env: () => flaky.url('') });
    // Act
    await publisherFor(planFlaky, sleeps).publish([{ id: 'x:1/0', stream: 'Out', event: { timestamp: 1, data: ['a', 1], type: 'CURRENT' as never } }]);
    status = 503;
    const giveUp = publisherFor(plan, sleeps).publish([{ id: 'x:2/0', stream: 'Out', event: { timestamp: 1, data: ['a', 1], type: 'CURRENT' as never } }]);
    // Assess
    await expect(giveUp).rejects.toThrow(SinkError);
    expect(flaky.requests).toHaveLength(3);
    expect(sleeps).toEqual([10, 20, 10, 20, 40]);
    await flaky.stop();
  });

  test("on.error='STREAM' sends the events with the error to !Out, in a follow-up invocation", async () => {
    status = 404;
    const plan = compile(sinkApp('STREAM'));
    const store = new MemoryStateStore();
    const faults: unknown[] = [];
    const publisher = publisherFor(plan);
    const r = await runWithFeedback({ plan, store, records: records(1), publisher, logger: memoryLogger(), outputStreams: new Set(['Out', 'Faults']), publishOthers: async o => void faults.push(...o.filter(x => x.stream === 'Faults').map(x => x.event.data)) });
    expect(r.followUps).toBe(1);
    expect(faults).toEqual([['e0', expect.any(SinkError)]]);
    expect(String((faults[0] as unknown[])[1])).toMatch(/answered 404/);
  });

  test('Siddhi headers option', () => {
    expect(parseHeaders("'Content-Type:application/xml', 'Authorization:Bearer a:b'")).toEqual({ 'Content-Type': 'application/xml', Authorization: 'Bearer a:b' });
  });
});

const callApp = `@app:name('Call')
  define stream In (name string, n int);
  @sink(type='http-call', publisher.url='\${TARGET}/registry', sink.id='emp', @map(type='json'))
  define stream Req (name string, n int);
  @source(type='http-call-response', sink.id='emp', http.status.code='2\\d+', @map(type='json', @attributes(town='$.town', age='$.age')))
  define stream Resp (town string, age int);
  @source(type='http-call-response', sink.id='emp', http.status.code='4\\d+', @map(type='text', regex.A='((.|\\n)*)', @attributes(error='A[1]')))
  define stream Err (error string);
  from In select name, n insert into Req;
  from Resp select town, sum(age) as total insert into Answers;
  from Err select error insert into Errors;`;

describe('http-call sink and http-call-response source', () => {
  test('an answer becomes events of the response source its status matches, applied once', async () => {
    // Prepare
    const plan = compile(callApp);
    const store = new MemoryStateStore();
    const seen: unknown[] = [];
    const publishOthers = async (o: readonly { stream: string; event: { data: unknown[] } }[]) => void seen.push(...o.filter(x => x.stream !== 'Req').map(x => [x.stream, ...x.event.data]));
    answer = '{"town":"NY","age":24}';
    // A warm function: it knows what it published, so the next request does not publish the outbox again.
    const published = new PublishedOutboxes();
    // Act
    const r = await runWithFeedback({ plan, store, records: records(1), publisher: publisherFor(plan), logger: memoryLogger(), published, outputStreams: new Set(['Req', 'Answers', 'Errors']), publishOthers });
    status = 404;
    answer = 'no such employee';
    await runWithFeedback({ plan, store, records: records(2).slice(1), publisher: publisherFor(plan), logger: memoryLogger(), published, outputStreams: new Set(['Req', 'Answers', 'Errors']), publishOthers });
    // Assess
    expect(r.followUps).toBe(1);
    expect(target.requests.map(q => q.body)).toEqual(['{"event":{"name":"e0","n":0}}', '{"event":{"name":"e1","n":1}}']);
    expect(seen).toEqual([
      ['Answers', 'NY', 24],
      ['Errors', 'no such employee'],
    ]);
  });

  test('the same answer fed back again (an outbox published twice) is skipped as a replay', async () => {
    const plan = compile(callApp);
    const store = new MemoryStateStore();
    answer = '{"town":"NY","age":24}';
    const publisher = publisherFor(plan);
    const first = await runInvocation({ plan, store, records: records(1), outputStreams: new Set(plan.sinks.keys()), publish: o => publisher.publish(o) });
    const fed = publisher.takeFeedback();
    await publisher.publish(first.outputs);
    const again = publisher.takeFeedback();
    expect(again).toEqual(fed);
    const a = await runInvocation({ plan, store, records: fed, outputStreams: new Set(['Answers']) });
    const b = await runInvocation({ plan, store, records: again, outputStreams: new Set(['Answers']) });
    expect([a.outputs.length, b.outputs.length, b.skipped]).toEqual([1, 0, 1]);
  });
});
