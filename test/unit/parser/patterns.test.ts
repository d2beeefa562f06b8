import type { CountState, EveryState, NextState, StreamState } from '../../../core/ast/nodes';
import { BIN, V, parseError, query, show, state, strip } from './helpers';

describe('pattern vs sequence vs single input', () => {
  test.each([
    ['every e1=A -> e2=B', 'pattern'],
    ['e1=A -> e2=B', 'pattern'],
    ['A[a > 1] -> B', 'pattern'],
    ['every e1=A', 'pattern'],
    ['e1=A', 'pattern'],
    ['not A for 1 sec', 'pattern'],
    ['e1=A and e2=B', 'pattern'],
    ['every e1=A, e2=B', 'sequence'],
    ['e1=A, e2=B', 'sequence'],
    ['every e1=A+', 'sequence'],
    ['every (e1=A, e2=B), e3=C', 'sequence'],
  ])('%s is a %s', (text, type) => {
    expect(state(text).type).toBe(type);
  });

  test('a plain stream with filters and a window is a single input', () => {
    expect(query('from A[a > 1]#window.length(2) select a insert into Out;').input.kind).toBe('SingleInput');
  });

  test('mixing -> and , is an error', () => {
    const e = parseError(() => state('e1=A -> e2=B, e3=C'));
    expect(e.diagnostics[0]!.message).toContain("','");
  });

  test('+ * ? are only for sequences', () => {
    expect(() => state('e1=A+ -> e2=B')).toThrow(/only allowed in sequences/);
  });

  test('windows are not allowed on pattern elements', () => {
    expect(() => state('e1=A#window.length(2) -> e2=B')).toThrow(/window/);
  });
});

describe('patterns', () => {
  test.each([
    ['every e1=A -> e2=B', 'Next(Every(e1=A), e2=B)'],
    ['e1=A -> every e2=B', 'Next(e1=A, Every(e2=B))'],
    ['every (e1=A -> e2=B) -> e3=C', 'Next(Every(Next(e1=A, e2=B)), e3=C)'],
    ['e1=A -> e2=B -> e3=C', 'Next(Next(e1=A, e2=B), e3=C)'],
    ['e1=A -> (e2=B -> e3=C)', 'Next(e1=A, Next(e2=B, e3=C))'],
    ['every e1=A[a > 1] -> e2=B[b > e1.a]', 'Next(Every(e1=A[..]), e2=B[..])'],
    ["e1=A#log('x')[a > 1] -> B", 'Next(e1=A#log[..], B)'],
    ['e1=#I -> e2=!A', 'Next(e1=I, e2=A)'],
  ])('%s', (text, tree) => {
    expect(show(state(text).element)).toBe(tree);
  });

  test('counting: <n>, <n:m>, <n:>, <:m>', () => {
    expect(show(state('e1=A<2> -> e2=A<2:5> -> e3=A<2:> -> e4=A<:5> -> B').element)).toBe(
      "Next(Next(Next(Next(Count(e1=A, 2, 2, '<2>'), Count(e2=A, 2, 5, '<2:5>')), Count(e3=A, 2, ∞, '<2:>')), Count(e4=A, 0, 5, '<:5>')), B)",
    );
    const c = (state('every e1=A[a > 0]<1:3> -> e2=B').element as NextState).first as EveryState;
    const count = c.element as CountState;
    expect(count.kind).toBe('CountState');
    expect(count.element.input.handlers).toHaveLength(1);
    expect(count.max).toBe(3);
  });

  test('logical and / or', () => {
    expect(show(state('e1=A and e2=B -> e3=C').element)).toBe('Next((e1=A and e2=B), e3=C)');
    expect(show(state('every (e1=A or e2=B) -> e3=C').element)).toBe('Next(Every((e1=A or e2=B)), e3=C)');
    expect(show(state('every e1=A OR e2=B').element)).toBe('Every((e1=A or e2=B))');
  });

  test('absent elements', () => {
    expect(show(state('every e1=A -> not B[a == e1.a] for 1 sec').element)).toBe('Next(Every(e1=A), not B[..] for 1000)');
    expect(show(state('e1=A -> not B for 1 sec and e2=C').element)).toBe('Next(e1=A, (not B for 1000 and e2=C))');
    expect(show(state('not A for 1 sec -> e1=B').element)).toBe('Next(not A for 1000, e1=B)');
    expect(show(state('not A and e1=B').element)).toBe('(not A and e1=B)');
    expect(show(state('e1=A and not B').element)).toBe('(e1=A and not B)');
    expect(show(state('not A for 1 sec and not B for 2 sec').element)).toBe('(not A for 1000 and not B for 2000)');
    expect(show(state('not A for 1 sec or e1=B').element)).toBe('(not A for 1000 or e1=B)');
  });

  test('an absent element cannot carry a reference', () => {
    expect(() => state('not e1=A for 1 sec')).toThrow();
  });

  test('a trailing within applies to the whole pattern', () => {
    const s = state('every e1=A -> e2=B within 1 min');
    expect(show(s.element)).toBe('Next(Every(e1=A), e2=B)');
    expect(strip(s.within)).toEqual({ kind: 'Constant', type: 'LONG', value: 60_000, isTime: true });
    expect(state('every e1=A within 500 millisec').within!.value).toBe(500);
    expect(state('every (e1=A -> e2=B) within 2 sec').within!.value).toBe(2000);
  });

  test('within on elements and groups', () => {
    const s = state('every e1=A within 2 sec -> (e2=B -> e3=C) within 5 sec -> e4=D');
    expect(show(s.element)).toBe('Next(Next(Every(e1=A) within 2000, Next(e2=B, e3=C) within 5000), e4=D)');
    expect(s.within).toBeUndefined();
    expect(show(state('e1=A -> (e2=B -> e3=C within 1 sec)').element)).toBe('Next(e1=A, Next(e2=B, e3=C within 1000))');
    expect(show(state('e1=A within 1 sec -> e2=B<2> within 2 sec -> C').element)).toBe("Next(Next(e1=A within 1000, Count(e2=B, 2, 2, '<2>') within 2000), C)");
  });

  test('positions', () => {
    const s = state('every e1=A -> e2=B[b > e1.a]');
    const next = s.element as NextState;
    expect(s.pos).toEqual({ line: 2, column: 6, offset: 104 });
    expect(next.pos).toEqual(s.pos);
    expect(next.first.pos).toEqual(s.pos);
    expect((next.first as EveryState).element.pos).toEqual({ line: 2, column: 12, offset: 110 });
    const e2 = next.next as StreamState;
    expect(e2.pos).toEqual({ line: 2, column: 20, offset: 118 });
    expect(e2.input.pos).toEqual({ line: 2, column: 23, offset: 121 });
    expect(strip(e2.input.handlers[0])).toEqual({ kind: 'Filter', condition: BIN('>', V('b'), V('a', { streamRef: 'e1' })) });
  });

  test('select over refs with indexes', () => {
    const q = query('from every e1=A<2:> -> e2=B select e1[0].a as x, e1[last].a as y, e1[last-1].a as z, e2.b insert into Out;');
    expect(strip(q.selector.attributes.map(a => a.expression))).toEqual([
      V('a', { streamRef: 'e1', index: 0 }),
      V('a', { streamRef: 'e1', index: { kind: 'LastIndex', minus: 0 } }),
      V('a', { streamRef: 'e1', index: { kind: 'LastIndex', minus: 1 } }),
      V('b', { streamRef: 'e2' }),
    ]);
  });
});

describe('sequences', () => {
  test('quantifiers + * ? and counting', () => {
    const s = state('every e1=A, e2=B+, e3=C?, e4=A*, e5=B<2:5>');
    expect(s.type).toBe('sequence');
    expect(show(s.element)).toBe(
      "Next(Next(Next(Next(Every(e1=A), Count(e2=B, 1, ∞, '+')), Count(e3=C, 0, 1, '?')), Count(e4=A, 0, ∞, '*')), Count(e5=B, 2, 5, '<2:5>'))",
    );
  });

  test('quantifier after a filter', () => {
    expect(show(state('every e1=A[a > 10]+, e2=A[a <= 10]').element)).toBe("Next(Every(Count(e1=A[..], 1, ∞, '+')), e2=A[..])");
  });

  test('logical in a sequence and a trailing within', () => {
    const s = state('every e1=A, e2=B or e3=C within 1 sec');
    expect(show(s.element)).toBe('Next(Every(e1=A), (e2=B or e3=C))');
    expect(s.within!.value).toBe(1000);
  });

  test('count state fields', () => {
    const s = state('e1=A, e2=B+');
    const c = (s.element as NextState).next as CountState;
    expect(strip(c)).toMatchObject({ kind: 'CountState', min: 1, written: '+', element: { kind: 'StreamState', ref: 'e2' } });
    expect(c.max).toBeUndefined();
    expect(c.pos).toEqual(c.element.pos);
  });

  test('filters referring to earlier elements', () => {
    const s = state('every e1=A, e2=A[a > e1.a]');
    const e2 = (s.element as NextState).next as StreamState;
    expect(strip(e2.input.handlers)).toEqual([{ kind: 'Filter', condition: BIN('>', V('a'), V('a', { streamRef: 'e1' })) }]);
  });
});
