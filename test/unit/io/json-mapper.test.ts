import { compileApp, parseJsonTree, sourceMapper, sinkMapper, defaultMapSpec, type MapSpec } from '../../../core';
import { parseJsonPath, readJsonPath } from '../../../core/io/mappers/json-path';

/**
 * The JSON mapper beyond what the oracle cases show (test/unit/io/cases/json): Millrace's
 * deliberate differences from siddhi-map-json and the reader's edges.
 */
const stream = { id: 'S', attributes: [{ name: 's', type: 'STRING' as const }, { name: 'l', type: 'LONG' as const }, { name: 'd', type: 'DOUBLE' as const }] };
const spec = (options: Record<string, string> = {}, attributes: { name: string; mapping: string }[] = []): MapSpec => ({
  type: 'json',
  options: new Map(Object.entries(options)),
  attributes,
  payload: [],
});

describe('json source mapper', () => {
  test('a LONG keeps every digit, up to the long range (Siddhi with Jackson 2.14 refuses 19 digits; Millrace takes them)', () => {
    // Arrange
    const m = sourceMapper(defaultMapSpec('json'), stream);
    // Act
    const ok = m.decode('{"s":"a","l":9223372036854775807,"d":1.5}');
    const beyond = m.decode('{"s":"a","l":9223372036854775808,"d":1.5}');
    // Assess
    expect(ok).toEqual({ events: [['a', 9223372036854775807n, 1.5]], problems: [] });
    expect(beyond.events).toEqual([]);
    expect(beyond.problems[0]).toMatch(/beyond the long range/);
  });

  test('null in an array element is null (Siddhi drops the whole payload)', () => {
    const m = sourceMapper(defaultMapSpec('json'), stream);
    expect(m.decode('[{"s":null,"l":null,"d":null}]')).toEqual({ events: [[null, null, null]], problems: [] });
  });

  test('bytes are read as UTF-8, malformed sequences as U+FFFD, and never throw', () => {
    const m = sourceMapper(defaultMapSpec('json'), stream);
    const bytes = new Uint8Array([...new TextEncoder().encode('{"s":"'), 0xff, ...new TextEncoder().encode('","l":1,"d":1.5}')]);
    expect(m.decode(bytes)).toEqual({ events: [['\ufffd', 1, 1.5]], problems: [] });
  });

  test('a document nested too deep is a problem, not a stack overflow', () => {
    const m = sourceMapper(defaultMapSpec('json'), stream);
    const r = m.decode('['.repeat(100000));
    expect(r.problems[0]).toMatch(/nested deeper than 512/);
  });

  test('custom mapping reads indexes from the end and wildcards as JSON lists', () => {
    const m = sourceMapper(spec({}, [{ name: 's', mapping: '$.a[*].n' }, { name: 'l', mapping: "$['a'][-1].n" }]), stream);
    expect(m.decode('{"a":[{"n":1},{"n":2}]}')).toEqual({ events: [['[1,2]', 2, null]], problems: [] });
  });
});

describe('json reader', () => {
  test.each([
    ['{"a":1,}', /expected a key in double quotes/],
    ['{"a":01}', /unexpected text|expected/],
    ["{'a':1}", /expected a key in double quotes/],
    ['[1 2]', /expected ',' or ']'/],
    ['"\\x"', /expected an escape character/],
    ['', /expected a JSON value, found the end/],
  ])('%s is refused with a reason', (text, reason) => {
    const r = parseJsonTree(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(reason);
  });

  test('a path selects missing, a value, or a list', () => {
    const root = (parseJsonTree('{"a":{"b":[10,20]}}') as { ok: true; value: never }).value;
    const read = (p: string) => readJsonPath(root, parseJsonPath(p) as never);
    expect(read('a.b[1]')).toMatchObject({ found: true });
    expect(read('$.a.c')).toEqual({ found: false });
    expect(read('$.a.b[5]')).toEqual({ found: false });
    expect(read('$.a.*')).toMatchObject({ found: true, value: [[expect.anything(), expect.anything()]] });
  });
});

describe('json sink mapper', () => {
  test('one event is an object, a chunk an array; without grouping one payload per event', () => {
    const grouped = sinkMapper(defaultMapSpec('json'), stream);
    const single = sinkMapper(spec({ 'event.grouping.enabled': 'false' }), stream);
    const events = [['a', 1, 0.1], ['b', 2n ** 60n, 1e21]];
    expect(grouped.encode(events.slice(0, 1))).toEqual(['{"event":{"s":"a","l":1,"d":0.1}}']);
    expect(grouped.encode(events)).toEqual(['[{"event":{"s":"a","l":1,"d":0.1}},{"event":{"s":"b","l":1152921504606846976,"d":1.0E21}}]']);
    expect(single.encode(events)).toHaveLength(2);
    expect(grouped.encode([])).toEqual([]);
  });

  test('the plan carries the mapper built from the @sink annotation', () => {
    const plan = compileApp(`@sink(type='log', @map(type='json', validate.json='true', @payload("""{"v": {{l}}}""")))\ndefine stream S (s string, l long, d double);`);
    const encoder = plan.sinks.get('S')![0].encoder!;
    expect(encoder.encode([['a', 5, 1]])).toEqual(['{"v": 5}']);
    expect(encoder.encode([['a', null, 1]])).toEqual([]);
  });
});
