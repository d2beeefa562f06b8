import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import type { Eval } from '../../kernel/eval-context';
import { toInt, toLong } from '../../kernel/java-num';
import { javaDoubleToString, javaFloatToString, parseJavaBool, parseJavaDouble, parseJavaFloat, parseJavaInt, parseJavaLong } from '../../kernel/java-text';
import { BuiltinArgError, type ArgInfo, type ScalarFunction } from '../descriptor';

const NUMERIC: readonly AttrType[] = ['INT', 'LONG', 'FLOAT', 'DOUBLE'];
const lower = (t: AttrType) => t.toLowerCase();

function sameType(fn: string, args: readonly ArgInfo[], message: string): AttrType {
  const t = args[0].type;
  for (const a of args) if (a.type !== t) throw new BuiltinArgError(message);
  if (!args.length) throw new BuiltinArgError(`${fn} needs at least one argument`);
  return t;
}

function arity(fn: string, args: readonly ArgInfo[], n: number): void {
  if (args.length !== n) throw new BuiltinArgError(`${fn}() expects ${n} argument${n === 1 ? '' : 's'}, found ${args.length}`);
}

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
  const num = (v: Value): number | null => (typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : null);
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

function constantType(fn: string, a: ArgInfo | undefined, allowed: readonly string[]): AttrType {
  if (!a || !a.constant || typeof a.constant.value !== 'string')
    throw new BuiltinArgError(`the second argument of ${fn}() must be a constant string naming the type (${allowed.join(', ')})`);
  const t = a.constant.value.toUpperCase();
  if (!allowed.includes(t.toLowerCase())) throw new BuiltinArgError(`${fn}() cannot produce type '${a.constant.value}'; use one of ${allowed.join(', ')}`);
  return t as AttrType;
}

function runtimeTypeOf(v: Value): string {
  if (typeof v === 'string') return 'STRING';
  if (typeof v === 'boolean') return 'BOOL';
  if (typeof v === 'number') return Number.isInteger(v) ? (v >= -2147483648 && v <= 2147483647 ? 'INT' : 'LONG') : 'DOUBLE';
  return 'OBJECT';
}

function instanceOf(name: string, type: AttrType, javaName: string): ScalarFunction {
  return {
    name,
    signature: '(arg ANY)',
    returns: 'BOOL',
    description: `True when the value is a ${javaName}; false for null.`,
    example: `from S select ${name}(x) as is${javaName} insert into Out;`,
    plan(args) {
      arity(name, args, 1);
      const declared = args[0].type;
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
    name,
    signature: '(arg1 INT|LONG|FLOAT|DOUBLE, arg2 ..., ...)',
    returns: 'same type as the arguments',
    description: `The ${name} of its arguments, ignoring nulls; null when all are null. (Siddhi's own maximum over all-negative values answers 0; Millrace answers the true ${name}.)`,
    example: `from S select ${name}(a, b, c) as m insert into Out;`,
    plan(args) {
      const t = sameType(name, args, `${name}() needs arguments of one numeric type`);
      if (!NUMERIC.includes(t)) throw new BuiltinArgError(`${name}() needs numeric arguments, found ${lower(t)}`);
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

const functions: ScalarFunction[] = [
  {
    name: 'coalesce',
    signature: '(arg1 ANY, arg2 ANY, ...)',
    returns: 'the arguments type',
    description: 'The first argument that is not null; null when all are.',
    example: "from S select coalesce(a, b, 'none') as v insert into Out;",
    plan(args) {
      const t = sameType('coalesce', args, 'Coalesce cannot have parameters with different type');
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
  },
  {
    name: 'default',
    signature: '(attribute ANY, default ANY)',
    returns: 'the attribute type',
    description: 'The attribute, or the default when the attribute is null. Both must have the same type.',
    example: "from S select default(name, 'anon') as name insert into Out;",
    plan(args) {
      arity('default', args, 2);
      if (args[0].type !== args[1].type)
        throw new BuiltinArgError(`default() needs a default of the attribute's type: ${lower(args[0].type)} and ${lower(args[1].type)} differ`);
      return { type: args[0].type, make: ([a, d]) => ctx => { const v = a(ctx); return v === null ? d(ctx) : v; } };
    },
  },
  {
    name: 'ifThenElse',
    signature: '(condition BOOL, then ANY, else ANY)',
    returns: 'the type of then and else',
    description: 'then when the condition is true; else when it is false or null.',
    example: "from S select ifThenElse(t > 26.0, 'hot', 'ok') as band insert into Out;",
    plan(args) {
      arity('ifThenElse', args, 3);
      if (args[0].type !== 'BOOL') throw new BuiltinArgError(`the condition of ifThenElse() must be bool, found ${lower(args[0].type)}`);
      if (args[1].type !== args[2].type)
        throw new BuiltinArgError(`Input type of then in ifThenElse function (${lower(args[1].type)}) and else (${lower(args[2].type)}) differ`);
      return { type: args[1].type, make: ([c, a, b]) => ctx => (c(ctx) === true ? a(ctx) : b(ctx)) };
    },
  },
  {
    name: 'convert',
    signature: "(value ANY, to 'string'|'int'|'long'|'float'|'double'|'bool')",
    returns: 'the named type',
    description:
      "Converts with Java's rules: numbers to strings as Java prints them (0.0), strings parsed strictly (null when they do not parse), bool to 1/0, a number to bool when it equals 1.",
    example: "from S select convert(price, 'string') as p insert into Out;",
    plan(args) {
      arity('convert', args, 2);
      const to = constantType('convert', args[1], ['string', 'int', 'long', 'float', 'double', 'bool']);
      const from = args[0].type;
      if (from === 'OBJECT' && to !== 'STRING') throw new BuiltinArgError(`convert() can turn an object only into a string, not ${lower(to)}`);
      if (!(CONVERT_TARGETS as readonly string[]).includes(to)) throw new BuiltinArgError(`convert() cannot produce ${lower(to)}`);
      const c = converter(from, to);
      return { type: to, make: ([a]) => ctx => c(a(ctx)) };
    },
  },
  {
    name: 'cast',
    signature: "(value ANY, to 'string'|'int'|'long'|'float'|'double'|'bool'|'object')",
    returns: 'the named type',
    description: 'Reinterprets a value (usually an OBJECT) as the named type without converting it.',
    example: "from S select cast(o, 'string') as s insert into Out;",
    plan(args) {
      arity('cast', args, 2);
      const to = constantType('cast', args[1], ['string', 'int', 'long', 'float', 'double', 'bool', 'object']);
      return { type: to, make: ([a]) => a };
    },
  },
  instanceOf('instanceOfBoolean', 'BOOL', 'Boolean'),
  instanceOf('instanceOfDouble', 'DOUBLE', 'Double'),
  instanceOf('instanceOfFloat', 'FLOAT', 'Float'),
  instanceOf('instanceOfInteger', 'INT', 'Integer'),
  instanceOf('instanceOfLong', 'LONG', 'Long'),
  instanceOf('instanceOfString', 'STRING', 'String'),
  extreme('maximum'),
  extreme('minimum'),
  {
    name: 'eventTimestamp',
    signature: '([event])',
    returns: 'LONG',
    description: 'The timestamp of the event being processed.',
    example: 'from S select eventTimestamp() as ts insert into Out;',
    plan(args) {
      arity('eventTimestamp', args, 0);
      return { type: 'LONG', make: () => ctx => ctx.event.timestamp };
    },
  },
  {
    name: 'currentTimeMillis',
    signature: '()',
    returns: 'LONG',
    description: "The app's event clock: the largest event time seen so far (never the wall clock).",
    example: 'from S select currentTimeMillis() as now insert into Out;',
    plan(args) {
      arity('currentTimeMillis', args, 0);
      return { type: 'LONG', make: () => ctx => ctx.clock.now };
    },
  },
  {
    name: 'UUID',
    signature: '()',
    returns: 'STRING',
    description: 'A random UUID for every call.',
    example: 'from S select UUID() as id insert into Out;',
    plan(args) {
      arity('UUID', args, 0);
      if (!cryptoApi) throw new BuiltinArgError('UUID() needs a JavaScript runtime with crypto.randomUUID');
      return { type: 'STRING', make: () => () => cryptoApi.randomUUID() };
    },
  },
  {
    name: 'createSet',
    signature: '(value INT|LONG|FLOAT|DOUBLE|STRING|BOOL)',
    returns: 'OBJECT',
    description: 'A set holding the value; combine with unionSet() and sizeOfSet().',
    example: 'from S#window.lengthBatch(10) select sizeOfSet(unionSet(createSet(user))) as users insert into Out;',
    plan(args) {
      arity('createSet', args, 1);
      if (args[0].type === 'OBJECT') throw new BuiltinArgError('createSet() takes a value of a primitive type, not an object');
      return { type: 'OBJECT', make: ([a]) => ctx => new Set([a(ctx)]) };
    },
  },
  {
    name: 'sizeOfSet',
    signature: '(set OBJECT)',
    returns: 'INT',
    description: 'The number of elements of a set; -1 when the value is not a set.',
    example: 'from S select sizeOfSet(s) as n insert into Out;',
    plan(args) {
      arity('sizeOfSet', args, 1);
      if (args[0].type !== 'OBJECT') throw new BuiltinArgError(`sizeOfSet() takes a set (object), found ${lower(args[0].type)}`);
      return { type: 'INT', make: ([a]) => ctx => { const s = a(ctx); return s instanceof Set ? s.size : -1; } };
    },
  },
];

/** Core scalar functions by name (no namespace). */
export const scalarFunctions: ReadonlyMap<string, ScalarFunction> = new Map(functions.map(f => [f.name, f]));

export type { Eval };
