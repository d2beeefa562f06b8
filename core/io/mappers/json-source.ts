import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import { fromText } from './convert';
import { parseJsonPath, readJsonPath, type JsonPath } from './json-path';
import { JsonNumber, JsonObject, parseJsonTree, type JsonNode } from './json-tree';
import { customText, shownNode, strictValue } from './json-values';
import { flag, option, payloadText, refused, Refused, type Decoded, type MapSpec, type MappedStream, type SourceMapper } from './mapper';

/**
 * `@map(type='json')` on a source, siddhi-map-json's JsonSourceMapper:
 * - default mapping: one object `{"a":1,...}` or `{"event":{"a":1,...}}` with Siddhi's strict
 *   token rules (json-values.ts strictValue); an unknown key or (with fail.on.missing.attribute,
 *   the default) a missing one refuses the payload. An array of such objects maps each element
 *   with the converter's text rules (convert.ts fromText, so `"7"` is a LONG 7 there); an element
 *   with too few attributes is dropped alone, a value that does not convert drops the payload.
 * - custom mapping, `@attributes(a='$.path', ...)`: `enclosing.element` (default `$`) selects the
 *   event, or an array of events; each attribute's path is read in it and converted from its text.
 *   A missing path drops the event (with fail.on.missing.attribute) or gives null.
 */
export function jsonSourceMapper(spec: MapSpec, stream: MappedStream): SourceMapper {
  const failOnMissing = flag(spec, 'fail.on.missing.attribute', true);
  const decodeTree = spec.attributes.length ? customMapping(spec, stream, failOnMissing) : defaultMapping(stream, failOnMissing);
  return {
    chunked: flag(spec, 'event.grouping.enabled', true),
    type: 'json',
    decode(payload) {
      const parsed = parseJsonTree(payloadText(payload));
      if (!parsed.ok) return { events: [], problems: [`not valid JSON: ${parsed.message}`] };
      return decodeTree(parsed.value);
    },
  };
}

type TreeDecoder = (root: JsonNode) => Decoded;

const fails = (problem: string): Decoded => ({ events: [], problems: [problem] });

function defaultMapping(stream: MappedStream, failOnMissing: boolean): TreeDecoder {
  const attrs = stream.attributes;
  const position = new Map(attrs.map((a, i) => [a.name, i]));
  /** One object, with the token rules. */
  const single = (root: JsonNode): Decoded => {
    if (!(root instanceof JsonObject)) return fails(`expected a JSON object with the attributes of '${stream.id}', found ${shownNode(root)}`);
    let entries = root.entries;
    if (entries.length && entries[0][0].toLowerCase() === 'event') {
      const inner = entries[0][1];
      entries = [...(inner instanceof JsonObject ? inner.entries : []), ...entries.slice(1)];
    }
    const data: Value[] = attrs.map(() => null);
    for (const [key, node] of entries) {
      const i = position.get(key);
      if (i === undefined) return fails(`stream '${stream.id}' has no attribute '${key}'`);
      const v = strictValue(node, attrs[i].type);
      if (refused(v)) return fails(`attribute '${key}': ${v.reason}`);
      data[i] = v;
    }
    if (failOnMissing && entries.length !== attrs.length) return fails(missingMessage(stream, entries.map(e => e[0])));
    return { events: [data], problems: [] };
  };
  /** An array of objects, with the converter's text rules. */
  const many = (root: JsonNode[]): Decoded => {
    const events: Value[][] = [];
    const problems: string[] = [];
    for (const item of root) {
      if (!(item instanceof JsonObject)) return fails(`an array of events holds ${shownNode(item)}, not an object`);
      const wrapped = item.has('event');
      const obj = wrapped ? item.get('event')! : item;
      if (!(obj instanceof JsonObject)) return fails(`"event" holds ${shownNode(obj)}, not an object`);
      const keys = new Set(obj.entries.map(e => e[0]));
      if ((failOnMissing || !wrapped) && keys.size < attrs.length) {
        problems.push(`${missingMessage(stream, [...keys])}; element dropped`);
        continue;
      }
      const data: Value[] = [];
      for (const a of attrs) {
        const node = lastValue(obj, a.name);
        const v = node === undefined || node === null ? null : arrayValue(node, a.type);
        if (refused(v)) return fails(`attribute '${a.name}': ${v.reason}`);
        data.push(v);
      }
      events.push(data);
    }
    return { events, problems };
  };
  return root => (Array.isArray(root) ? many(root) : single(root));
}

/** Gson keeps the last of duplicate keys. */
function lastValue(o: JsonObject, key: string): JsonNode | undefined {
  let v: JsonNode | undefined;
  for (const [k, x] of o.entries) if (k === key) v = x;
  return v;
}

/** Gson's getAsString of a scalar (numbers as written), converted; a document is refused. */
function arrayValue(node: Exclude<JsonNode, null>, type: AttrType): Value | Refused {
  if (typeof node === 'string') return fromText(node, type);
  if (typeof node === 'boolean' || node instanceof JsonNumber) return fromText(node instanceof JsonNumber ? node.text : String(node), type);
  return new Refused(`${shownNode(node)} is a JSON document, not a value`);
}

function missingMessage(stream: MappedStream, given: readonly string[]): string {
  const missing = stream.attributes.map(a => a.name).filter(n => !given.includes(n));
  return missing.length
    ? `missing attribute${missing.length > 1 ? 's' : ''} ${missing.map(n => `'${n}'`).join(', ')} of stream '${stream.id}'`
    : `attributes given more than once for stream '${stream.id}'`;
}

function customMapping(spec: MapSpec, stream: MappedStream, failOnMissing: boolean): TreeDecoder {
  const enclosing = parseJsonPath(option(spec, 'enclosing.element', '$')) as JsonPath;
  const mappings = spec.attributes.map(m => ({
    index: stream.attributes.findIndex(a => a.name === m.name),
    path: parseJsonPath(m.mapping) as JsonPath,
  }));
  const width = stream.attributes.length;
  return root => {
    const found = readJsonPath(root, enclosing);
    if (!found.found || found.value === null) return fails(`enclosing element '${enclosing.text}' is not in the payload`);
    const items = Array.isArray(found.value) ? found.value : [found.value];
    const events: Value[][] = [];
    const problems: string[] = [];
    for (const item of items) {
      const data: Value[] = new Array(width).fill(null);
      let dropped = false;
      for (const m of mappings) {
        const r = readJsonPath(item, m.path);
        if (!r.found) {
          if (failOnMissing) {
            problems.push(`no value at '${m.path.text}' for attribute '${stream.attributes[m.index].name}' in ${shownNode(item)}; event dropped`);
            dropped = true;
            break;
          }
          continue;
        }
        if (r.value === null) continue;
        const v = fromText(customText(r.value), stream.attributes[m.index].type);
        if (refused(v)) return fails(`attribute '${stream.attributes[m.index].name}': ${v.reason}`);
        data[m.index] = v;
      }
      if (!dropped) events.push(data);
    }
    return { events, problems };
  };
}
