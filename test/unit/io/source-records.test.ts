import { MemoryStateStore, MappingError, compileApp, memoryLogger, recordsOfPayload, runInvocation, sinkPayloads, toOutputJson, type InputRecord } from '../../../core';

/**
 * recordsOfPayload, the call a transport adapter makes per record: events as one chunk, what
 * cannot be mapped to the fault stream (@OnError STREAM) or the log (LOG), mapped event times,
 * and replays of a payload that became several records.
 */
const APP = `
@OnError(action='STREAM')
@source(type='kinesis', stream.name='in', @map(type='json'))
define stream S (sym string, n long);
@source(type='kinesis', stream.name='in2', @map(type='csv', timestamp.attribute='ts'))
define stream T (sym string, ts long);
@sink(type='kinesis', stream.name='out', @map(type='json'))
define stream O (sym string, n long);
from S select sym, n insert into O;
from !S select _error insert into Faults;
from T select sym, ts insert into O2;
`;

const at = (position: number, time = 1000) => ({ time, source: { kind: 'sequence' as const, id: 'shard-1', position: String(position) }, logger: memoryLogger() });

async function run(records: InputRecord[], store = new MemoryStateStore()) {
  const plan = compileApp(APP);
  const result = await runInvocation({ plan, store, records, outputStreams: new Set(['O', 'Faults', 'O2']) });
  return { plan, result, outputs: result.outputs.map(o => [o.id, o.stream, o.event.timestamp, o.event.data.map(toOutputJson)]) };
}

describe('recordsOfPayload', () => {
  const plan = compileApp(APP);

  test('the events of one payload are one chunk at the record time', () => {
    const r = recordsOfPayload(plan, 'S', 0, '[{"sym":"a","n":1},{"sym":"b","n":2}]', at(7));
    expect(r).toEqual([{ stream: 'S', time: 1000, chunk: [['a', 1], ['b', 2]], source: at(7).source }]);
  });

  test('with @OnError STREAM, what cannot be mapped goes to !S with the reason and the payload, the rest as usual', async () => {
    // Arrange
    const payload = '[{"sym":"a","n":1},{"sym":"b"}]';
    const records = recordsOfPayload(plan, 'S', 0, payload, at(7));
    // Act
    const { outputs } = await run(records);
    // Assess
    const fault = records[1].data![2] as MappingError;
    expect(fault).toBeInstanceOf(MappingError);
    expect(fault.payload).toBe(payload);
    expect(fault.reason).toMatch(/missing attribute 'n'/);
    expect(outputs).toEqual([
      ['shard-1:7/0', 'O', 1000, ['a', 1]],
      ['shard-1:7/1', 'Faults', 1000, [expect.stringContaining(`payload: ${payload}`)]],
    ]);
  });

  test('without @OnError, it is logged with the payload and nothing else happens', () => {
    const p = compileApp("@source(type='kinesis', @map(type='json'))\ndefine stream S (a int);");
    const ctx = at(1);
    expect(recordsOfPayload(p, 'S', 0, 'not json', ctx)).toEqual([]);
    expect(ctx.logger.lines).toEqual([expect.stringMatching(/^ERROR Error in 'SiddhiApp' mapping a payload of stream 'S' with @map\(type='json'\): not valid JSON: .*\. Payload: not json$/)]);
  });

  test('timestamp.attribute gives each event its time, a chunk per run of equal times; a null time is a problem', () => {
    const r = recordsOfPayload(plan, 'T', 0, 'a,5000\nb,5000\nc,6000\nd,', at(3));
    expect(r.map(x => [x.stream, x.time, x.data ?? x.chunk])).toEqual([
      ['T', 5000, [['a', 5000], ['b', 5000]]],
      ['T', 6000, ['c', 6000]],
    ]);
  });

  test('a replayed payload is skipped whole: its event records and its fault record', async () => {
    const store = new MemoryStateStore();
    const records = recordsOfPayload(plan, 'S', 0, '[{"sym":"a","n":1},{"sym":"b"}]', at(7));
    await run(records, store);
    const again = await run([...records, ...recordsOfPayload(plan, 'S', 0, '{"sym":"c","n":3}', at(8))], store);
    expect(again.result.skipped).toBe(2);
    expect(again.outputs).toEqual([['shard-1:8/0', 'O', 1000, ['c', 3]]]);
  });
});

describe('sinkPayloads', () => {
  test("a record's outputs on a stream are one chunk: one grouped payload with the first output's id", async () => {
    const p = compileApp(APP);
    const { result } = await run([...recordsOfPayload(p, 'S', 0, '[{"sym":"a","n":1},{"sym":"b","n":2}]', at(1)), ...recordsOfPayload(p, 'S', 0, '{"sym":"c","n":3}', at(2))]);
    expect(sinkPayloads(p, result.outputs).map(x => [x.stream, x.sinkIndex, x.id, x.payload])).toEqual([
      ['O', 0, 'shard-1:1/0', '[{"event":{"sym":"a","n":1}},{"event":{"sym":"b","n":2}}]'],
      ['O', 0, 'shard-1:2/0', '{"event":{"sym":"c","n":3}}'],
    ]);
  });
});
