import type {
  AggregationDefinition,
  Annotation,
  FunctionDefinition,
  StreamDefinition,
  TableDefinition,
  TriggerDefinition,
  WindowDefinition,
} from '../../../core/ast/nodes';
import { INT, TIME, V, definition, parseApp, parseError, strip } from './helpers';

const ann = (name: string, elements: [string | undefined, string][], annotations: unknown[] = []) => ({
  kind: 'Annotation',
  name,
  elements: elements.map(([key, value]) => (key === undefined ? { kind: 'AnnotationElement', value } : { kind: 'AnnotationElement', key, value })),
  annotations,
});

describe('annotations', () => {
  test('app annotations go to the app; others to the next definition', () => {
    const app = parseApp(`@app:name('Shop')
@app:description("d")
@app:playback
@source(type='http', receiver.url='http://0.0.0.0:8006/x', @map(type='json', @attributes(a='$.x', b='$.y')))
@sink(type='log')
define stream S (a int, b string);
@app:statistics('true')
@PrimaryKey('a', 'b') @Index('b')
define table T (a int, b string);`);
    expect(strip(app.annotations)).toEqual([
      ann('app:name', [[undefined, 'Shop']]),
      ann('app:description', [[undefined, 'd']]),
      ann('app:playback', []),
      ann('app:statistics', [[undefined, 'true']]),
    ]);
    expect(strip(app.definitions[0]!.annotations)).toEqual([
      ann('source', [['type', 'http'], ['receiver.url', 'http://0.0.0.0:8006/x']], [ann('map', [['type', 'json']], [ann('attributes', [['a', '$.x'], ['b', '$.y']])])]),
      ann('sink', [['type', 'log']]),
    ]);
    expect(strip(app.definitions[1]!.annotations)).toEqual([ann('PrimaryKey', [[undefined, 'a'], [undefined, 'b']]), ann('Index', [[undefined, 'b']])]);
  });

  test('nested annotations with keyword keys and unquoted values', () => {
    const a = definition(`@purge(enable='true', interval='10 sec', @retentionPeriod(sec='120 sec', min='24 hours', hours='30 days', days='1 year', months='all', years='all'))
@store(type='rdbms', @cache(size=10, cache.policy='FIFO', retention.period='5 min'))
@Async(buffer.size='256', workers=2, batch.size.max=-5, flag=true, mode=fast, ratio=0.5)
define aggregation A from S select sum(a) as s aggregate every sec ... min`).annotations;
    expect(strip(a[0])).toEqual(
      ann('purge', [['enable', 'true'], ['interval', '10 sec']], [
        ann('retentionPeriod', [['sec', '120 sec'], ['min', '24 hours'], ['hours', '30 days'], ['days', '1 year'], ['months', 'all'], ['years', 'all']]),
      ]),
    );
    expect(strip(a[1])).toEqual(ann('store', [['type', 'rdbms']], [ann('cache', [['size', '10'], ['cache.policy', 'FIFO'], ['retention.period', '5 min']])]));
    expect(strip(a[2])).toEqual(
      ann('Async', [['buffer.size', '256'], ['workers', '2'], ['batch.size.max', '-5'], ['flag', 'true'], ['mode', 'fast'], ['ratio', '0.5']]),
    );
  });

  test('annotation positions', () => {
    const app = parseApp("@app:name('x')\n  @source(type='t', @map(type='json'))\ndefine stream S (a int);");
    const src = app.definitions[0]!.annotations[0]! as Annotation;
    expect(src.pos).toEqual({ line: 2, column: 3, offset: 17 });
    expect(src.elements[0]!.pos).toEqual({ line: 2, column: 11, offset: 25 });
    expect(src.annotations[0]!.pos).toEqual({ line: 2, column: 21, offset: 35 });
    // the definition starts at its first own annotation, not at the app annotation
    expect(app.definitions[0]!.pos).toEqual({ line: 2, column: 3, offset: 17 });
    expect(app.annotations[0]!.pos).toEqual({ line: 1, column: 1, offset: 0 });
  });

  test('a dangling annotation is an error', () => {
    expect(() => parseApp("define stream S (a int);\n@source(type='x')")).toThrow(/'<EOF>', expecting one of {'define', 'from', 'partition'}/);
    expect(() => parseApp("@app:name('x') @source(type='x')")).toThrow(/@source/);
  });
});

describe('definitions', () => {
  test('stream with every attribute type, any case', () => {
    const d = definition('define stream S (a string, b int, c LONG, d Float, e double, f bool, g object);') as StreamDefinition;
    expect(d.kind).toBe('StreamDefinition');
    expect(d.id).toBe('S');
    expect(d.attributes.map(a => [a.name, a.type])).toEqual([
      ['a', 'STRING'], ['b', 'INT'], ['c', 'LONG'], ['d', 'FLOAT'], ['e', 'DOUBLE'], ['f', 'BOOL'], ['g', 'OBJECT'],
    ]);
    expect(d.pos).toEqual({ line: 1, column: 1, offset: 0 });
    expect(d.attributes[1]!.pos).toEqual({ line: 1, column: 28, offset: 27 });
  });

  test('an unknown attribute type is a syntax error', () => {
    expect(() => parseApp('define stream S (a integer);')).toThrow(/attribute type/);
  });

  test('at least one attribute is required', () => {
    expect(() => parseApp('define stream S ();')).toThrow(/mismatched input '\)', expecting a name/);
    expect(() => parseApp('define table T ()')).toThrow();
  });

  test('table', () => {
    const d = definition('define table T (k string, v int)') as TableDefinition;
    expect(strip(d)).toEqual({
      kind: 'TableDefinition',
      id: 'T',
      attributes: [{ kind: 'AttributeDef', name: 'k', type: 'STRING' }, { kind: 'AttributeDef', name: 'v', type: 'INT' }],
      annotations: [],
    });
  });

  test('window without #window. and with an output event type', () => {
    const d = definition('define window W (a int) time(1 sec) output expired events;') as WindowDefinition;
    expect(strip(d.window)).toEqual({ kind: 'Window', name: 'time', args: [TIME(1000)] });
    expect(d.outputEventType).toBe('EXPIRED');
    expect(d.window.pos).toEqual({ line: 1, column: 25, offset: 24 });
    const d2 = definition('define window W (a int, k string) unique:length(k, 5)') as WindowDefinition;
    expect(strip(d2.window)).toEqual({ kind: 'Window', namespace: 'unique', name: 'length', args: [V('k'), INT(5)] });
    expect(d2.outputEventType).toBeUndefined();
    expect((definition('define window W (a int) lengthBatch(2) output all events') as WindowDefinition).outputEventType).toBe('ALL');
    expect((definition('define window W (a int) length(2) output current events') as WindowDefinition).outputEventType).toBe('CURRENT');
  });

  test('triggers: start, every, cron', () => {
    expect((definition("define trigger T at 'start'") as TriggerDefinition).at).toEqual({ kind: 'start' });
    expect((definition('define trigger T at every 5 sec') as TriggerDefinition).at).toEqual({ kind: 'every', millis: 5000 });
    expect((definition('define trigger T at every 1 hour 30 min') as TriggerDefinition).at).toEqual({ kind: 'every', millis: 5_400_000 });
    expect((definition("define trigger T at '0 15 10 ? * MON-FRI'") as TriggerDefinition).at).toEqual({ kind: 'cron', expression: '0 15 10 ? * MON-FRI' });
    expect(strip(definition("define trigger T at 'start'"))).toEqual({ kind: 'TriggerDefinition', id: 'T', annotations: [], at: { kind: 'start' } });
  });

  test('function body is kept verbatim, nested braces included', () => {
    const body = `
  var r = { a: data[0] };
  if (r.a > 1) { return 'big'; }
  return "small";
`;
    const d = definition(`define function classify[JavaScript] return string {${body}};`) as FunctionDefinition;
    expect(d).toMatchObject({ kind: 'FunctionDefinition', id: 'classify', language: 'JavaScript', returnType: 'STRING', body });
  });

  test('an unbalanced function body is an error', () => {
    expect(() => parseApp('define function f[javascript] return int { return 1; ')).toThrow(/function body/);
  });

  test('aggregation with a range of periods and aggregate by', () => {
    const d = definition(`define aggregation TradeAgg
from Trade[price > 0.0]
select sym, sum(vol) as totalVol, avg(price) as avgPrice
group by sym
aggregate by ts every sec ... year;`) as AggregationDefinition;
    expect(d.kind).toBe('AggregationDefinition');
    expect(d.id).toBe('TradeAgg');
    expect(d.input.stream.id).toBe('Trade');
    expect(d.input.handlers).toHaveLength(1);
    expect(d.selector.attributes.map(a => a.alias ?? '-')).toEqual(['-', 'totalVol', 'avgPrice']);
    expect(strip(d.selector.groupBy)).toEqual([V('sym')]);
    expect(strip(d.aggregateBy)).toEqual(V('ts'));
    expect(d.periods).toEqual({ kind: 'range', from: 'SECONDS', to: 'YEARS' });
    expect(d.periodsPos).toEqual({ line: 5, column: 17, offset: 138 });
  });

  test('aggregation with a list of periods in every spelling', () => {
    const d = definition('define aggregation A from S select sum(x) as t aggregate every Seconds, MIN, minutes, hours, Day, weeks, month, YEARS') as AggregationDefinition;
    expect(d.aggregateBy).toBeUndefined();
    expect(d.periods).toEqual({ kind: 'list', units: ['SECONDS', 'MINUTES', 'MINUTES', 'HOURS', 'DAYS', 'WEEKS', 'MONTHS', 'YEARS'] });
    expect((definition('define aggregation A from S select sum(x) as t aggregate every second ... minute') as AggregationDefinition).periods).toEqual({
      kind: 'range',
      from: 'SECONDS',
      to: 'MINUTES',
    });
    expect((definition('define aggregation A from S select sum(x) as t aggregate every hour') as AggregationDefinition).periods).toEqual({ kind: 'list', units: ['HOURS'] });
  });

  test('milliseconds are not an aggregation period', () => {
    const e = parseError(() => parseApp('define aggregation A from S select sum(x) as t aggregate every millisec ... sec'));
    expect(e.diagnostics[0]!.message).toContain('millisec');
  });

  test('definitions and queries may come in any order', () => {
    const app = parseApp('define stream A (a int); from A select a insert into B; define stream C (c int); from C select c insert into D');
    expect(app.definitions.map(d => d.id)).toEqual(['A', 'C']);
    expect(app.elements).toHaveLength(2);
  });
});
