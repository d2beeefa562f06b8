import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import { parseJavaBool, parseJavaDouble, parseJavaFloat, parseJavaInt, parseJavaLong } from '../../kernel/java-text';
import { javaToString } from '../../builtins/functions/scalar-functions';
import { Refused } from './mapper';

/**
 * Siddhi's AttributeConverter.getPropertyValue(String, type), what the text, csv and the json
 * mapper's arrays and custom mappings use: Java's parsers, so `Integer.parseInt` refuses ' 1' and
 * '1.0', `Float.parseFloat` trims, and a BOOL is `Boolean.parseBoolean` (any text but a
 * case-insensitive 'true' is false).
 *
 * @example
 *   fromText('12', 'INT') // 12
 *   fromText('yes', 'BOOL') // false
 *   fromText('1.5', 'LONG') // Refused
 */
export function fromText(text: string, type: AttrType): Value | Refused {
  let v: Value;
  switch (type) {
    case 'BOOL':
      return parseJavaBool(text);
    case 'INT':
      v = parseJavaInt(text);
      break;
    case 'LONG':
      v = parseJavaLong(text);
      break;
    case 'FLOAT':
      v = parseJavaFloat(text);
      break;
    case 'DOUBLE':
      v = parseJavaDouble(text);
      break;
    default:
      return text;
  }
  return v === null ? new Refused(`'${text}' is not ${article(type)} ${type.toLowerCase()}`) : v;
}

const article = (t: AttrType) => (t === 'INT' ? 'an' : 'a');

/** `String.valueOf(v)` in Java for an attribute of `type` ('null' for null). */
export function javaText(v: Value, type: AttrType): string {
  return javaToString(v, type) ?? 'null';
}
