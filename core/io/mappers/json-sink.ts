import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import { javaDoubleToString, javaFloatToString, javaLongToString } from '../../kernel/java-text';
import { parseJsonTree } from './json-tree';
import { flag, type MapSpec, type MappedStream, type SinkMapper } from './mapper';
import { parseTemplate, renderTemplate, type Template } from './template';

/**
 * `@map(type='json')` on a sink, siddhi-map-json's JsonSinkMapper: `{"event":{"a":1,...}}` per
 * event, a chunk of several events as an array of those (`event.grouping.enabled`, default true),
 * or the `@payload("...{{a}}...")` template (several: `[t1,\nt2]`); `enclosing.element='$.a.b'`
 * wraps it in `{"a":{"b":...}}`. A null attribute is the string "undefined" (the text undefined in
 * a template) unless `enable.null.attribute.value='true'`; `validate.json='true'` drops a payload
 * that is not JSON (a template can make one).
 */
export function jsonSinkMapper(spec: MapSpec, stream: MappedStream): SinkMapper {
  const grouping = flag(spec, 'event.grouping.enabled', true);
  const nulls = flag(spec, 'enable.null.attribute.value', false);
  const validate = flag(spec, 'validate.json', false);
  const names = stream.attributes.map(a => a.name);
  const types = stream.attributes.map(a => a.type);
  const template = spec.payload.length ? (parseTemplate(spec.payload[0].template, names) as Template) : undefined;
  const [open, close] = enclosingOf(spec.options.get('enclosing.element'));
  const undefinedNulls = (d: readonly Value[]) => (nulls ? d : d.map(v => (v === null ? 'undefined' : v)));
  const one = (d: readonly Value[]) => (template ? renderTemplate(template, undefinedNulls(d), types) : eventJson(undefinedNulls(d), names, types));
  const body = (events: readonly (readonly Value[])[]) =>
    events.length === 1 ? one(events[0]) : template ? `[${events.map(one).join(',\n')}]` : `[${events.map(one).join(',')}]`;
  const payload = (events: readonly (readonly Value[])[]) => `${open}${body(events)}${close}`;
  return {
    type: 'json',
    encode(events) {
      if (!events.length) return [];
      const out = grouping ? [payload(events)] : events.map(e => payload([e]));
      return validate ? out.filter(p => parseJsonTree(p).ok) : out;
    },
  };
}

function enclosingOf(path: string | undefined): [string, string] {
  if (path === undefined) return ['', ''];
  const nodes = path.split('.').filter(n => n !== '$');
  return [nodes.map(n => `{"${n}":`).join(''), '}'.repeat(nodes.length)];
}

/** Gson's string escaping: JSON.stringify's, and U+2028/U+2029 escaped too. */
export function gsonString(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function eventJson(data: readonly Value[], names: readonly string[], types: readonly AttrType[]): string {
  const fields: string[] = [];
  for (let i = 0; i < data.length; i++) {
    const v = valueJson(data[i], types[i]);
    if (v !== undefined) fields.push(`${gsonString(names[i])}:${v}`);
  }
  return `{"event":{${fields.join(',')}}}`;
}

/** An attribute value as Gson writes it (Java number texts); undefined when Siddhi leaves it out. */
export function valueJson(v: Value, type: AttrType): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return gsonString(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return javaLongToString(v);
  if (typeof v === 'number') {
    if (type === 'FLOAT') return javaFloatToString(v);
    if (type === 'DOUBLE' || (type === 'OBJECT' && !Number.isInteger(v))) return javaDoubleToString(v);
    return javaLongToString(v);
  }
  const entries = v instanceof Map ? [...v] : Object.getPrototypeOf(v) === Object.prototype ? Object.entries(v) : null;
  if (!entries?.length) return undefined;
  return `{${entries.map(([k, x]) => `${gsonString(String(k))}:${valueJson(x as Value, 'OBJECT') ?? 'null'}`).join(',')}}`;
}
