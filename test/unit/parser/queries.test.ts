import type { AnonymousInput, JoinInput, Query, SingleInput } from '../../../core/ast/nodes';
import { BIN, INT, STR, TIME, V, parseApp, parseError, query, strip } from './helpers';

const single = (q: Query): SingleInput => {
  expect(q.input.kind).toBe('SingleInput');
  return q.input as SingleInput;
};

describe('single stream input', () => {
  test('filters, stream functions and windows in any order, with an alias', () => {
    const q = query("from A[a > 1]#window.length(5)[a < 9]#log('x')#str:tokenize(a)#[a != 3]#window.unique:time(a, 1 sec) as s select s.a insert into Out;");
    const i = single(q);
    expect(i.stream).toMatchObject({ id: 'A', isInner: false, isFault: false });
    expect(i.alias).toBe('s');
    expect(strip(i.handlers)).toEqual([
      { kind: 'Filter', condition: BIN('>', V('a'), INT(1)) },
      { kind: 'Window', name: 'length', args: [INT(5)] },
      { kind: 'Filter', condition: BIN('<', V('a'), INT(9)) },
      { kind: 'StreamFunction', name: 'log', args: [STR('x')] },
      { kind: 'StreamFunction', namespace: 'str', name: 'tokenize', args: [V('a')] },
      { kind: 'Filter', condition: BIN('!=', V('a'), INT(3)) },
      { kind: 'Window', namespace: 'unique', name: 'time', args: [V('a'), TIME(1000)] },
    ]);
  });

  test('positions: query, input, handlers', () => {
    const app = parseApp("define stream A (a int);\n@info(name='q')\nfrom A[a > 1]#window.time(1 min)\nselect a insert into Out;");
    const q = app.elements[0] as Query;
    expect(q.pos).toEqual({ line: 2, column: 1, offset: 25 });
    expect(q.annotations[0]!.elements[0]).toMatchObject({ key: 'name', value: 'q' });
    const i = single(q);
    expect(i.pos).toEqual({ line: 3, column: 6, offset: 46 });
    expect(i.handlers[0]!.pos).toEqual({ line: 3, column: 7, offset: 47 });
    expect(i.handlers[1]!.pos).toEqual({ line: 3, column: 14, offset: 54 });
    expect(q.selector.pos).toEqual({ line: 4, column: 1, offset: 74 });
    expect(q.output.pos).toEqual({ line: 4, column: 10, offset: 83 });
  });

  test('inner and fault streams', () => {
    expect(single(query('from #Inner select a insert into Out;')).stream).toMatchObject({ id: 'Inner', isInner: true, isFault: false });
    expect(single(query('from !A select a, _error insert into Out;')).stream).toMatchObject({ id: 'A', isInner: false, isFault: true });
  });
});

describe('joins', () => {
  test.each([
    ['join', 'INNER'],
    ['inner join', 'INNER'],
    ['left outer join', 'LEFT_OUTER'],
    ['right outer join', 'RIGHT_OUTER'],
    ['full outer join', 'FULL_OUTER'],
    ['outer join', 'FULL_OUTER'],
    ['LEFT OUTER JOIN', 'LEFT_OUTER'],
  ])('%s → %s', (text, type) => {
    const q = query(`from A#window.length(2) ${text} B#window.length(2) on A.a == B.b select * insert into Out;`);
    const j = q.input as JoinInput;
    expect(j.kind).toBe('JoinInput');
    expect(j.joinType).toBe(type);
    expect(strip(j.on)).toEqual(BIN('==', V('a', { streamRef: 'A' }), V('b', { streamRef: 'B' })));
  });

  test('aliases, unidirectional on either side, no condition', () => {
    const j = query('from A#window.length(3) as x unidirectional join B#window.time(1 sec) as y select x.a, y.b insert into Out;').input as JoinInput;
    expect(j.left).toMatchObject({ alias: 'x', unidirectional: true, stream: { id: 'A' } });
    expect(j.right).toMatchObject({ alias: 'y', stream: { id: 'B' } });
    expect(j.right.unidirectional).toBeUndefined();
    expect(j.on).toBeUndefined();
    const j2 = query('from A join B unidirectional on a == b select * insert into Out;').input as JoinInput;
    expect(j2.left.unidirectional).toBeUndefined();
    expect(j2.right.unidirectional).toBe(true);
    expect(j2.left.handlers).toEqual([]);
  });

  test('aggregation join with within and per', () => {
    const j = query("from A join Agg on A.a == Agg.a within A.from1, A.to1 per 'minutes' select * insert into Out;").input as JoinInput;
    expect(strip(j.within)).toEqual({ kind: 'WithinRange', start: V('from1', { streamRef: 'A' }), end: V('to1', { streamRef: 'A' }) });
    expect(strip(j.per)).toEqual(STR('minutes'));
    const j2 = query("from A join Agg within '2014-02-15 **:**:**' per 'days' select * insert into Out;").input as JoinInput;
    expect(strip(j2.within)).toEqual({ kind: 'WithinRange', start: STR('2014-02-15 **:**:**') });
    expect(j2.within!.pos).toEqual({ line: 2, column: 17, offset: 115 });
  });

  test('join position is the left side', () => {
    const j = query('from  A join B select * insert into Out;').input as JoinInput;
    expect(j.pos).toEqual(j.left.pos);
    expect(j.pos.column).toBe(7);
  });
});

describe('select clause', () => {
  test('no select clause means select *', () => {
    const q = query('from A insert into Out;');
    expect(strip(q.selector)).toEqual({ kind: 'Selector', star: true, attributes: [], groupBy: [], orderBy: [] });
  });

  test('select * and attribute lists', () => {
    expect(query('from A select * insert into Out;').selector).toMatchObject({ star: true, attributes: [] });
    const s = query('from A select a, a * 2 as b, count() as c insert into Out;').selector;
    expect(s.star).toBe(false);
    expect(strip(s.attributes)).toEqual([
      { kind: 'OutputAttribute', expression: V('a') },
      { kind: 'OutputAttribute', alias: 'b', expression: BIN('*', V('a'), INT(2)) },
      { kind: 'OutputAttribute', alias: 'c', expression: { kind: 'FunctionCall', name: 'count', args: [] } },
    ]);
  });

  test('group by, having, order by, limit, offset', () => {
    const s = query('from A select a, A.b, sum(c) as s group by a, A.b having s > 10 order by s desc, a, A.b asc limit 10 offset 5 insert into Out;').selector;
    expect(strip(s.groupBy)).toEqual([V('a'), V('b', { streamRef: 'A' })]);
    expect(strip(s.having)).toEqual(BIN('>', V('s'), INT(10)));
    expect(strip(s.orderBy)).toEqual([
      { kind: 'OrderByItem', variable: V('s'), order: 'desc' },
      { kind: 'OrderByItem', variable: V('a'), order: 'asc' },
      { kind: 'OrderByItem', variable: V('b', { streamRef: 'A' }), order: 'asc' },
    ]);
    expect(strip(s.limit)).toEqual(INT(10));
    expect(strip(s.offset)).toEqual(INT(5));
  });

  test('clauses out of order are syntax errors', () => {
    expect(() => query('from A select a limit 1 order by a insert into Out;')).toThrow();
    expect(() => query('from A select a having a > 1 group by a insert into Out;')).toThrow();
  });

  test('group by needs attribute references', () => {
    expect(() => query('from A select a group by a + 1 insert into Out;')).toThrow(/group by/);
  });
});

describe('output rate', () => {
  test.each([
    ['output every 5 events', { kind: 'EventsRate', type: 'ALL', count: 5 }],
    ['output all every 2 events', { kind: 'EventsRate', type: 'ALL', count: 2 }],
    ['output first every 3 events', { kind: 'EventsRate', type: 'FIRST', count: 3 }],
    ['output last every 4 events', { kind: 'EventsRate', type: 'LAST', count: 4 }],
    ['output every 1 sec', { kind: 'TimeRate', type: 'ALL', millis: 1000 }],
    ['output first every 1 min 30 sec', { kind: 'TimeRate', type: 'FIRST', millis: 90_000 }],
    ['output last every 2 hours', { kind: 'TimeRate', type: 'LAST', millis: 7_200_000 }],
    ['output snapshot every 2 sec', { kind: 'SnapshotRate', millis: 2000 }],
    ['OUTPUT LAST EVERY 2 EVENTS', { kind: 'EventsRate', type: 'LAST', count: 2 }],
  ])('%s', (text, rate) => {
    expect(strip(query(`from A select a ${text} insert into Out;`).outputRate)).toEqual(rate);
  });

  test('rate position and absence', () => {
    const q = query('from A select a output every 5 events insert into Out;');
    expect(q.outputRate!.pos).toEqual({ line: 2, column: 17, offset: 115 });
    expect(query('from A select a insert into Out;').outputRate).toBeUndefined();
  });

  test('snapshot by events is a syntax error', () => {
    const e = parseError(() => query('from A select a output snapshot every 3 events insert into Out;'));
    expect(e.diagnostics[0]!.message).toBe("mismatched input 'events', expecting a time unit");
  });
});

describe('output actions', () => {
  test('insert into, with event types, into inner streams', () => {
    expect(strip(query('from A insert into Out;').output)).toEqual({
      kind: 'InsertOutput',
      target: { kind: 'StreamId', id: 'Out', isInner: false, isFault: false },
    });
    expect(query('from A insert current events into Out;').output).toMatchObject({ kind: 'InsertOutput', eventType: 'CURRENT' });
    expect(query('from A insert expired events into Out;').output).toMatchObject({ kind: 'InsertOutput', eventType: 'EXPIRED' });
    expect(query('from A insert all events into Out;').output).toMatchObject({ kind: 'InsertOutput', eventType: 'ALL' });
    expect(query('from A insert into #Inner;').output).toMatchObject({ target: { id: 'Inner', isInner: true } });
  });

  test('delete', () => {
    expect(strip(query('from A delete T on T.a == a;').output)).toEqual({
      kind: 'DeleteOutput',
      table: 'T',
      on: BIN('==', V('a', { streamRef: 'T' }), V('a')),
    });
    expect(query('from A delete T for expired events on T.a == a;').output).toMatchObject({ kind: 'DeleteOutput', eventType: 'EXPIRED' });
  });

  test('update with and without set', () => {
    expect(strip(query("from A select a, 'x' as b update T for all events set T.a = a + 1, T.b = b on T.a == a;").output)).toEqual({
      kind: 'UpdateOutput',
      table: 'T',
      eventType: 'ALL',
      set: [
        { kind: 'SetAssignment', target: V('a', { streamRef: 'T' }), value: BIN('+', V('a'), INT(1)) },
        { kind: 'SetAssignment', target: V('b', { streamRef: 'T' }), value: V('b') },
      ],
      on: BIN('==', V('a', { streamRef: 'T' }), V('a')),
    });
    const u = query('from A update T on T.a == a;').output;
    expect(u).toMatchObject({ kind: 'UpdateOutput', table: 'T' });
    expect('set' in u && u.set).toBeFalsy();
  });

  test('update or insert into', () => {
    expect(strip(query('from A update or insert into T set T.a = a on T.a == a;').output)).toEqual({
      kind: 'UpdateOrInsertOutput',
      table: 'T',
      set: [{ kind: 'SetAssignment', target: V('a', { streamRef: 'T' }), value: V('a') }],
      on: BIN('==', V('a', { streamRef: 'T' }), V('a')),
    });
    expect(query('from A update or insert into T for current events on T.a == a;').output).toMatchObject({
      kind: 'UpdateOrInsertOutput',
      eventType: 'CURRENT',
    });
  });

  test('a table may be named like a keyword', () => {
    const app = parseApp('define stream A (a int); define table or (a int); from A update or on or.a == a;');
    expect((app.elements[0] as Query).output).toMatchObject({ kind: 'UpdateOutput', table: 'or' });
  });

  test('return', () => {
    expect(strip(query('from A return;').output)).toEqual({ kind: 'ReturnOutput' });
    expect(query('from A return expired events;').output).toMatchObject({ kind: 'ReturnOutput', eventType: 'EXPIRED' });
  });

  test('insert without into is a syntax error', () => {
    const e = parseError(() => query('from A select a insert Out;'));
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]!.message).toBe("missing 'into' at 'Out'");
  });
});

describe('anonymous input', () => {
  test('from (from ... return) ...', () => {
    const q = query('from (from A[a > 1] select a return) as s select s.a insert into Out;');
    const i = q.input as AnonymousInput;
    expect(i.kind).toBe('AnonymousInput');
    expect(i.alias).toBe('s');
    expect(i.query.input).toMatchObject({ kind: 'SingleInput', stream: { id: 'A' } });
    expect(i.query.output).toMatchObject({ kind: 'ReturnOutput' });
    expect(i.query.selector.attributes).toHaveLength(1);
  });
});
