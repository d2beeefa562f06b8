import { sinkMapper, sourceMapper, type MapSpec, type MapType } from '../../../core';
import { bigDecimalText } from '../../../core/io/mappers/keyvalue-mapper';
import { JsonNumber } from '../../../core/io/mappers/json-tree';

/** The text, csv and keyvalue mappers where Millrace reads Siddhi's rules for itself (docs/mappers.md). */
const spec = (type: MapType, options: Record<string, string> = {}, attributes: MapSpec['attributes'] = [], payload: MapSpec['payload'] = []): MapSpec => ({
  type,
  options: new Map(Object.entries(options)),
  attributes,
  payload,
});
const stream = { id: 'S', attributes: [{ name: 'sym', type: 'STRING' as const }, { name: 'n', type: 'INT' as const }] };

describe('text', () => {
  test('a refused record does not leak into the next (Siddhi keeps the assigned attributes of a failed record)', () => {
    const m = sourceMapper(spec('text'), stream);
    expect(m.decode('sym:"a",\nn:x').events).toEqual([]);
    expect(m.decode('n:2,\nsym:"b"')).toEqual({ events: [['b', 2]], problems: [] });
  });

  test('new.line.character and delimiter take \\r\\n and mark grouped events', () => {
    const m = sourceMapper(spec('text', { 'event.grouping.enabled': 'true', 'new.line.character': '\\r\\n', delimiter: '##' }), stream);
    expect(m.decode('sym:"a",\r\nn:1\r\n##\r\nsym:"b",\r\nn:2').events).toEqual([['a', 1], ['b', 2]]);
    const s = sinkMapper(spec('text', { 'event.grouping.enabled': 'true', 'new.line.character': '\\r\\n', delimiter: '##' }), stream);
    expect(s.encode([['a', 1], ['b', null]])).toEqual(['sym:"a",\r\nn:1\r\n##\r\nsym:"b",\r\nn:null']);
  });
});

describe('csv', () => {
  test("header='true' skips the first record of each payload (Siddhi skips the first payload its mapper ever sees)", () => {
    const m = sourceMapper(spec('csv', { header: 'true' }), stream);
    expect(m.header).toBe(true);
    expect(m.decode('sym,n\na,1\nb,2').events).toEqual([['a', 1], ['b', 2]]);
    expect(m.decode('sym,n').events).toEqual([]);
  });

  test("a tab delimiter ('\\t') trims the spaces around fields, as Commons CSV's TDF format does", () => {
    const m = sourceMapper(spec('csv', { delimiter: '\\t' }), stream);
    expect(m.decode(' a \t 1 ').events).toEqual([['a', 1]]);
  });

  test('an unclosed quote refuses the payload', () => {
    expect(sourceMapper(spec('csv'), stream).decode('"a,1').problems[0]).toMatch(/quoted field is not closed/);
  });

  test("header='true' on a sink starts each payload with the attribute names (Siddhi publishes them once per mapper)", () => {
    const s = sinkMapper(spec('csv', { header: 'true', 'event.grouping.enabled': 'true' }), stream);
    expect(s.encode([['a', 1], ['b', 2]])).toEqual(['sym,n\na,1\nb,2\n']);
  });
});

describe('keyvalue', () => {
  const kv = sourceMapper(spec('keyvalue'), stream);
  test.each([
    ['{"sym":"a","n":5.0}', [['a', 5]]],
    ['{"sym":"a","n":5e1}', [['a', 50]]],
    ['{"sym":"a","n":1.5}', []],
    ['{"sym":"a","n":2147483648}', []],
    ['{"sym":"a","n":"5"}', []],
    ['{"sym":["a"],"n":1}', []],
    ['[1]', []],
  ])('%s maps to %j (an integral number within range for an INT; Siddhi truncates and wraps)', (payload, events) => {
    expect(kv.decode(payload).events).toEqual(events);
  });

  test('numbers for a STRING are their BigDecimal texts', () => {
    expect(['12.50', '1e3', '-0.0000001', '0.001', '5', '-0'].map(t => bigDecimalText(new JsonNumber(t)))).toEqual(['12.50', '1E+3', '-1E-7', '0.001', '5', '0']);
  });

  test('the sink writes a JSON object; a float keeps its Java text, NaN is null', () => {
    const s = sinkMapper(spec('keyvalue'), { id: 'S', attributes: [{ name: 'f', type: 'FLOAT' }, { name: 'd', type: 'DOUBLE' }] });
    expect(s.encode([[1 / 3, NaN]])).toEqual(['{"f":0.33333334,"d":null}']);
  });
});
