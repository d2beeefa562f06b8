import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import { JAVA_LIMITS } from '../../kernel/java-num';
import { javaDoubleToString, parseJavaFloat, parseJavaLong } from '../../kernel/java-text';
import { JsonNumber, JsonObject, jsonTreeValue, type JsonNode } from './json-tree';
import { Refused } from './mapper';

/** How a node is shown in a message. */
export function shownNode(n: JsonNode): string {
  const t = javaJsonText(n);
  return t.length > 60 ? `${t.slice(0, 60)}...` : t;
}

/**
 * A node as Siddhi's JSON libraries print it: compact, integers as their exact digits, decimals
 * as Java doubles (`1e3` is `1000.0`), as Jackson's and Gson's trees do.
 */
export function javaJsonText(n: JsonNode): string {
  if (n === null || typeof n === 'boolean') return String(n);
  if (typeof n === 'string') return JSON.stringify(n);
  if (n instanceof JsonNumber) return numberText(n);
  if (Array.isArray(n)) return `[${n.map(javaJsonText).join(',')}]`;
  return `{${n.entries.map(([k, v]) => `${JSON.stringify(k)}:${javaJsonText(v)}`).join(',')}}`;
}

function numberText(n: JsonNumber): string {
  return n.integral ? BigInt(n.text).toString() : javaDoubleToString(Number(n.text));
}

/** A scalar or a document as the text the json mapper's custom mapping converts (Jayway's values printed by Java). */
export function customText(n: Exclude<JsonNode, null>): string {
  return typeof n === 'string' ? n : typeof n === 'boolean' ? String(n) : javaJsonText(n);
}

const { INT_MIN, INT_MAX } = JAVA_LIMITS;

function intOf(n: JsonNumber): number | null {
  const v = Number(n.text);
  return v >= INT_MIN && v <= INT_MAX ? v : null;
}

const refuse = (n: JsonNode, type: AttrType, why = '') => new Refused(`${shownNode(n)} is not compatible with type ${type}${why}`);

/**
 * The default (one object) JSON mapping's conversion, Siddhi's token rules: BOOL takes true or
 * false, INT and LONG an integer token in range, DOUBLE a decimal token only (`4` is refused,
 * `4.0` taken), FLOAT any number, STRING any scalar (as written) or a document (its JSON text),
 * OBJECT a document as a plain value or a scalar.
 */
export function strictValue(n: JsonNode, type: AttrType): Value | Refused {
  if (n === null) return null;
  const num = n instanceof JsonNumber ? n : null;
  switch (type) {
    case 'BOOL':
      return typeof n === 'boolean' ? n : refuse(n, type);
    case 'INT':
      if (!num?.integral) return refuse(n, type);
      return intOf(num) ?? refuse(n, type, ' (beyond the int range)');
    case 'LONG': {
      if (!num?.integral) return refuse(n, type);
      const v = parseJavaLong(num.text);
      return v ?? refuse(n, type, ' (beyond the long range)');
    }
    case 'DOUBLE':
      return num && !num.integral ? Number(num.text) : refuse(n, type, num ? ' (an integer token; write it as a decimal)' : '');
    case 'FLOAT':
      return num ? parseJavaFloat(num.text)! : refuse(n, type);
    case 'STRING':
      if (typeof n === 'string') return n;
      return num ? num.text : typeof n === 'boolean' ? String(n) : javaJsonText(n);
    default:
      return objectValue(n);
  }
}

function objectValue(n: Exclude<JsonNode, null>): Value | Refused {
  if (n instanceof JsonNumber) {
    if (!n.integral) return parseJavaFloat(n.text)!;
    return intOf(n) ?? refuse(n, 'OBJECT', ' (an integer beyond the int range)');
  }
  if (Array.isArray(n) || n instanceof JsonObject) return jsonTreeValue(n) as Value;
  return n;
}
