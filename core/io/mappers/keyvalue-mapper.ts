import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import { JAVA_LIMITS } from '../../kernel/java-num';
import { parseJavaBool, parseJavaDouble, parseJavaFloat, parseJavaInt, parseJavaLong } from '../../kernel/java-text';
import { gsonString, valueJson } from './json-sink';
import { JsonNumber, JsonObject, parseJsonTree, type JsonNode } from './json-tree';
import { shownNode } from './json-values';
import { flag, payloadText, refused, Refused, type MapSpec, type MappedStream, type SinkMapper, type SourceMapper } from './mapper';
import { parseTemplate, renderTemplate, type Template } from './template';

/**
 * `@map(type='keyvalue')`, siddhi-map-keyvalue. Siddhi's transports hand this mapper a Java Map;
 * on the wire Millrace's is a flat JSON object (`{"symbol":"WSO2","price":55.6,"volume":100}`),
 * its numbers untyped as a BigInteger or BigDecimal would be. Each attribute is read under its
 * name, or the key `@attributes(symbol='s')` gives. Types are strict unless
 * `implicit.cast.enable='true'` (then strings are parsed): BOOL takes a boolean, INT and LONG an
 * integral number in range, FLOAT and DOUBLE any number, STRING a string or a number (its
 * BigDecimal text); OBJECT is refused, as in Siddhi. A missing key drops the payload unless
 * `fail.on.missing.attribute='false'` (then null).
 */
export function keyValueSourceMapper(spec: MapSpec, stream: MappedStream): SourceMapper {
  const failOnMissing = flag(spec, 'fail.on.missing.attribute', true);
  const cast = flag(spec, 'implicit.cast.enable', false);
  const keys = stream.attributes.map(a => spec.attributes.find(m => m.name === a.name)?.mapping ?? (spec.attributes.length ? undefined : a.name));
  return {
    chunked: true,
    type: 'keyvalue',
    decode(payload) {
      const parsed = parseJsonTree(payloadText(payload));
      const fail = (p: string) => ({ events: [], problems: [p] });
      if (!parsed.ok) return fail(`not valid JSON: ${parsed.message}`);
      if (!(parsed.value instanceof JsonObject)) return fail(`expected a JSON object of keys and values, found ${shownNode(parsed.value)}`);
      const map = parsed.value;
      const data: Value[] = [];
      for (let k = 0; k < keys.length; k++) {
        const a = stream.attributes[k];
        const node = keys[k] === undefined ? undefined : map.get(keys[k]!);
        if (node === undefined || node === null) {
          if (failOnMissing && keys[k] !== undefined) return fail(`no value for attribute '${a.name}' of stream '${stream.id}' (key '${keys[k]}')`);
          data.push(null);
          continue;
        }
        const v = keyValue(node, a.type, cast);
        if (refused(v)) return fail(`attribute '${a.name}': ${v.reason}`);
        data.push(v);
      }
      return { events: [data], problems: [] };
    },
  };
}

const { INT_MIN, INT_MAX, LONG_MIN, LONG_MAX } = JAVA_LIMITS;

/** An integral number's value within [min, max], or null. */
function integralIn(n: JsonNumber, min: bigint, max: bigint): bigint | null {
  const d = decimalOf(n.text);
  if (d.scale > 0 && !/^0*$/.test(d.digits.slice(d.digits.length - d.scale))) return null;
  const whole = d.scale > 0 ? d.digits.slice(0, d.digits.length - d.scale) || '0' : d.digits + '0'.repeat(-d.scale);
  if (whole.length > 25) return null;
  const v = (d.negative ? -1n : 1n) * BigInt(whole);
  return v >= min && v <= max ? v : null;
}

function keyValue(n: Exclude<JsonNode, null>, type: AttrType, cast: boolean): Value | Refused {
  const no = () => new Refused(`${shownNode(n)} is not compatible with type ${type}`);
  const num = n instanceof JsonNumber ? n : null;
  const castText = cast && (typeof n === 'string' || typeof n === 'boolean' || num) ? (num ? bigDecimalText(num) : String(n)) : null;
  const parsed = (v: Value | null) => (v === null ? no() : v);
  switch (type) {
    case 'BOOL':
      return typeof n === 'boolean' ? n : castText !== null ? parseJavaBool(castText) : no();
    case 'INT': {
      const v = num && integralIn(num, BigInt(INT_MIN), BigInt(INT_MAX));
      return v !== null && v !== undefined ? Number(v) : castText !== null && !num ? parsed(parseJavaInt(castText)) : no();
    }
    case 'LONG': {
      const v = num && integralIn(num, LONG_MIN, LONG_MAX);
      return v !== null && v !== undefined ? parseJavaLong(v.toString())! : castText !== null && !num ? parsed(parseJavaLong(castText)) : no();
    }
    case 'FLOAT':
      return num ? parseJavaFloat(num.text)! : castText !== null ? parsed(parseJavaFloat(castText)) : no();
    case 'DOUBLE':
      return num ? Number(num.text) : castText !== null ? parsed(parseJavaDouble(castText)) : no();
    case 'STRING':
      return typeof n === 'string' ? n : num ? bigDecimalText(num) : no();
    default:
      return new Refused(`stream attribute type OBJECT is not supported by the keyvalue mapper`);
  }
}

/** Sign, unscaled digits and scale of a JSON number, as java.math.BigDecimal holds it. */
function decimalOf(text: string): { negative: boolean; digits: string; scale: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const frac = m[3] ?? '';
  const digits = (m[2] + frac).replace(/^0+(?=\d)/, '');
  return { negative: m[1] === '-' && /[1-9]/.test(digits), digits, scale: frac.length - Number(m[4] ?? 0) };
}

/** `BigInteger.toString()` for an integer token, `BigDecimal.toString()` for others (`1e3` is `1E+3`). */
export function bigDecimalText(n: JsonNumber): string {
  const { negative, digits, scale } = decimalOf(n.text);
  const sign = negative ? '-' : '';
  if (n.integral || scale === 0) return sign + digits;
  const adjusted = digits.length - 1 - scale;
  if (scale > 0 && adjusted >= -6) {
    const padded = digits.padStart(scale + 1, '0');
    return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/**
 * Sinks write the JSON object of the attributes under their names, or `@payload(k='template')`:
 * a template that is an attribute's name gives its value, any other its text.
 */
export function keyValueSinkMapper(spec: MapSpec, stream: MappedStream): SinkMapper {
  const names = stream.attributes.map(a => a.name);
  const types = stream.attributes.map(a => a.type);
  const fields: { key: string; template: Template }[] = spec.payload.length
    ? spec.payload.map(p => ({ key: p.key!, template: parseTemplate(p.template, names) as Template }))
    : names.map((key, index) => ({ key, template: { kind: 'value', index } }));
  const json = (v: Value, type: AttrType) => (typeof v === 'number' && !Number.isFinite(v) ? 'null' : (valueJson(v, type) ?? 'null'));
  return {
    type: 'keyvalue',
    encode(events) {
      return events.map(d => {
        const parts = fields.map(({ key, template: t }) => {
          const v = t.kind === 'value' ? json(d[t.index], types[t.index]) : gsonString(renderTemplate(t, d, types));
          return `${gsonString(key)}:${v}`;
        });
        return `{${parts.join(',')}}`;
      });
    },
  };
}
