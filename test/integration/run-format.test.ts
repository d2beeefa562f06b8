/**
 * `millrace run --format`: raw payload lines through the app's mappers, as the bundled command
 * (dist/millrace.cjs, which `npm test` builds first) runs them.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '../../dist/millrace.cjs');

function millrace(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string }> {
  return new Promise(resolve => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: stdout.split('\n').filter(Boolean), stderr }),
    );
  });
}

const ORDERS = `@OnError(action='STREAM')
@source(type='kinesis', stream.name='orders', @map(type='json'))
define stream Orders (sym string, qty long);
@sink(type='kinesis', stream.name='big', @map(type='json'))
define stream Big (sym string, qty long);
from Orders[qty > 10] select sym, qty insert into Big;
from !Orders select _error as why insert into Bad;
`;

let dir: string;
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'millrace-format-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('millrace run --format', () => {
  const input = '{"sym":"a","qty":5}\n{"event":{"sym":"b","qty":9007199254740993}}\n\nnot json\n[{"sym":"c","qty":20},{"sym":"d","qty":30}]\n';

  test.each([[[]], [['--batch-size', '1']]])('json payloads %j: events at their line numbers, a bad one to the fault stream, LONGs exact', async extra => {
    // Arrange
    const app = file('orders.siddhi', ORDERS);
    const inp = file('orders.txt', input);
    // Act
    const r = await millrace(['run', app, '--input', inp, '--format', 'json', ...extra]);
    // Assess
    expect(r.code).toBe(0);
    const lines = r.stdout.map(l => JSON.parse(l.replace(/9007199254740993/g, '"9007199254740993"')));
    expect(lines.filter(l => l.stream === 'Big')).toEqual([
      { stream: 'Big', time: 2, data: ['b', '9007199254740993'] },
      { stream: 'Big', time: 5, data: ['c', 20] },
      { stream: 'Big', time: 5, data: ['d', 30] },
    ]);
    expect(lines.filter(l => l.stream === 'Bad')).toEqual([{ stream: 'Bad', time: 4, data: [expect.stringMatching(/not valid JSON.*; payload: not json$/)] }]);
  });

  test('--sink-payloads prints what each @sink would publish, with its outbox id', async () => {
    const r = await millrace(['run', file('o.siddhi', ORDERS), '--input', file('o.txt', input), '--format', 'json', '--sink-payloads']);
    expect(r.stdout.filter(l => l.includes('"sink"'))).toEqual([
      expect.stringMatching(/^\{"stream":"Big","sink":"kinesis","id":"file:.*o\.txt:2\/0","payload":"\{\\"event\\":\{\\"sym\\":\\"b\\",\\"qty\\":9007199254740993\}\}"\}$/),
      expect.stringMatching(/"id":"file:.*o\.txt:5\/0","payload":"\[\{\\"event\\".*\}\]"\}$/),
    ]);
  });

  test('a rerun on the same state applies no payload twice, the fault stream included', async () => {
    const state = join(dir, 'state');
    const args = ['run', file('s.siddhi', ORDERS), '--input', file('s.txt', input), '--format', 'json', '--state', state];
    await millrace(args);
    const again = await millrace(args);
    expect(again.stdout).toEqual([]);
    expect(again.stderr).toMatch(/4 records were applied to this state by an earlier run and skipped/);
  });

  test('csv with a header line, text blocks, a text regex per line, keyvalue by default', async () => {
    const two = `@source(type='http', @map(type='csv', header='true'))
@source(type='http', @map(type='text', regex.A='(\\w+) x(\\d+)', @attributes(sym='A[1]', qty='A[2]')))
define stream Orders (sym string, qty long);
define stream Other (n int);
from Orders select * insert into Out;
from Other select * insert into Out2;
`;
    const app = file('two.siddhi', two);
    const csv = await millrace(['run', app, '--input', file('in.csv', 'sym,qty\nx,50\ny,abc\n'), '--format', 'csv', '--stream', 'Orders']);
    expect(csv.stdout).toEqual(['{"stream":"Out","time":2,"data":["x",50]}']);
    expect(csv.stderr).toMatch(/in\.csv:3: Error in 'SiddhiApp' mapping a payload of stream 'Orders' with @map\(type='csv'\): attribute 'qty': 'abc' is not a long/);
    const regex = await millrace(['run', app, '--input', file('in.txt', 'ab x1\ncd x2\n'), '--format', 'text', '--stream', 'Orders']);
    expect(regex.stdout).toEqual(['{"stream":"Out","time":1,"data":["ab",1]}', '{"stream":"Out","time":2,"data":["cd",2]}']);
    const blocks = await millrace(['run', app, '--input', file('in2.txt', 'n:1\n\nn:2\n'), '--format', 'text', '--stream', 'Other']);
    expect(blocks.stdout).toEqual(['{"stream":"Out2","time":1,"data":[1]}', '{"stream":"Out2","time":3,"data":[2]}']);
    const kv = await millrace(['run', app, '--input', file('in.kv', '{"n":7}\n{"n":"7"}\n'), '--format', 'keyvalue', '--stream', 'Other']);
    expect(kv.stdout).toEqual(['{"stream":"Out2","time":1,"data":[7]}']);
  });

  test.each([
    [['--format', 'xml'], 2, /--format must be one of json, text, csv, keyvalue, found 'xml'/],
    [['--stream', 'Orders'], 2, /--stream goes with --format/],
    [['--format', 'json', '--stream', 'Big'], 2, /--stream 'Big' is not an input stream of the app; its input streams are Orders/],
  ])('%j is refused', async (args, code, message) => {
    const r = await millrace(['run', file('e.siddhi', ORDERS), '--input', file('e.txt', input), ...args]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
  });
});
