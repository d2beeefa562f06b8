import type { AttrType } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import { javaText } from './convert';

/**
 * A `@payload` template, as Siddhi's TemplateBuilder reads it: `{{attr}}` is the attribute's value
 * (Java's String.valueOf: 'null', `1.0E20`, `0.33333334`), any other text is kept, a single `{` or
 * `}` too. A template that is nothing but an attribute's name stands for the value itself (an
 * "object message", which only keyvalue takes); one wrapped in backquotes with no space inside
 * is that text (`'`price`'` is the string price).
 */
export type Template =
  | { readonly kind: 'value'; readonly index: number }
  | { readonly kind: 'text'; readonly parts: readonly (string | number)[] };

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/**
 * Parses a template against the stream's attribute names, or names the placeholder that is not one.
 *
 * @example
 *   parseTemplate('Stock {{symbol}} at {{price}}', ['symbol', 'price']) // text: ['Stock ', 0, ' at ', 1]
 */
export function parseTemplate(text: string, names: readonly string[]): Template | { readonly unknown: string } {
  const whole = names.indexOf(text.trim());
  if (whole >= 0) return { kind: 'value', index: whole };
  const t = /^`[^\s]*`$/.test(text) ? text.slice(1, -1) : text;
  const parts: (string | number)[] = [];
  let last = 0;
  for (const m of t.matchAll(PLACEHOLDER)) {
    const name = m[1].replace(/[\p{Ps}\p{Pe}]/gu, '');
    const i = names.indexOf(name);
    if (i < 0) return { unknown: m[1] };
    parts.push(t.slice(last, m.index), i);
    last = m.index! + m[0].length;
  }
  parts.push(t.slice(last));
  return { kind: 'text', parts };
}

/** The template's text for an event (a value template gives the value's text). */
export function renderTemplate(t: Template, data: readonly Value[], types: readonly AttrType[]): string {
  if (t.kind === 'value') return javaText(data[t.index], types[t.index]);
  let out = '';
  for (const p of t.parts) out += typeof p === 'string' ? p : javaText(data[p], types[p]);
  return out;
}
