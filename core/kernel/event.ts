/**
 * A value carried in an event attribute. LONGs beyond 2^53 are bigints (see `Long` in
 * java-num.ts); OBJECT attributes hold anything (sets, lists, errors).
 */
export type Value = number | bigint | string | boolean | null | object;

/** Event types of Siddhi's event model, as numbers so that checks on the hot path are cheap. */
export const EventKind = {
  CURRENT: 0,
  EXPIRED: 1,
  RESET: 2,
  TIMER: 3,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** One event moving through a query. `data` follows the stream's attribute order. */
export interface StreamEvent {
  timestamp: number;
  data: Value[];
  type: EventKind;
}

export function currentEvent(timestamp: number, data: Value[]): StreamEvent {
  return { timestamp, data, type: EventKind.CURRENT };
}
