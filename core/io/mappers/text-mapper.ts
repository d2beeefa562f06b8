import type { Value } from '../../kernel/event';
import { fromText, javaText } from './convert';
import { flag, option, payloadText, refused, shortText, type Decoded, type MapSpec, type MappedStream, type SinkMapper, type SourceMapper } from './mapper';
import { parseTemplate, renderTemplate, type Template } from './template';

/**
 * `@map(type='text')`, siddhi-map-text. The default format is one `name:value` per line, lines
 * ended by `,` (`new.line.character`, default a newline), strings in quotes:
 *
 *     symbol:"WSO2",
 *     price:55.6,
 *     volume:100
 *
 * With `event.grouping.enabled='true'` a payload holds several, separated by a line holding the
 * `delimiter` (default `~~~~~~~~~~`). Custom source mappings are regular expressions:
 * `regex.A='(\w+)\s([-0-9]+)'`, `@attributes(symbol='A[1]', price='A[2]', volume='B')` (a group
 * letter alone is its first group). Sinks take `@payload("...{{attr}}...")`.
 */

/** Option text with `\n`, `\r` and `\t` read as the characters. */
function unescaped(s: string): string {
  return s.replace(/\\([nrt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\t'));
}

function separators(spec: MapSpec): { nl: string; delimiter: string } {
  const nl = unescaped(option(spec, 'new.line.character', '\n'));
  return { nl, delimiter: unescaped(option(spec, 'delimiter', '~~~~~~~~~~')) + nl };
}

/** Java's String.split without a limit: trailing empty parts dropped. */
function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Java's String.trim(). */
const javaTrim = (s: string) => s.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');

type RecordDecoder = (record: string) => Value[] | string;

export function textSourceMapper(spec: MapSpec, stream: MappedStream): SourceMapper {
  const { nl, delimiter } = separators(spec);
  const grouping = flag(spec, 'event.grouping.enabled', false);
  const failOnMissing = flag(spec, 'fail.on.missing.attribute', true);
  const one = spec.attributes.length ? regexRecord(spec, stream, failOnMissing) : defaultRecord(stream, nl, failOnMissing);
  return {
    chunked: false,
    type: 'text',
    decode(payload): Decoded {
      const text = payloadText(payload);
      const records = grouping ? javaSplit(text, delimiter) : [text];
      const events: Value[][] = [];
      const problems: string[] = [];
      records.forEach((r, i) => {
        const rec = i < records.length - 1 && r.endsWith(nl) ? r.slice(0, r.length - nl.length) : r;
        const e = one(rec);
        if (typeof e === 'string') problems.push(e);
        else events.push(e);
      });
      return { events, problems };
    },
  };
}

function defaultRecord(stream: MappedStream, nl: string, failOnMissing: boolean): RecordDecoder {
  const attrs = stream.attributes;
  const position = new Map(attrs.map((a, i) => [a.name, i]));
  return record => {
    const parts = javaSplit(record, `,${nl}`);
    const missing = () => `some attributes of '${stream.id}' are missing in '${shortText(record)}'`;
    if (parts.length < attrs.length && failOnMissing) return missing();
    const data: Value[] = attrs.map(() => null);
    const assigned = new Set<number>();
    for (const part of parts) {
      const colon = part.indexOf(':');
      if (colon < 0) continue;
      const key = javaTrim(part.slice(0, colon));
      const value = javaTrim(part.slice(colon + 1));
      const i = position.get(key);
      if (i === undefined || assigned.has(i)) continue;
      const type = attrs[i].type;
      if (type === 'STRING') {
        if (value.length < 2) return `attribute '${key}' is a string and needs quotes: ${value}`;
        data[i] = value.slice(1, -1);
      } else {
        const v = fromText(javaTrim(value.replace(/,/g, '')), type);
        if (refused(v)) return `attribute '${key}': ${v.reason}`;
        data[i] = v;
      }
      assigned.add(i);
    }
    const bitLength = assigned.size ? Math.max(...assigned) + 1 : 0;
    if (parts.length > bitLength && bitLength < attrs.length && failOnMissing) return missing();
    return data;
  };
}

/** The group letter and index of a mapping such as `A[2]` or `B` (group 1). */
export function regexGroupOf(mapping: string): { group: string; index: number } | null {
  const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(mapping.trim());
  return m ? { group: m[1], index: m[2] === undefined ? 1 : Number(m[2]) } : null;
}

/** Compiles a Java regular expression as JavaScript does (`\p{..}` needs the u flag). */
export function compileRegex(source: string): RegExp {
  return new RegExp(source, /\\[pP]\{/.test(source) ? 'u' : '');
}

function regexRecord(spec: MapSpec, stream: MappedStream, failOnMissing: boolean): RecordDecoder {
  const regexes = new Map([...spec.options].filter(([k]) => k.startsWith('regex.')).map(([k, v]) => [k.slice(6), compileRegex(v)]));
  const mappings = spec.attributes.map(m => {
    const g = regexGroupOf(m.mapping)!;
    return { name: m.name, index: stream.attributes.findIndex(a => a.name === m.name), regex: regexes.get(g.group)!, group: g.index, mapping: m.mapping };
  });
  return record => {
    const data: Value[] = stream.attributes.map(() => null);
    for (const m of mappings) {
      const match = m.regex.exec(record);
      if (match && m.group >= match.length) return `regex group ${m.mapping} of attribute '${m.name}' does not exist`;
      const text = match ? (match[m.group] ?? null) : null;
      if (text === null) {
        if (failOnMissing) return `no value for attribute '${m.name}' (${m.mapping}) in '${shortText(record)}'`;
        continue;
      }
      const type = stream.attributes[m.index].type;
      const v = type === 'STRING' ? text : fromText(text.replace(/,/g, ''), type);
      if (refused(v)) return `attribute '${m.name}': ${v.reason}`;
      data[m.index] = v;
    }
    return data;
  };
}

export function textSinkMapper(spec: MapSpec, stream: MappedStream): SinkMapper {
  const { nl, delimiter } = separators(spec);
  const grouping = flag(spec, 'event.grouping.enabled', false);
  const names = stream.attributes.map(a => a.name);
  const types = stream.attributes.map(a => a.type);
  const template = spec.payload.length ? (parseTemplate(spec.payload[0].template, names) as Template) : undefined;
  const one = (d: readonly Value[]) =>
    template
      ? renderTemplate(template, d, types)
      : d.map((v, i) => (v !== null && types[i] === 'STRING' ? `${names[i]}:"${v as string}"` : `${names[i]}:${javaText(v, types[i])}`)).join(`,${nl}`);
  return {
    type: 'text',
    encode(events) {
      if (!events.length) return [];
      return grouping ? [events.map(one).join(nl + delimiter)] : events.map(one);
    },
  };
}
