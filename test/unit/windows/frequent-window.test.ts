import { compileApp } from '../../../core';
import { frequencyKey, JavaHashOrder, javaStringHash } from '../../../core/builtins/windows/java-hash-order';
import { runSteps, type Row } from '../../helpers/run-steps';

const run = runSteps;

const keys = (...ks: string[]): Row[] => ks.map((k, i) => ['S', i + 1, [k]]);

describe.each([false, true])('frequent window (restore after every event: %s)', restore => {
  test('frequent(2, cat) keeps the two most frequent keys; a new key takes a count off each', () => {
    // Prepare
    const app = 'define stream S (cat string, v int); from S#window.frequent(2, cat) select cat, v insert all events into Out;';
    const events: Row[] = [
      ['S', 1000, ['x', 1]],
      ['S', 1100, ['y', 2]],
      ['S', 1200, ['x', 3]],
      ['S', 1300, ['z', 4]],
      ['S', 1400, ['z', 5]],
      ['S', 1500, ['w', 6]],
    ];
    // Act
    const out = run(app, ['Out'], events, restore);
    // Assess: the expired event is the latest of its key, before the arrival
    expect(out).toEqual([
      ['Out', 1000, ['x', 1]],
      ['Out', 1100, ['y', 2]],
      ['Out', 1200, ['x', 3]],
      ['Out', 1300, ['y', 2]],
      ['Out', 1300, ['z', 4]],
      ['Out', 1400, ['z', 5]],
      ['Out', 1500, ['x', 3]],
      ['Out', 1500, ['w', 6]],
    ]);
  });

  test('keys expiring together go in the order of the Java hash map, not of arrival', () => {
    // Prepare: "a" hashes to bin 1 and "b" to bin 2
    const app = 'define stream S (k string); from S#window.frequent(2) select k insert all events into Out;';
    // Act
    const out = run(app, ['Out'], keys('b', 'a', 'c'), restore);
    // Assess
    expect(out.map(r => r[2][0])).toEqual(['b', 'a', 'a', 'b', 'c']);
  });

  test('a new key that frees no place is dropped; it enters once a count reaches zero', () => {
    // Prepare
    const app = 'define stream S (k string); from S#window.frequent(1, k) select k insert all events into Out;';
    // Act
    const out = run(app, ['Out'], keys('x', 'x', 'y', 'y', 'z'), restore);
    // Assess: y at 3 takes x to 1 and is dropped; y at 4 expires x and enters; z expires y and enters
    expect(out).toEqual([
      ['Out', 1, ['x']],
      ['Out', 2, ['x']],
      ['Out', 4, ['x']],
      ['Out', 4, ['y']],
      ['Out', 5, ['y']],
      ['Out', 5, ['z']],
    ]);
  });

  test('without attributes the key is all values as Java strings, concatenated', () => {
    // Prepare: ("a", "bc") and ("ab", "c") both have the key "abc"
    const app = 'define stream S (a string, b string); from S#window.frequent(1) select a, b insert all events into Out;';
    const events: Row[] = [
      ['S', 1, ['a', 'bc']],
      ['S', 2, ['ab', 'c']],
      ['S', 3, ['x', 'y']],
    ];
    // Act
    const out = run(app, ['Out'], events, restore);
    // Assess: the second is a known key; x,y only lowers its count to 1 and is dropped
    expect(out).toEqual([
      ['Out', 1, ['a', 'bc']],
      ['Out', 2, ['ab', 'c']],
    ]);
  });

  test('an aggregate over the window: arrivals of held keys add, expiries remove', () => {
    // Prepare
    const app = 'define stream S (k string, v int); from S#window.frequent(1, k) select count() as n insert into Out;';
    const events: Row[] = [
      ['S', 1, ['a', 1]],
      ['S', 2, ['a', 2]],
      ['S', 3, ['b', 3]],
      ['S', 4, ['b', 4]],
    ];
    // Act
    const out = run(app, ['Out'], events, restore);
    // Assess
    expect(out.map(r => r[2][0])).toEqual([1, 2, 2]);
  });
});

describe('frequent window parameters', () => {
  test.each([
    ['no parameter', 'frequent()', "needs an 'event.count' parameter"],
    ['a double count', 'frequent(2.5, k)', "'event.count' parameter must be a constant int, found a constant double"],
    ['an expression as key', 'frequent(2, v + 1)', "'attribute' parameter must be an attribute of the input stream, found an expression of type int"],
    ['a constant as key', "frequent(2, 'k')", "'attribute' parameter must be an attribute of the input stream, found a constant string"],
  ])('%s is rejected', (_what, window, message) => {
    // Prepare
    const app = `define stream S (k string, v int); from S#window.${window} select v insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow(message);
  });
});

describe('Java hash map order', () => {
  test("String.hashCode and Java's String.valueOf of attribute values", () => {
    // Act and assess
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('Aa')).toBe(javaStringHash('BB'));
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
    expect(frequencyKey(['a', 1, null, 2, true, 0.5, 3], [0, 1, 2, 3, 4, 5, 6], ['STRING', 'DOUBLE', 'INT', 'LONG', 'BOOL', 'FLOAT', 'INT'])).toBe('a1.0null2true0.53');
  });

  test('doubling the table splits a bin into the reversed keys before its last run, then that run', () => {
    // Prepare: A, Q, a, q share bin 1 of 16; Q and q move to bin 17 of 32. B..I fill bins 2..9.
    const order = new JavaHashOrder();
    const inserted = ['A', 'Q', 'a', 'q', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
    for (const k of inserted) order.add(k);
    expect(order.keys()).toEqual(['A', 'Q', 'a', 'q', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
    // Act: the 12th key reaches 3/4 of 16
    order.add('I');
    // Assess
    expect(order.capacity).toBe(32);
    expect(order.keys()).toEqual(['a', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'Q', 'q']);
  });

  test('a map rebuilt from its capacity and key order goes on like the original', () => {
    // Prepare
    const order = new JavaHashOrder();
    for (const k of ['A', 'Q', 'a', 'q', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I']) order.add(k);
    order.remove('C');
    // Act
    const copy = JavaHashOrder.of(order.capacity, order.keys());
    for (const m of [order, copy]) {
      m.add('1');
      m.add('!');
    }
    // Assess
    expect(copy.keys()).toEqual(order.keys());
  });

  test('a ninth key in one bin of a small table grows the table instead of making a tree', () => {
    // Prepare: keys whose hashes are 1 apart by multiples of 64 share bin 1 of 16, 32 and 64
    const order = new JavaHashOrder();
    const same = Array.from({ length: 9 }, (_, i) => String.fromCharCode(1 + 64 * i));
    // Act
    for (const k of same) order.add(k);
    // Assess: 16 -> 128 (tryPresize(32) doubles until 3/4 of the table exceeds 64)
    expect(order.capacity).toBe(128);
  });
});
