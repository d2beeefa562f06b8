import type { StreamEvent } from '../../kernel/event';
import { decodeRow, encodeRow } from '../../state/value-codec';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { BuiltinArgError, type ArgInfo } from '../descriptor';

/** Events held by a window, stored once each as `[timestamp, row]`. */
export const eventListSpec: StateSpec<StreamEvent[]> = {
  version: 1,
  create: () => [],
  snapshot: es => es.map(e => [e.timestamp, encodeRow(e.data)]) as Json,
  restore: j => (j as [number, Json[]][]).map(([t, d]) => ({ timestamp: t, data: decodeRow(d), type: 0 })),
};

export function expiredCopy(e: StreamEvent, timestamp: number): StreamEvent {
  return { timestamp, data: e.data, type: 1 };
}

export const RESET_TEMPLATE = (timestamp: number): StreamEvent => ({ timestamp, data: [], type: 2 });

/** A constant INT/LONG parameter, checked. */
export function intParam(window: string, param: string, a: ArgInfo | undefined, opts: { min?: number; optional?: number } = {}): number {
  if (!a) {
    if (opts.optional !== undefined) return opts.optional;
    throw new BuiltinArgError(`${window} window needs a '${param}' parameter`);
  }
  if ((a.type !== 'INT' && a.type !== 'LONG') || !a.constant)
    throw new BuiltinArgError(`${window} window's '${param}' parameter must be a constant int, found ${a.constant ? a.type.toLowerCase() : 'an attribute'}`);
  const v = a.constant.value as number;
  if (opts.min !== undefined && v < opts.min) throw new BuiltinArgError(`${window} window's '${param}' must be at least ${opts.min}, found ${v}`);
  return v;
}

export function boolParam(window: string, param: string, a: ArgInfo | undefined, dflt: boolean): boolean {
  if (!a) return dflt;
  if (a.type !== 'BOOL' || !a.constant) throw new BuiltinArgError(`${window} window's '${param}' parameter must be a constant bool`);
  return a.constant.value as boolean;
}

export function arityCheck(window: string, args: readonly ArgInfo[], min: number, max: number): void {
  if (args.length < min || args.length > max)
    throw new BuiltinArgError(`${window} window takes ${min === max ? min : `${min} to ${max}`} parameter${max === 1 ? '' : 's'}, found ${args.length}`);
}
