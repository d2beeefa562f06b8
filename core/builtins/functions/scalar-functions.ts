import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import type { Eval } from '../../kernel/eval-context';
import { toInt, toLong } from '../../kernel/java-num';
import { javaDoubleToString, javaFloatToString, parseJavaBool, parseJavaDouble, parseJavaFloat, parseJavaInt, parseJavaLong } from '../../kernel/java-text';
import { BuiltinArgError } from '../../errors/millrace-error';
import { constant, NUMERIC, param, value, type ArgInfo, type ParamSpec, type ScalarFunction } from '../descriptor';
import { registry } from '../registry';

const lower = (t: AttrType) => t.toLowerCase();

/** The one type of all the arguments (the signature asks for at least one). */
function sameType(args: readonly ArgInfo[], message: string): AttrType {
  const t = args[0].type;
  for (const a of args) if (a.type !== t) throw new BuiltinArgError(message);
  return t;
}

/** A parameter taking any number of values, at least one. */
const values = (...types: AttrType[]): ParamSpec => ({ name: 'value', forms: [value(...types)], repeated: true });
const ANY_ARG = [param('arg', value())];
const TYPE_NAME = (what: string) => [param('value', value()), { ...param('to', constant('STRING')), note: what }];

/** Java's String.valueOf for a value of a known Siddhi type. */
export function javaToString(v: Value, type: AttrType): string | null {
  if (v === null) return null;
  switch (type) {
    case 'DOUBLE':
      return javaDoubleToString(v as number);
    case 'FLOAT':
      return javaFloatToString(v as number);
    case 'OBJECT':
      if (typeof v === 'number') return Number.isInteger(v) ? String(v) : javaDoubleToString(v);
      if (v instanceof Error) return `message : ${v.message}, cause : null`;
      if (v instanceof Set) return `[${[...v].join(', ')}]`;
      if (Array.isArray(v)) return `[${v.join(', ')}]`;
      return String(v);
    default:
      return String(v);
  }
}

const CONVERT_TARGETS = ['STRING', 'INT', 'LONG', 'FLOAT', 'DOUBLE', 'BOOL'] as const;

function converter(from: AttrType, to: AttrType): (v: Value) => Value {
  if (from === to) return v => v;
  // A LONG beyond 2^53 (a bigint) converts through its nearest double, as Java's casts do.
  const num = (v: Value): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? (v ? 1 : 0) : null);
  switch (to) {
    case 'STRING':
      return v => javaToString(v, from);
    case 'INT':
      if (from === 'STRING') return v => (v === null ? null : parseJavaInt(v as string));
      return v => {
        const n = num(v);
        return n === null ? null : toInt(n);
      };
    case 'LONG':
      if (from === 'STRING') return v => (v === null ? null : parseJavaLong(v as string));
      return v => {
        const n = num(v);
        return n === null ? null : toLong(n);
      };
    case 'DOUBLE':
      if (from === 'STRING') return v => (v === null ? null : parseJavaDouble(v as string));
      return v => num(v);
    case 'FLOAT':
      if (from === 'STRING') return v => (v === null ? null : parseJavaFloat(v as string));
      return v => {
        const n = num(v);
        return n === null ? null : Math.fround(n);
      };
    case 'BOOL':
      if (from === 'STRING') return v => (v === null ? null : parseJavaBool(v as string));
      return v => (v === null ? null : typeof v === 'boolean' ? v : v === 1);
    default:
      return v => v;
  }
}

/** The type a constant string names (checked to be a constant string by the signature). */
function namedType(fn: string, name: string, allowed: readonly string[]): AttrType {
  const t = name.toUpperCase();
  if (!allowed.includes(t.toLowerCase())) throw new BuiltinArgError(`${fn}() cannot produce type '${name}'; use one of ${allowed.join(', ')}`);
  return t as AttrType;
}

function runtimeTypeOf(v: Value): string {
  if (typeof v === 'string') return 'STRING';
  if (typeof v === 'boolean') return 'BOOL';
  if (typeof v === 'bigint') return 'LONG';
  if (typeof v === 'number') return Number.isInteger(v) ? (v >= -2147483648 && v <= 2147483647 ? 'INT' : 'LONG') : 'DOUBLE';
  return 'OBJECT';
}

function instanceOf(name: string, type: AttrType, javaName: string): ScalarFunction {
  return {
    kind: 'function',
    name,
    signatures: [ANY_ARG],
    returns: 'BOOL',
    description: `True when the value is a ${javaName}; false for null.`,
    example: `from S select ${name}(x) as is${javaName} insert into Out;`,
    plan(args) {
      const declared = args.all[0].type;
      return {
        type: 'BOOL',
        make: ([a]) =>
          declared === 'OBJECT' ? ctx => { const v = a(ctx); return v !== null && runtimeTypeOf(v) === type; } : ctx => declared === type && a(ctx) !== null,
      };
    },
  };
}

function extreme(name: 'maximum' | 'minimum'): ScalarFunction {
  const better = name === 'maximum' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  return {
    kind: 'function',
    name,
    signatures: [[values(...NUMERIC)]],
    returns: 'same type as the arguments',
    description: `The ${name} of its arguments, ignoring nulls; null when all are null. (Siddhi's own maximum over all-negative values answers 0; Millrace answers the true ${name}.)`,
    example: `from S select ${name}(a, b, c) as m insert into Out;`,
    plan(args) {
      const t = sameType(args.all, `${name}() needs arguments of one numeric type`);
      return {
        type: t,
        make: fs => ctx => {
          let best: number | null = null;
          for (const f of fs) {
            const v = f(ctx) as number | null;
            if (v !== null && (best === null || better(v, best))) best = v;
          }
          return best;
        },
      };
    },
  };
}

const cryptoApi = (globalThis as unknown as { crypto?: { randomUUID(): string } }).crypto;

const coalesce: ScalarFunction = {
  kind: 'function',
  name: 'coalesce',
  signatures: [[values()]],
  returns: 'the arguments type',
  description: 'The first argument that is not null; null when all are.',
  example: "from S select coalesce(a, b, 'none') as v insert into Out;",
  plan(args) {
    const t = sameType(args.all, 'Coalesce cannot have parameters with different type');
    return {
      type: t,
      make: fs => ctx => {
        for (const f of fs) {
          const v = f(ctx);
          if (v !== null) return v;
        }
        return null;
      },
    };
  },
};

const defaultFn: ScalarFunction = {
  kind: 'function',
  name: 'default',
  signatures: [[param('attribute', value()), param('default', value())]],
  returns: 'the attribute type',
  description: 'The attribute, or the default when the attribute is null. Both must have the same type.',
  example: "from S select default(name, 'anon') as name insert into Out;",
  plan(args) {
    const [a, d] = args.all;
    if (a.type !== d.type) throw new BuiltinArgError(`default() needs a default of the attribute's type: ${lower(a.type)} and ${lower(d.type)} differ`);
    return { type: a.type, make: ([fa, fd]) => ctx => { const v = fa(ctx); return v === null ? fd(ctx) : v; } };
  },
};

const ifThenElse: ScalarFunction = {
  kind: 'function',
  name: 'ifThenElse',
  signatures: [[param('condition', value('BOOL')), param('then', value()), param('else', value())]],
  returns: 'the type of then and else',
  description: 'then when the condition is true; else when it is false or null.',
  example: "from S select ifThenElse(t > 26.0, 'hot', 'ok') as band insert into Out;",
  plan(args) {
    const [, a, b] = args.all;
    if (a.type !== b.type) throw new BuiltinArgError(`Input type of then in ifThenElse function (${lower(a.type)}) and else (${lower(b.type)}) differ`);
    return { type: a.type, make: ([c, fa, fb]) => ctx => (c(ctx) === true ? fa(ctx) : fb(ctx)) };
  },
};

const CONVERTIBLE = ['string', 'int', 'long', 'float', 'double', 'bool'];
const convert: ScalarFunction = {
  kind: 'function',
  name: 'convert',
  signatures: [TYPE_NAME(`naming the type: ${CONVERTIBLE.join(', ')}`)],
  returns: 'the named type',
  description:
    "Converts with Java's rules: numbers to strings as Java prints them (0.0), strings parsed strictly (null when they do not parse), bool to 1/0, a number to bool when it equals 1.",
  example: "from S select convert(price, 'string') as p insert into Out;",
  plan(args) {
    const to = namedType('convert', args.constant('to') as string, CONVERTIBLE);
    const from = args.all[0].type;
    if (from === 'OBJECT' && to !== 'STRING') throw new BuiltinArgError(`convert() can turn an object only into a string, not ${lower(to)}`);
    if (!(CONVERT_TARGETS as readonly string[]).includes(to)) throw new BuiltinArgError(`convert() cannot produce ${lower(to)}`);
    const c = converter(from, to);
    return { type: to, make: ([a]) => ctx => c(a(ctx)) };
  },
};

const CASTABLE = [...CONVERTIBLE, 'object'];
const cast: ScalarFunction = {
  kind: 'function',
  name: 'cast',
  signatures: [TYPE_NAME(`naming the type: ${CASTABLE.join(', ')}`)],
  returns: 'the named type',
  description: 'Reinterprets a value (usually an OBJECT) as the named type without converting it.',
  example: "from S select cast(o, 'string') as s insert into Out;",
  plan(args) {
    const to = namedType('cast', args.constant('to') as string, CASTABLE);
    return { type: to, make: ([a]) => a };
  },
};

const eventTimestamp: ScalarFunction = {
  kind: 'function',
  name: 'eventTimestamp',
  // In a pattern, eventTimestamp(e1) reads a reference's event: the pattern planner provides that one.
  signatures: [[]],
  returns: 'LONG',
  description: 'The timestamp of the event being processed.',
  example: 'from S select eventTimestamp() as ts insert into Out;',
  plan: () => ({ type: 'LONG', make: () => ctx => ctx.event.timestamp }),
};

const currentTimeMillis: ScalarFunction = {
  kind: 'function',
  name: 'currentTimeMillis',
  signatures: [[]],
  returns: 'LONG',
  description: "The app's event clock: the largest event time seen so far (never the wall clock).",
  example: 'from S select currentTimeMillis() as now insert into Out;',
  plan: () => ({ type: 'LONG', make: () => ctx => ctx.clock.now }),
};

const uuid: ScalarFunction = {
  kind: 'function',
  name: 'UUID',
  signatures: [[]],
  returns: 'STRING',
  description: 'A random UUID for every call.',
  example: 'from S select UUID() as id insert into Out;',
  plan() {
    if (!cryptoApi) throw new BuiltinArgError('UUID() needs a JavaScript runtime with crypto.randomUUID');
    return { type: 'STRING', make: () => () => cryptoApi.randomUUID() };
  },
};

const createSet: ScalarFunction = {
  kind: 'function',
  name: 'createSet',
  signatures: [[param('value', value('INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BOOL'))]],
  returns: 'OBJECT',
  description: 'A set holding the value; combine with unionSet() and sizeOfSet().',
  example: 'from S#window.lengthBatch(10) select sizeOfSet(unionSet(createSet(user))) as users insert into Out;',
  plan: () => ({ type: 'OBJECT', make: ([a]) => ctx => new Set([a(ctx)]) }),
};

const sizeOfSet: ScalarFunction = {
  kind: 'function',
  name: 'sizeOfSet',
  signatures: [[{ ...param('set', value('OBJECT')), note: 'a set made by createSet()' }]],
  returns: 'INT',
  description: 'The number of elements of a set; -1 when the value is not a set.',
  example: 'from S select sizeOfSet(s) as n insert into Out;',
  plan: () => ({ type: 'INT', make: ([a]) => ctx => { const s = a(ctx); return s instanceof Set ? s.size : -1; } }),
};

/** Core scalar functions by name (no namespace). */
export const scalarFunctions: ReadonlyMap<string, ScalarFunction> = registry([
  coalesce,
  defaultFn,
  ifThenElse,
  convert,
  cast,
  instanceOf('instanceOfBoolean', 'BOOL', 'Boolean'),
  instanceOf('instanceOfDouble', 'DOUBLE', 'Double'),
  instanceOf('instanceOfFloat', 'FLOAT', 'Float'),
  instanceOf('instanceOfInteger', 'INT', 'Integer'),
  instanceOf('instanceOfLong', 'LONG', 'Long'),
  instanceOf('instanceOfString', 'STRING', 'String'),
  extreme('maximum'),
  extreme('minimum'),
  eventTimestamp,
  currentTimeMillis,
  uuid,
  createSet,
  sizeOfSet,
]);

export type { Eval };
