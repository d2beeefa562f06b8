import type { StreamEvent } from '../../kernel/event';
import { decodeRow, encodeRow } from '../../state/value-codec';
import type { Json } from '../../state/json';
import { BuiltinArgError } from '../../errors/millrace-error';

/**
 * A value check the signature cannot express: `v` at least `min` (`unit` after the numbers, such as
 * ' ms' for durations). Types, constants and arity are checked before a window plans (arg-checker.ts).
 */
export function atLeast(window: string, param: string, v: number, min: number, unit = ''): number {
  if (v < min) throw new BuiltinArgError(`${window} window's '${param}' must be at least ${min}${unit}, found ${v}`);
  return v;
}

/** One event as `[timestamp, row]` in a snapshot. */
export function encodeEvent(e: StreamEvent): Json {
  return [e.timestamp, encodeRow(e.data)];
}

export function decodeEvent(j: Json): StreamEvent {
  const [t, d] = j as [number, Json[]];
  return { timestamp: t, data: decodeRow(d), type: 0 };
}
