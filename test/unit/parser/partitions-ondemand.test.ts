import type { Partition, Query, StateInput } from '../../../core/ast/nodes';
import { BIN, INT, LONG, STR, V, parseApp, parseError, parseOnDemandQuery, strip } from './helpers';

describe('partitions', () => {
  test('value partition over two streams, inner streams, annotations', () => {
    const app = parseApp(`define stream Req (sess string, id int);
define stream Resp (sess string, id int);
@purge(enable='true', interval='1 sec', idle.period='15 sec')
partition with (sess of Req, str:lower(sess) of Resp)
begin
  @info(name='q1')
  from Req select sess, id insert into #Running;
  from #Running[id > 0] select sess insert into Out;
  from every e1=Req -> e2=Resp[id == e1.id] select e1.sess insert into Answered
end;`);
    const p = app.elements[0] as Partition;
    expect(p.kind).toBe('Partition');
    expect(p.pos).toEqual({ line: 3, column: 1, offset: 83 });
    expect(p.annotations[0]!.name).toBe('purge');
    expect(strip(p.with)).toEqual([
      { kind: 'ValuePartition', expression: V('sess'), stream: 'Req' },
      { kind: 'ValuePartition', expression: { kind: 'FunctionCall', namespace: 'str', name: 'lower', args: [V('sess')] }, stream: 'Resp' },
    ]);
    expect(p.queries).toHaveLength(3);
    expect(p.queries[0]!.annotations[0]!.name).toBe('info');
    expect(p.queries[0]!.output).toMatchObject({ target: { id: 'Running', isInner: true } });
    expect(p.queries[1]!.input).toMatchObject({ kind: 'SingleInput', stream: { id: 'Running', isInner: true } });
    expect((p.queries[2]!.input as StateInput).type).toBe('pattern');
  });

  test('range partition', () => {
    const app = parseApp(`define stream T (id string, temp double);
partition with (temp < 20.0 as 'cool' or temp >= 20.0 and temp < 30.0 as 'warm' or temp >= 30.0 as "hot" of T)
begin
  from T select id, count() as n insert into Bands;
end`);
    const p = app.elements[0] as Partition;
    const d = (v: number) => ({ kind: 'Constant', type: 'DOUBLE', value: v });
    expect(strip(p.with)).toEqual([
      {
        kind: 'RangePartition',
        ranges: [
          { condition: BIN('<', V('temp'), d(20)), label: 'cool' },
          { condition: BIN('and', BIN('>=', V('temp'), d(20)), BIN('<', V('temp'), d(30))), label: 'warm' },
          { condition: BIN('>=', V('temp'), d(30)), label: 'hot' },
        ],
        stream: 'T',
      },
    ]);
    expect(p.with[0]!.kind === 'RangePartition' && p.with[0].ranges[1]!.pos).toEqual({ line: 2, column: 42, offset: 83 });
  });

  test('queries inside a partition need separators', () => {
    const e = parseError(() => parseApp('define stream S (k string);\npartition with (k of S) begin from S insert into A from S insert into B; end'));
    expect(e.diagnostics.map(d => d.message)).toEqual(["missing ';' at 'from'"]);
  });

  test('partitions and queries mix at the top level', () => {
    const app = parseApp('define stream S (k string); from S insert into A; partition with (k of S) begin from S insert into B; end; from A insert into C');
    expect(app.elements.map(e => e.kind)).toEqual(['Query', 'Partition', 'Query']);
  });
});

describe('on-demand queries', () => {
  test('read with on, select, group by, having, order by, limit, offset', () => {
    const q = parseOnDemandQuery("from Staff on dept == 'eng' and salary > 100 select dept, sum(salary) as total group by dept having total > 1 order by total desc limit 2 offset 1;");
    expect(q.input).toMatchObject({ kind: 'StoreInput', store: 'Staff' });
    expect(strip(q.input!.on)).toEqual(BIN('and', BIN('==', V('dept'), STR('eng')), BIN('>', V('salary'), INT(100))));
    expect(q.selector).toMatchObject({ star: false, groupBy: [{ attribute: 'dept' }], orderBy: [{ order: 'desc' }] });
    expect(strip(q.selector!.limit)).toEqual(INT(2));
    expect(strip(q.selector!.offset)).toEqual(INT(1));
    expect(q.output).toBeUndefined();
    expect(q.pos).toEqual({ line: 1, column: 1, offset: 0 });
  });

  test('select is optional on reads', () => {
    const q = parseOnDemandQuery('from T');
    expect(strip(q)).toEqual({
      kind: 'OnDemandQuery',
      input: { kind: 'StoreInput', store: 'T' },
      selector: { kind: 'Selector', star: true, attributes: [], groupBy: [], orderBy: [] },
    });
    expect(parseOnDemandQuery('from T select *').selector!.star).toBe(true);
  });

  test('aggregation reads: alias, within, per', () => {
    const q = parseOnDemandQuery("from TradeAgg as a on a.sym == 'x' within 1700000040000L, 1700000160000L per 'minutes' select AGG_TIMESTAMP, a.sym");
    expect(strip(q.input)).toEqual({
      kind: 'StoreInput',
      store: 'TradeAgg',
      alias: 'a',
      on: BIN('==', V('sym', { streamRef: 'a' }), STR('x')),
      within: { kind: 'WithinRange', start: LONG(1700000040000), end: LONG(1700000160000) },
      per: STR('minutes'),
    });
    expect(strip(parseOnDemandQuery("from A within '2014-02-15 **:**:**' per 'days'").input!.within)).toEqual({
      kind: 'WithinRange',
      start: STR('2014-02-15 **:**:**'),
    });
  });

  test('insert a literal row', () => {
    const q = parseOnDemandQuery("select 10 as a, 'x' as b insert into T;");
    expect(q.input).toBeUndefined();
    expect(q.selector!.attributes.map(a => a.alias)).toEqual(['a', 'b']);
    expect(strip(q.output)).toEqual({ kind: 'InsertOutput', target: { kind: 'StreamId', id: 'T', isInner: false, isFault: false } });
  });

  test('delete with and without select', () => {
    const q = parseOnDemandQuery('delete KV on KV.v >= 2');
    expect(q.selector).toBeUndefined();
    expect(strip(q.output)).toEqual({ kind: 'DeleteOutput', table: 'KV', on: BIN('>=', V('v', { streamRef: 'KV' }), INT(2)) });
    const q2 = parseOnDemandQuery("select 'b' as k delete KV for current events on KV.k == k");
    expect(q2.selector!.attributes).toHaveLength(1);
    expect(q2.output).toMatchObject({ kind: 'DeleteOutput', eventType: 'CURRENT' });
  });

  test('update with set, with and without select', () => {
    const q = parseOnDemandQuery("update KV set KV.v = KV.v * 10 on KV.k == 'b'");
    expect(strip(q.output)).toEqual({
      kind: 'UpdateOutput',
      table: 'KV',
      set: [{ kind: 'SetAssignment', target: V('v', { streamRef: 'KV' }), value: BIN('*', V('v', { streamRef: 'KV' }), INT(10)) }],
      on: BIN('==', V('k', { streamRef: 'KV' }), STR('b')),
    });
    expect(parseOnDemandQuery("select 5 as v update KV set KV.v = v on KV.k == 'b'").output).toMatchObject({ kind: 'UpdateOutput' });
  });

  test('update or insert', () => {
    const q = parseOnDemandQuery("select 'x' as k, 2 as v update or insert into KV set KV.v = v on KV.k == k");
    expect(q.output).toMatchObject({ kind: 'UpdateOrInsertOutput', table: 'KV', set: [{ target: { attribute: 'v' } }] });
    expect(parseOnDemandQuery("select 'x' as k update or insert into KV on KV.k == k").output).toMatchObject({ kind: 'UpdateOrInsertOutput' });
  });

  test('from ... with a write action', () => {
    const q = parseOnDemandQuery('from T on T.a > 1 select a, 1 as b update T set T.b = b on T.a == a');
    expect(q.input!.store).toBe('T');
    expect(q.selector!.attributes).toHaveLength(2);
    expect(q.output!.kind).toBe('UpdateOutput');
    const d = parseOnDemandQuery('from T on a > 1 delete T on T.a == 1');
    expect(d.selector).toBeUndefined();
    expect(d.output!.kind).toBe('DeleteOutput');
  });

  test('return and inner streams are rejected', () => {
    expect(() => parseOnDemandQuery('from T return')).toThrow(/return/);
    expect(() => parseOnDemandQuery('select 1 as a insert into #S')).toThrow(/table/);
  });

  test('syntax errors are reported with positions', () => {
    const e = parseError(() => parseOnDemandQuery('from T select a,\n  order by a'));
    expect(e.diagnostics[0]!.pos.line).toBe(2);
  });

  test('env substitution in on-demand queries', () => {
    const q = parseOnDemandQuery('from ${TABLE} select *', { env: n => (n === 'TABLE' ? 'Staff' : undefined) });
    expect(q.input!.store).toBe('Staff');
  });

  test('the queries of a case parse as elements of an app too', () => {
    const app = parseApp('define table T (a int); from T select a insert into O;');
    expect((app.elements[0] as Query).input.kind).toBe('SingleInput');
  });
});
