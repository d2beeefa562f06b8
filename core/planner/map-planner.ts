import type { Annotation } from '../ast/nodes';
import { MAP_TYPES, type MapSpec, type MapType } from '../io/mappers/mapper';
import type { AttributeSchema } from '../plan/schema';
import { planMapAttributes, planMapPayload } from './map-mappings';
import type { PlanContext } from './planning-context';

/**
 * `@map(type=..., ...)` inside `@source` or `@sink`: the type, its options (Siddhi's names for each
 * mapper; `timestamp.attribute` is Millrace's, for sources), `@attributes` (sources) and
 * `@payload` (sinks), checked so that the mappers built from them cannot fail on their own
 * configuration. Returns undefined when there is no `@map`, for `passThrough`, or after an error.
 */

const BOOL = 'bool';
const TEXT = 'text';
type OptionKind = typeof BOOL | typeof TEXT;

const SOURCE_OPTIONS: Record<MapType, Record<string, OptionKind>> = {
  json: { 'enclosing.element': TEXT, 'fail.on.missing.attribute': BOOL, 'event.grouping.enabled': BOOL },
  text: { 'fail.on.missing.attribute': BOOL, 'event.grouping.enabled': BOOL, delimiter: TEXT, 'new.line.character': TEXT },
  csv: { delimiter: TEXT, header: BOOL, 'header.present': BOOL, 'fail.on.unknown.attribute': BOOL, 'event.grouping.enabled': BOOL },
  keyvalue: { 'fail.on.missing.attribute': BOOL, 'implicit.cast.enable': BOOL },
};

const SINK_OPTIONS: Record<MapType, Record<string, OptionKind>> = {
  json: { 'validate.json': BOOL, 'enclosing.element': TEXT, 'event.grouping.enabled': BOOL, 'enable.null.attribute.value': BOOL },
  text: { 'event.grouping.enabled': BOOL, delimiter: TEXT, 'new.line.character': TEXT, 'mustache.enabled': BOOL },
  csv: { delimiter: TEXT, header: BOOL, 'event.grouping.enabled': BOOL },
  keyvalue: {},
};

export interface PlannedMap {
  readonly spec: MapSpec;
  /** `timestamp.attribute`: the index of the LONG attribute whose value is the event time. */
  readonly timestampAttribute?: number;
}

export function planMap(ctx: PlanContext, transport: Annotation, stream: { id: string; attributes: readonly AttributeSchema[] }): PlannedMap | undefined {
  const m = transport.annotations.find(x => x.name.toLowerCase() === 'map');
  if (!m) return undefined;
  const source = transport.name.toLowerCase() === 'source';
  const typeEl = m.elements.find(e => e.key?.toLowerCase() === 'type');
  if (!typeEl) {
    ctx.error(m.pos, `@map needs a type: one of ${MAP_TYPES.join(', ')}`);
    return undefined;
  }
  const type = typeEl.value.toLowerCase();
  if (type === 'passthrough') return undefined;
  if (!(MAP_TYPES as readonly string[]).includes(type)) {
    ctx.error(typeEl.pos, `@map(type='${typeEl.value}') is not available: Millrace maps ${MAP_TYPES.join(', ')}`, typeEl.value.length + 2);
    return undefined;
  }
  const mapType = type as MapType;
  const errorsBefore = ctx.diagnostics.length;
  const known = (source ? SOURCE_OPTIONS : SINK_OPTIONS)[mapType];
  const options = new Map<string, string>();
  for (const e of m.elements) {
    if (e === typeEl) continue;
    const key = e.key;
    if (key === undefined) {
      ctx.error(e.pos, `@map takes options as key='value'`, e.value.length + 2);
      continue;
    }
    const kind = key.startsWith('regex.') && source && mapType === 'text' ? TEXT : key === 'timestamp.attribute' && source ? TEXT : known[key];
    if (kind === undefined) {
      const names = Object.keys(known);
      ctx.error(e.pos, `@map(type='${mapType}') on a ${source ? 'source' : 'sink'} has no option '${key}'${names.length ? `; its options are ${names.join(', ')}` : ''}`, key.length);
    } else if (kind === BOOL && !/^(true|false)$/i.test(e.value)) {
      ctx.error(e.pos, `@map option '${key}' is 'true' or 'false', found '${e.value}'`, key.length);
    } else if (key === 'mustache.enabled' && e.value.toLowerCase() === 'true') {
      ctx.notSupported(e.pos, "mustache.enabled='true' (mustache templates)", key.length);
    }
    options.set(key, e.value);
  }
  const spec: MapSpec = {
    type: mapType,
    options,
    attributes: planMapAttributes(ctx, m, mapType, source, stream),
    payload: planMapPayload(ctx, m, mapType, source, stream),
  };
  const ts = planTimestamp(ctx, m, stream);
  if (ts === null || ctx.diagnostics.length > errorsBefore) return undefined;
  return { spec, ...(ts === undefined ? {} : { timestampAttribute: ts }) };
}

/** `timestamp.attribute='ts'`: the index of a LONG attribute; null after an error. */
function planTimestamp(ctx: PlanContext, m: Annotation, stream: { id: string; attributes: readonly AttributeSchema[] }): number | undefined | null {
  const e = m.elements.find(x => x.key === 'timestamp.attribute');
  if (!e) return undefined;
  const i = stream.attributes.findIndex(a => a.name === e.value);
  if (i < 0) {
    ctx.error(e.pos, `timestamp.attribute '${e.value}' is not an attribute of stream '${stream.id}'`, e.key!.length);
    return null;
  }
  if (stream.attributes[i].type !== 'LONG') {
    ctx.error(e.pos, `timestamp.attribute '${e.value}' is ${stream.attributes[i].type.toLowerCase()}; event times are long milliseconds`, e.key!.length);
    return null;
  }
  return i;
}
