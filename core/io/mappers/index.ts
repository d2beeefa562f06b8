export { MAP_TYPES, type MapType, type MapSpec, type Payload, type Decoded, type SourceMapper, type SinkMapper, type MappedStream } from './mapper';
export { sourceMapper, sinkMapper, defaultMapSpec } from './registry';
export { parseJsonTree, type JsonNode } from './json-tree';
