import { JAVA_LIMITS, parseJavaLong, parseJsonExact, type AppPlan, type InputRecord, type StreamSchema, type Value } from '../../core';

export interface InputProblem {
  readonly line: number;
  readonly message: string;
}

const { INT_MIN, INT_MAX, LONG_MIN, LONG_MAX } = JAVA_LIMITS;

/** How a value of the line is shown in a message (bigints as the digits they were). */
const shown = (v: unknown): string => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v));

/**
 * A LONG exactly as written: a JSON integer (beyond 2^53 too, see parseJsonExact) or a decimal
 * string, within Java's long range.
 */
function longValue(v: unknown): Value | string {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return v >= LONG_MIN && v <= LONG_MAX ? v : `expected a long, found ${v} (beyond the long range)`;
  if (typeof v === 'string') {
    const parsed = parseJavaLong(v);
    return parsed ?? `expected a long, found ${JSON.stringify(v)}`;
  }
  return `expected a long, found ${shown(v)}`;
}

function checkValue(type: string, v: unknown): Value | string {
  if (v === null) return null;
  switch (type) {
    case 'STRING':
      return typeof v === 'string' ? v : `expected a string, found ${JSON.stringify(v)}`;
    case 'INT':
      return typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX ? v : `expected an int, found ${shown(v)}`;
    case 'LONG':
      return longValue(v);
    case 'FLOAT':
      return typeof v === 'number' || typeof v === 'bigint' ? Math.fround(Number(v)) : `expected a float, found ${shown(v)}`;
    case 'DOUBLE':
      return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : `expected a double, found ${shown(v)}`;
    case 'BOOL':
      return typeof v === 'boolean' ? v : `expected a bool, found ${JSON.stringify(v)}`;
    default:
      return v as Value;
  }
}

/**
 * Decodes one line of the `millrace run` input format: `{"stream":"S","time":MS,"data":[...]}`,
 * `{"stream":"S","time":MS,"event":{"attr":value}}`, or `{"time":MS}` alone to move the clock.
 * Returns the record, a problem (why the line does not fit the app), or null for a blank line.
 *
 * @example
 *   decodeJsonLine('{"time":5}', plan); // { time: 5 }
 */
export function decodeJsonLine(text: string, plan: AppPlan): InputRecord | { problem: string } | null {
  const raw = text.trim();
  if (!raw) return null;
  const problem = (message: string) => ({ problem: message });
  let o: unknown;
  try {
    o = parseJsonExact(raw);
  } catch (e) {
    return problem(`not valid JSON (${(e as Error).message})`);
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return problem('expected a JSON object like {"stream":"S","time":1000,"data":[...]}');
  const rec = o as LineObject;
  if (typeof rec.time !== 'number' || !Number.isFinite(rec.time)) return problem(`"time" must be a number of milliseconds, found ${shown(rec.time)}`);
  const unknownKeys = Object.keys(rec).filter(k => !['stream', 'time', 'data', 'event'].includes(k));
  if (unknownKeys.length) return problem(`unknown field${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map(k => `"${k}"`).join(', ')}`);
  if (rec.stream === undefined) {
    if (rec.data !== undefined || rec.event !== undefined) return problem('an event needs a "stream"');
    return { time: rec.time };
  }
  if (typeof rec.stream !== 'string') return problem(`"stream" must be a string, found ${JSON.stringify(rec.stream)}`);
  const schema = plan.streams.get(rec.stream);
  if (!schema || schema.origin === 'fault' || schema.origin === 'trigger') {
    return problem(`unknown stream '${rec.stream}'; the app's input streams are ${plan.inputStreams.join(', ') || '(none)'}`);
  }
  const values = eventValues(rec, rec.stream, schema);
  if (typeof values === 'string') return problem(values);
  const data = typedData(values, rec.stream, schema);
  return typeof data === 'string' ? problem(data) : { stream: rec.stream, time: rec.time, data };
}

interface LineObject {
  stream?: unknown;
  time?: unknown;
  data?: unknown;
  event?: unknown;
}

/** The line's values in the stream's attribute order, or why there are none. */
function eventValues(rec: LineObject, stream: string, schema: StreamSchema): unknown[] | string {
  if (rec.data !== undefined && rec.event !== undefined) return 'give either "data" or "event", not both';
  if (Array.isArray(rec.data)) {
    if (rec.data.length !== schema.attributes.length)
      return `stream '${stream}' has ${schema.attributes.length} attributes (${schema.attributes.map(a => a.name).join(', ')}), the line has ${rec.data.length} values`;
    return rec.data;
  }
  if (rec.event && typeof rec.event === 'object' && !Array.isArray(rec.event)) {
    const ev = rec.event as Record<string, unknown>;
    const extra = Object.keys(ev).filter(k => !schema.attributes.some(a => a.name === k));
    if (extra.length) return `stream '${stream}' has no attribute ${extra.map(k => `'${k}'`).join(', ')}`;
    const missing = schema.attributes.filter(a => !(a.name in ev)).map(a => a.name);
    if (missing.length) return `missing attribute${missing.length > 1 ? 's' : ''} ${missing.map(k => `'${k}'`).join(', ')} of stream '${stream}' (use null for no value)`;
    return schema.attributes.map(a => ev[a.name]);
  }
  return 'an event needs "data": [...] or "event": {...}';
}

/** The values checked against their attribute types, or why one does not fit. */
function typedData(values: unknown[], stream: string, schema: StreamSchema): Value[] | string {
  const data: Value[] = [];
  for (let k = 0; k < values.length; k++) {
    const a = schema.attributes[k];
    const v = checkValue(a.type, values[k]);
    if (typeof v === 'string' && a.type !== 'STRING' && a.type !== 'OBJECT') return `attribute '${a.name}' of '${stream}' is ${a.type.toLowerCase()}: ${v}`;
    if (a.type === 'STRING' && typeof values[k] !== 'string' && values[k] !== null) return `attribute '${a.name}' of '${stream}' is string: ${v as string}`;
    data.push(v);
  }
  return data;
}

/**
 * Decodes input lines as they are read, each record carrying its line number as its position in
 * the source `sourceId` (like a sequence number in a shard): a state that committed up to a line
 * skips it when the same input is run again. Lines that do not fit the app go to `onProblem` and
 * are skipped.
 *
 * @example
 *   for await (const r of jsonLineRecords(lines, plan, 'file:/data/in.jsonl', p => warn(p))) ...
 */
export async function* jsonLineRecords(
  lines: Iterable<string> | AsyncIterable<string>,
  plan: AppPlan,
  sourceId: string,
  onProblem: (p: InputProblem) => void,
): AsyncGenerator<InputRecord> {
  let line = 0;
  for await (const raw of lines) {
    line++;
    const r = decodeJsonLine(raw, plan);
    if (r === null) continue;
    if ('problem' in r) onProblem({ line, message: r.problem });
    else yield { ...r, source: { kind: 'sequence', id: sourceId, position: String(line) } };
  }
}
