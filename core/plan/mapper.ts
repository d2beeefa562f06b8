import type { Value } from '../kernel/event';

/** The mapper contracts: what the planner builds from `@map` and hands the adapters (core/io/mappers implements them). */

/** What a transport hands a source mapper: text, or bytes (UTF-8, malformed sequences read as U+FFFD). */
export type Payload = string | Uint8Array;

/** The mapper types Millrace has (Siddhi's siddhi-map-json, -text, -csv and -keyvalue). */
export const MAP_TYPES = ['json', 'text', 'csv', 'keyvalue'] as const;
export type MapType = (typeof MAP_TYPES)[number];

/**
 * What one payload maps to: the events that mapped, in order, and why the rest did not (a payload
 * may map partly, as in Siddhi: an array whose second element lacks an attribute gives its first).
 */
export interface Decoded {
  readonly events: Value[][];
  readonly problems: readonly string[];
}

/** Bytes -> events for one stream (`@source(..., @map(...))`). Never throws. */
export interface SourceMapper {
  readonly type: MapType;
  decode(payload: Payload): Decoded;
  /**
   * Whether the events of one payload enter the app as one chunk (json with its
   * `event.grouping.enabled`, the default, and csv) or one by one (text), as Siddhi's mappers send them.
   */
  readonly chunked: boolean;
  /** csv `header='true'`: the first record of each payload is a header, not an event. */
  readonly header?: boolean;
}

/**
 * Events -> payloads for one stream (`@sink(..., @map(...))`). `events` is one chunk (what one
 * input record produced): with event grouping on (Siddhi's default for json) it becomes one
 * payload, else one payload per event.
 */
export interface SinkMapper {
  readonly type: MapType;
  encode(events: readonly (readonly Value[])[]): string[];
}

/**
 * A `@map` annotation as the planner checked it. `attributes` are `@attributes(...)` (name and
 * mapping; the name is absent for positional ones, which the planner has already named), `payload`
 * are `@payload(...)` elements (key absent for an unnamed template).
 */
export interface MapSpec {
  readonly type: MapType;
  readonly options: ReadonlyMap<string, string>;
  readonly attributes: readonly { readonly name: string; readonly mapping: string }[];
  readonly payload: readonly { readonly key?: string; readonly template: string }[];
}
