import { csvSinkMapper, csvSourceMapper } from './csv-mapper';
import { jsonSinkMapper } from './json-sink';
import { jsonSourceMapper } from './json-source';
import { keyValueSinkMapper, keyValueSourceMapper } from './keyvalue-mapper';
import type { MapSpec, MappedStream, MapType, SinkMapper, SourceMapper } from './mapper';
import { textSinkMapper, textSourceMapper } from './text-mapper';

/** One file per mapper type; each builds a source mapper and a sink mapper from a checked `@map`. */
const SOURCES: Record<MapType, (spec: MapSpec, stream: MappedStream) => SourceMapper> = {
  json: jsonSourceMapper,
  text: textSourceMapper,
  csv: csvSourceMapper,
  keyvalue: keyValueSourceMapper,
};

const SINKS: Record<MapType, (spec: MapSpec, stream: MappedStream) => SinkMapper> = {
  json: jsonSinkMapper,
  text: textSinkMapper,
  csv: csvSinkMapper,
  keyvalue: keyValueSinkMapper,
};

/** The default mapping of a type (no options): what `millrace run --format X` uses for a stream without its own `@map`. */
export function defaultMapSpec(type: MapType): MapSpec {
  return { type, options: new Map(), attributes: [], payload: [] };
}

/**
 * The source mapper of a checked `@map` (the planner checks options, paths, regular expressions
 * and names first; built from an unchecked spec, a mapper may throw).
 *
 * @example
 *   sourceMapper(defaultMapSpec('json'), schema).decode('{"symbol":"WSO2","price":55.6}')
 */
export function sourceMapper(spec: MapSpec, stream: MappedStream): SourceMapper {
  return SOURCES[spec.type](spec, stream);
}

export function sinkMapper(spec: MapSpec, stream: MappedStream): SinkMapper {
  return SINKS[spec.type](spec, stream);
}
