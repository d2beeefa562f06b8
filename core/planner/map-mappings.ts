import type { Annotation, AnnotationElement } from '../ast/nodes';
import { parseJsonPath } from '../io/mappers/json-path';
import type { MapSpec, MapType } from '../io/mappers/mapper';
import { parseTemplate } from '../io/mappers/template';
import { compileRegex, regexGroupOf } from '../io/mappers/text-mapper';
import type { AttributeSchema } from '../plan/schema';
import type { PlanContext } from './planning-context';

/** `@attributes(...)` of a source's `@map` and `@payload(...)` of a sink's, checked against the stream. */

interface Stream {
  readonly id: string;
  readonly attributes: readonly AttributeSchema[];
}

const nested = (m: Annotation, name: string) => m.annotations.filter(a => a.name.toLowerCase() === name);

/** Each `@attributes` element named (positional ones take the attributes in order). */
export function planMapAttributes(ctx: PlanContext, m: Annotation, type: MapType, source: boolean, stream: Stream): MapSpec['attributes'] {
  const [a, ...more] = nested(m, 'attributes');
  if (!a) return [];
  if (!source) {
    ctx.error(a.pos, '@attributes maps the payloads of a source; a sink takes @payload(...)');
    return [];
  }
  if (more.length) ctx.error(more[0].pos, '@map takes one @attributes');
  const positional = a.elements.every(e => e.key === undefined);
  if (!positional && a.elements.some(e => e.key === undefined)) {
    ctx.error(a.pos, '@attributes elements are either all named (attr=\'mapping\') or all positional');
    return [];
  }
  if (positional && a.elements.length !== stream.attributes.length) {
    ctx.error(a.pos, `@attributes without names maps every attribute of '${stream.id}' in order: ${stream.attributes.length} needed, ${a.elements.length} given`);
    return [];
  }
  const seen = new Set<string>();
  const out: { name: string; mapping: string }[] = [];
  a.elements.forEach((e, k) => {
    const name = e.key ?? stream.attributes[k].name;
    if (!stream.attributes.some(x => x.name === name)) ctx.error(e.pos, `@attributes names '${name}', which is not an attribute of stream '${stream.id}'`, name.length);
    else if (seen.has(name)) ctx.error(e.pos, `@attributes maps '${name}' twice`, name.length);
    else if (checkMapping(ctx, m, type, e)) out.push({ name, mapping: e.value });
    seen.add(name);
  });
  return out;
}

function checkMapping(ctx: PlanContext, m: Annotation, type: MapType, e: AnnotationElement): boolean {
  if (type === 'json') {
    const p = parseJsonPath(e.value);
    if (typeof p === 'string') ctx.error(e.pos, `@attributes: ${p}`);
    return typeof p !== 'string';
  }
  if (type === 'csv') {
    const ok = /^\d+$/.test(e.value.trim());
    if (!ok) ctx.error(e.pos, `@attributes of a csv mapping give field positions (0, 1, ...), found '${e.value}'`);
    return ok;
  }
  if (type === 'text') return checkRegexMapping(ctx, m, e);
  return true;
}

function checkRegexMapping(ctx: PlanContext, m: Annotation, e: AnnotationElement): boolean {
  const g = regexGroupOf(e.value);
  const regex = g && m.elements.find(x => x.key === `regex.${g.group}`);
  if (!g || !regex) {
    ctx.error(e.pos, `@attributes of a text mapping name a regex group such as 'A[1]' with its regex.A='...' option, found '${e.value}'`);
    return false;
  }
  try {
    compileRegex(regex.value);
  } catch (err) {
    ctx.error(regex.pos, `regex.${g.group} is not a valid regular expression: ${(err as Error).message}`, regex.key!.length);
    return false;
  }
  return true;
}

/** The `@payload` of a sink's `@map`: one template for json and text, keyed fields for csv and keyvalue. */
export function planMapPayload(ctx: PlanContext, m: Annotation, type: MapType, source: boolean, stream: Stream): MapSpec['payload'] {
  const [p, ...more] = nested(m, 'payload');
  if (!p) return [];
  if (source) {
    ctx.error(p.pos, '@payload shapes what a sink publishes; a source takes @attributes(...)');
    return [];
  }
  if (more.length) ctx.error(more[0].pos, '@map takes one @payload');
  const names = stream.attributes.map(a => a.name);
  if (type === 'json' || type === 'text') {
    if (p.elements.length !== 1) {
      ctx.error(p.pos, `the ${type} mapper takes one @payload template, found ${p.elements.length}`);
      return [];
    }
    const t = parseTemplate(p.elements[0].value, names);
    if ('unknown' in t) ctx.error(p.elements[0].pos, `@payload names {{${t.unknown}}}, which is not an attribute of stream '${stream.id}'`);
    else if (t.kind === 'value') ctx.error(p.elements[0].pos, `the ${type} mapper does not take an attribute's name alone as @payload; write '{{${p.elements[0].value.trim()}}}'`);
    else return [{ template: p.elements[0].value }];
    return [];
  }
  const out: { key: string; template: string }[] = [];
  for (const e of p.elements) {
    if (e.key === undefined) {
      ctx.error(e.pos, `@payload of a ${type} mapping takes key='value' elements`);
      continue;
    }
    if (type === 'csv' && !names.includes(e.key)) ctx.error(e.pos, `@payload names '${e.key}', which is not an attribute of stream '${stream.id}'`, e.key.length);
    else if (type === 'csv' && !/^\d+$/.test(e.value.trim())) ctx.error(e.pos, `@payload of a csv mapping gives column positions (0, 1, ...), found '${e.value}'`, e.key.length);
    else if (type === 'keyvalue' && 'unknown' in parseTemplate(e.value, names))
      ctx.error(e.pos, `@payload names {{${(parseTemplate(e.value, names) as { unknown: string }).unknown}}}, which is not an attribute of stream '${stream.id}'`, e.key.length);
    else out.push({ key: e.key, template: e.value });
  }
  if (type === 'csv' && out.length === p.elements.length) {
    const positions = out.map(x => Number(x.template)).sort((a, b) => a - b);
    if (positions.some((x, k) => x !== k)) ctx.error(p.pos, `@payload of a csv mapping numbers its columns 0 to ${out.length - 1}, each once; found ${out.map(x => x.template).join(', ')}`);
  }
  return out;
}
