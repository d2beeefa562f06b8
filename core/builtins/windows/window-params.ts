import type { AttrType } from '../../ast/nodes';
import type { StreamEvent } from '../../kernel/event';
import { decodeRow, encodeRow } from '../../state/value-codec';
import type { Json } from '../../state/json';
import { BuiltinArgError, type ArgInfo, type WindowPlanEnv } from '../descriptor';

/** How a parameter was given, for error messages: `a long attribute`, `a constant string`. */
export function describeArg(a: ArgInfo): string {
  const t = a.type.toLowerCase();
  if (a.constant) return `a constant ${t}`;
  if (a.attributeIndex !== undefined) return `${t === 'int' ? 'an' : 'a'} ${t} attribute`;
  return `an expression of type ${t}`;
}

/** A constant INT parameter (Siddhi reads these as Java ints: a long is rejected). */
export function intOnlyParam(window: string, param: string, a: ArgInfo, min?: number): number {
  if (a.type !== 'INT' || !a.constant) throw new BuiltinArgError(`${window} window's '${param}' parameter must be a constant int, found ${describeArg(a)}`);
  const v = a.constant.value as number;
  if (min !== undefined && v < min) throw new BuiltinArgError(`${window} window's '${param}' must be at least ${min}, found ${v}`);
  return v;
}

/** A constant INT or LONG parameter such as a time period (`1 sec` arrives as the LONG 1000). */
export function intOrLongParam(window: string, param: string, a: ArgInfo): number {
  if ((a.type !== 'INT' && a.type !== 'LONG') || !a.constant)
    throw new BuiltinArgError(`${window} window's '${param}' parameter must be a constant int, long or time value, found ${describeArg(a)}`);
  return a.constant.value as number;
}

/** A plain attribute reference of one of `types`; returns its position in the window's events. */
export function attributeParam(window: string, param: string, a: ArgInfo, types: readonly AttrType[] | null, env: WindowPlanEnv): number {
  if (a.attributeIndex === undefined)
    throw new BuiltinArgError(`${window} window's '${param}' parameter must be an attribute of the input stream, found ${describeArg(a)}`);
  if (types && !types.includes(a.type)) {
    const name = env.attributes[a.attributeIndex]?.name ?? '?';
    const want = types.map(t => t.toLowerCase()).join(' or ');
    throw new BuiltinArgError(`${window} window's '${param}' attribute '${name}' must be of type ${want}, found ${a.type.toLowerCase()}`);
  }
  return a.attributeIndex;
}

/** One event as `[timestamp, row]` in a snapshot. */
export function encodeEvent(e: StreamEvent): Json {
  return [e.timestamp, encodeRow(e.data)];
}

export function decodeEvent(j: Json): StreamEvent {
  const [t, d] = j as [number, Json[]];
  return { timestamp: t, data: decodeRow(d), type: 0 };
}
