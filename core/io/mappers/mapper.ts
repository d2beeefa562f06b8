import type { AttrType } from '../../ast/nodes';
import type { AttributeSchema } from '../../plan/schema';
import { utf8Decode } from '../../state/bytes';

export { MAP_TYPES, type Payload, type MapType, type Decoded, type SourceMapper, type SinkMapper, type MapSpec } from '../../plan/mapper';
import type { Payload, MapSpec } from '../../plan/mapper';

/** What a mapper is built for: the stream's name and attributes. */
export interface MappedStream {
  readonly id: string;
  readonly attributes: readonly AttributeSchema[];
}

/** A value that could not be converted, with the reason. */
export class Refused {
  constructor(readonly reason: string) {}
}

export const refused = (v: unknown): v is Refused => v instanceof Refused;

export function payloadText(p: Payload): string {
  return typeof p === 'string' ? p : utf8Decode(p);
}

/** A boolean option as Siddhi reads it (Boolean.parseBoolean), with its default. */
export function flag(spec: MapSpec, key: string, dflt: boolean): boolean {
  const v = spec.options.get(key);
  return v === undefined ? dflt : v.toLowerCase() === 'true';
}

export function option(spec: MapSpec, key: string, dflt: string): string {
  return spec.options.get(key) ?? dflt;
}

/** The stream's attribute types by name. */
export function typeOf(stream: MappedStream, name: string): AttrType {
  return stream.attributes.find(a => a.name === name)!.type;
}

/** Shown in messages, at most 200 characters of it. */
export function shortText(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
