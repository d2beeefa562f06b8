import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import { longAdd, longSub, longToDouble, type Long } from '../../kernel/java-num';
import { decodeValue, encodeValue } from '../../state/value-codec';
import type { Json } from '../../state/json';
import { NUMERIC, optional, param, value, type AggregateFunction, type BoundArgs, type ParamSpec, type Signature } from '../descriptor';
import { registry } from '../registry';
import type { Aggregator } from '../../plan/operators';
import { array, int, literal, nullable, num, numeric, oneOf, refine, tuple, value as valueShape } from '../../state/shape';

/** `[sum, count]`, with a third `true` while the count is 0 after an add (see SumAgg). */
const SUM = oneOf(tuple(numeric(), int()), tuple(numeric(), int(), literal(true)));
const COUNT = int();
const DEQUE = array(numeric());
const BEST = nullable(numeric());
const STDDEV = tuple(int(), num(), num());
const TWO_COUNTS = tuple(int(), int());
/** Counts by value: each value once (they restore into a map). */
const COUNTS = refine(array(tuple(valueShape(), int())), (pairs: [Json, number][]) =>
  new Map(pairs.map(([v]) => [countKey(decodeValue(v)), 0])).size === pairs.length ? null : 'a value counted twice',
);

const NUMBER_ARG: Signature = [param('arg', value(...NUMERIC))];
const SET_ARG: ParamSpec = { ...param('set', value('OBJECT')), note: 'a set made by createSet()' };

/** The type of the (checked) argument. */
const argType = (args: BoundArgs): AttrType => args.all[0].type;

/** Sum of INT or LONG values as an exact long (Java's long sum); of FLOAT or DOUBLE as a double. */
/**
 * Siddhi's sum answers what its last operation returned: an add the sum, a remove the sum or null
 * when the count is back at 0. The count only reaches 0 by an add after it went negative (a join's
 * RESET cleared the group, then the other side's window expired events), and then the sum stands.
 */
class SumAgg implements Aggregator {
  sum: Long = 0;
  n = 0;
  private zeroByAdd = false;
  readonly shape = SUM;
  constructor(private readonly integral: boolean) {}
  add(v: Value) {
    // A null changes nothing but answers the current value: null at count 0.
    this.zeroByAdd = false;
    if (v === null) return;
    this.sum = this.integral ? longAdd(this.sum, v as Long) : (this.sum as number) + longToDouble(v as Long);
    this.n++;
    this.zeroByAdd = this.n === 0;
  }
  remove(v: Value) {
    this.zeroByAdd = false;
    if (v === null) return;
    this.sum = this.integral ? longSub(this.sum, v as Long) : (this.sum as number) - longToDouble(v as Long);
    this.n--;
  }
  reset() {
    this.sum = 0;
    this.n = 0;
    this.zeroByAdd = false;
  }
  value(): Value {
    return this.n === 0 && !this.zeroByAdd ? null : this.sum;
  }
  snapshot(): Json {
    return this.zeroByAdd ? [encodeValue(this.sum), this.n, true] : [encodeValue(this.sum), this.n];
  }
  restore(j: Json) {
    const [sum, n, zeroByAdd] = j as [Json, number, true?];
    this.sum = decodeValue(sum) as Long;
    this.n = n;
    this.zeroByAdd = zeroByAdd === true;
  }
}

/** Siddhi averages INT and LONG values over a double sum. */
class AvgAgg extends SumAgg {
  constructor() {
    super(false);
  }
  override value(): Value {
    return this.n === 0 ? null : (this.sum as number) / this.n;
  }
}

class CountAgg implements Aggregator {
  readonly shape = COUNT;
  n = 0;
  add() {
    this.n++;
  }
  remove() {
    this.n--;
  }
  reset() {
    this.n = 0;
  }
  value(): Value {
    return this.n;
  }
  snapshot(): Json {
    return this.n;
  }
  restore(j: Json) {
    this.n = j as number;
  }
}

/**
 * min/max under expiry without rescanning: a monotonic deque of candidates. Windows expire events
 * in arrival order, so a removed value is either the head candidate or was already dominated.
 */
class ExtremeAgg implements Aggregator {
  readonly shape = DEQUE;
  /** Numbers, or exact LONGs (bigints compare with numbers by value). */
  deque: (number | bigint)[] = [];
  head = 0;
  constructor(private readonly isMax: boolean) {}
  add(v: Value) {
    if (v === null) return;
    const x = v as number | bigint;
    const d = this.deque;
    while (d.length > this.head && (this.isMax ? d[d.length - 1] < x : d[d.length - 1] > x)) d.pop();
    d.push(x);
  }
  remove(v: Value) {
    if (v === null) return;
    if (this.deque.length > this.head && this.deque[this.head] === v) {
      this.head++;
      if (this.head > 64 && this.head * 2 > this.deque.length) {
        this.deque = this.deque.slice(this.head);
        this.head = 0;
      }
    }
  }
  reset() {
    this.deque = [];
    this.head = 0;
  }
  value(): Value {
    return this.deque.length > this.head ? this.deque[this.head] : null;
  }
  snapshot(): Json {
    return this.deque.slice(this.head).map(encodeValue);
  }
  restore(j: Json) {
    this.deque = (j as Json[]).map(x => decodeValue(x) as number | bigint);
    this.head = 0;
  }
}

class ForeverAgg implements Aggregator {
  readonly shape = BEST;
  best: number | bigint | null = null;
  constructor(private readonly isMax: boolean) {}
  add(v: Value) {
    if (v === null) return;
    const x = v as number | bigint;
    if (this.best === null || (this.isMax ? x > this.best : x < this.best)) this.best = x;
  }
  remove(v: Value) {
    this.add(v);
  }
  reset() {}
  value(): Value {
    return this.best;
  }
  snapshot(): Json {
    return this.best === null ? null : encodeValue(this.best);
  }
  restore(j: Json) {
    this.best = decodeValue(j) as number | bigint | null;
  }
}

/** Population standard deviation, Welford's update (with its inverse for expiry). */
class StdDevAgg implements Aggregator {
  readonly shape = STDDEV;
  n = 0;
  mean = 0;
  m2 = 0;
  add(v: Value) {
    if (v === null) return;
    const x = longToDouble(v as Long);
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
  }
  remove(v: Value) {
    if (v === null) return;
    const x = longToDouble(v as Long);
    if (this.n <= 1) return this.reset();
    const meanBefore = (this.n * this.mean - x) / (this.n - 1);
    this.m2 -= (x - this.mean) * (x - meanBefore);
    this.mean = meanBefore;
    this.n--;
    if (this.m2 < 0) this.m2 = 0;
  }
  reset() {
    this.n = 0;
    this.mean = 0;
    this.m2 = 0;
  }
  value(): Value {
    if (this.n === 0) return null;
    return this.n === 1 ? 0 : Math.sqrt(this.m2 / this.n);
  }
  snapshot(): Json {
    return [this.n, this.mean, this.m2];
  }
  restore(j: Json) {
    [this.n, this.mean, this.m2] = j as [number, number, number];
  }
}

/**
 * Java's -0.0 is a value of its own (Double.equals tells it from 0.0), where a Map would merge
 * the two: it is counted under this key.
 */
const NEGATIVE_ZERO = Symbol('-0.0');
type CountKey = Value | typeof NEGATIVE_ZERO;
const countKey = (v: Value): CountKey => (v === 0 && Object.is(v, -0) ? NEGATIVE_ZERO : v);
const valueOfKey = (k: CountKey): Value => (k === NEGATIVE_ZERO ? -0 : k);

/** Counts of each value currently in scope (for distinctCount and unionSet). */
class CountMap {
  counts = new Map<CountKey, number>();
  inc(v: Value) {
    const k = countKey(v);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
  dec(v: Value) {
    const k = countKey(v);
    const c = this.counts.get(k);
    if (c === undefined) return;
    if (c <= 1) this.counts.delete(k);
    else this.counts.set(k, c - 1);
  }
  values(): Value[] {
    return [...this.counts.keys()].map(valueOfKey);
  }
  snapshot(): Json {
    return [...this.counts].map(([k, c]) => [encodeValue(valueOfKey(k)), c]);
  }
  restore(j: Json) {
    this.counts = new Map((j as [Json, number][]).map(([v, c]) => [countKey(decodeValue(v)), c]));
  }
}

class DistinctCountAgg implements Aggregator {
  readonly shape = COUNTS;
  m = new CountMap();
  // Null is one distinct value, as in Siddhi (its counts are a map keyed by the value).
  add(v: Value) {
    this.m.inc(v);
  }
  remove(v: Value) {
    this.m.dec(v);
  }
  reset() {
    this.m.counts.clear();
  }
  value(): Value {
    return this.m.counts.size;
  }
  snapshot(): Json {
    return this.m.snapshot();
  }
  restore(j: Json) {
    this.m.restore(j);
  }
}

class UnionSetAgg implements Aggregator {
  readonly shape = COUNTS;
  m = new CountMap();
  add(v: Value) {
    if (v instanceof Set) for (const x of v) this.m.inc(x as Value);
  }
  remove(v: Value) {
    if (v instanceof Set) for (const x of v) this.m.dec(x as Value);
  }
  reset() {
    this.m.counts.clear();
  }
  value(): Value {
    return new Set(this.m.values());
  }
  snapshot(): Json {
    return this.m.snapshot();
  }
  restore(j: Json) {
    this.m.restore(j);
  }
}

class BoolAgg implements Aggregator {
  readonly shape = TWO_COUNTS;
  trues = 0;
  falses = 0;
  constructor(private readonly isAnd: boolean) {}
  add(v: Value) {
    if (v === true) this.trues++;
    else if (v === false) this.falses++;
  }
  remove(v: Value) {
    if (v === true) this.trues--;
    else if (v === false) this.falses--;
  }
  reset() {
    this.trues = 0;
    this.falses = 0;
  }
  value(): Value {
    return this.isAnd ? this.trues > 0 && this.falses === 0 : this.trues > 0;
  }
  snapshot(): Json {
    return [this.trues, this.falses];
  }
  restore(j: Json) {
    [this.trues, this.falses] = j as [number, number];
  }
}

function doc(name: string, signature: Signature, returns: string, description: string, example: string) {
  return { kind: 'aggregate' as const, name, signatures: [signature], returns, description, example };
}

const sum: AggregateFunction = {
  ...doc('sum', NUMBER_ARG, 'LONG for INT/LONG, DOUBLE for FLOAT/DOUBLE', 'Sum of the values in scope, nulls ignored; null when none.', 'from S#window.length(10) select sum(price) as total insert into Out;'),
  plan(args) {
    const t = argType(args);
    const integral = t === 'INT' || t === 'LONG';
    return { type: integral ? 'LONG' : 'DOUBLE', create: () => new SumAgg(integral) };
  },
};

const count: AggregateFunction = {
  ...doc('count', [optional('arg', 'none', value())], 'LONG', 'Number of events in scope, including those whose argument is null.', 'from S#window.time(1 min) select count() as n insert into Out;'),
  plan: () => ({ type: 'LONG', create: () => new CountAgg() }),
};

const avg: AggregateFunction = {
  ...doc('avg', NUMBER_ARG, 'DOUBLE', 'Average of the values in scope, nulls ignored; null when none.', 'from S#window.length(10) select avg(price) as a insert into Out;'),
  plan: () => ({ type: 'DOUBLE', create: () => new AvgAgg() }),
};

function extreme(name: 'max' | 'min'): AggregateFunction {
  return {
    ...doc(name, NUMBER_ARG, 'the argument type', `${name === 'max' ? 'Largest' : 'Smallest'} value in scope; null when none.`, `from S#window.length(10) select ${name}(price) as m insert into Out;`),
    plan: args => ({ type: argType(args), create: () => new ExtremeAgg(name === 'max') }),
  };
}

function forever(name: 'maxForever' | 'minForever'): AggregateFunction {
  return {
    ...doc(name, NUMBER_ARG, 'the argument type', `${name === 'maxForever' ? 'Largest' : 'Smallest'} value ever seen, ignoring expiry and resets.`, `from S select ${name}(price) as m insert into Out;`),
    plan: args => ({ type: argType(args), create: () => new ForeverAgg(name === 'maxForever'), survivesReset: true }),
  };
}

const stdDev: AggregateFunction = {
  ...doc('stdDev', NUMBER_ARG, 'DOUBLE', 'Population standard deviation of the values in scope; 0.0 for one value, null when none.', 'from S#window.length(10) select stdDev(price) as sd insert into Out;'),
  plan: () => ({ type: 'DOUBLE', create: () => new StdDevAgg() }),
};

const distinctCount: AggregateFunction = {
  ...doc('distinctCount', [param('arg', value('INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BOOL'))], 'LONG', 'Number of distinct values in scope; null counts as one value.', 'from S#window.time(1 hour) select distinctCount(user) as users insert into Out;'),
  plan: () => ({ type: 'LONG', create: () => new DistinctCountAgg() }),
};

function boolean(name: 'and' | 'or'): AggregateFunction {
  return {
    ...doc(name, [param('arg', value('BOOL'))], 'BOOL', name === 'and' ? 'True when at least one value in scope is true and none is false.' : 'True when any value in scope is true.', `from S#window.length(5) select ${name}(ok) as v insert into Out;`),
    plan: () => ({ type: 'BOOL', create: () => new BoolAgg(name === 'and') }),
  };
}

const unionSet: AggregateFunction = {
  ...doc('unionSet', [SET_ARG], 'OBJECT', 'Union of the sets in scope (pair with createSet() and sizeOfSet()).', 'from S#window.lengthBatch(10) select unionSet(createSet(user)) as users insert into Out;'),
  plan: () => ({ type: 'OBJECT', create: () => new UnionSetAgg() }),
};

/** Core aggregate functions by name. */
export const aggregateFunctions: ReadonlyMap<string, AggregateFunction> = registry([
  sum,
  count,
  avg,
  extreme('max'),
  extreme('min'),
  forever('maxForever'),
  forever('minForever'),
  stdDev,
  distinctCount,
  boolean('and'),
  boolean('or'),
  unionSet,
]);
