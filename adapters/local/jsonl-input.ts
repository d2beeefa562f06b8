import type { AppPlan, InputRecord, Value } from '../../core';

export interface InputProblem {
  readonly line: number;
  readonly message: string;
}

export interface DecodedInput {
  readonly records: InputRecord[];
  /** Line number (1-based) of each record, for messages. */
  readonly lines: number[];
  readonly problems: InputProblem[];
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

function checkValue(type: string, v: unknown): Value | string {
  if (v === null) return null;
  switch (type) {
    case 'STRING':
      return typeof v === 'string' ? v : `expected a string, found ${JSON.stringify(v)}`;
    case 'INT':
      return typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX ? v : `expected an int, found ${JSON.stringify(v)}`;
    case 'LONG':
      return typeof v === 'number' && Number.isInteger(v) ? v : `expected a long, found ${JSON.stringify(v)}`;
    case 'FLOAT':
      return typeof v === 'number' ? Math.fround(v) : `expected a float, found ${JSON.stringify(v)}`;
    case 'DOUBLE':
      return typeof v === 'number' ? v : `expected a double, found ${JSON.stringify(v)}`;
    case 'BOOL':
      return typeof v === 'boolean' ? v : `expected a bool, found ${JSON.stringify(v)}`;
    default:
      return v as Value;
  }
}

/**
 * Decodes the `millrace run` input format, one JSON object per line:
 * `{"stream":"S","time":MS,"data":[...]}`, `{"stream":"S","time":MS,"event":{"attr":value}}`,
 * or `{"time":MS}` alone to move the clock. A line that does not fit the app is reported with its
 * number and skipped; the rest is decoded.
 *
 * @example
 *   const { records, problems } = decodeJsonLines(text, plan);
 */
export function decodeJsonLines(text: string, plan: AppPlan): DecodedInput {
  const records: InputRecord[] = [];
  const lines: number[] = [];
  const problems: InputProblem[] = [];
  const all = text.split(/\r?\n/);
  for (let i = 0; i < all.length; i++) {
    const raw = all[i].trim();
    if (!raw) continue;
    const line = i + 1;
    const problem = (message: string) => problems.push({ line, message });
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch (e) {
      problem(`not valid JSON (${(e as Error).message})`);
      continue;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      problem('expected a JSON object like {"stream":"S","time":1000,"data":[...]}');
      continue;
    }
    const rec = o as { stream?: unknown; time?: unknown; data?: unknown; event?: unknown };
    if (typeof rec.time !== 'number' || !Number.isFinite(rec.time)) {
      problem(`"time" must be a number of milliseconds, found ${JSON.stringify(rec.time)}`);
      continue;
    }
    const unknownKeys = Object.keys(rec).filter(k => !['stream', 'time', 'data', 'event'].includes(k));
    if (unknownKeys.length) {
      problem(`unknown field${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map(k => `"${k}"`).join(', ')}`);
      continue;
    }
    if (rec.stream === undefined) {
      if (rec.data !== undefined || rec.event !== undefined) {
        problem('an event needs a "stream"');
        continue;
      }
      records.push({ time: rec.time });
      lines.push(line);
      continue;
    }
    if (typeof rec.stream !== 'string') {
      problem(`"stream" must be a string, found ${JSON.stringify(rec.stream)}`);
      continue;
    }
    const schema = plan.streams.get(rec.stream);
    if (!schema || schema.origin === 'fault' || schema.origin === 'trigger') {
      problem(`unknown stream '${rec.stream}'; the app's input streams are ${plan.inputStreams.join(', ') || '(none)'}`);
      continue;
    }
    let values: unknown[];
    if (rec.data !== undefined && rec.event !== undefined) {
      problem('give either "data" or "event", not both');
      continue;
    } else if (Array.isArray(rec.data)) {
      if (rec.data.length !== schema.attributes.length) {
        problem(`stream '${rec.stream}' has ${schema.attributes.length} attributes (${schema.attributes.map(a => a.name).join(', ')}), the line has ${rec.data.length} values`);
        continue;
      }
      values = rec.data;
    } else if (rec.event && typeof rec.event === 'object' && !Array.isArray(rec.event)) {
      const ev = rec.event as Record<string, unknown>;
      const extra = Object.keys(ev).filter(k => !schema.attributes.some(a => a.name === k));
      if (extra.length) {
        problem(`stream '${rec.stream}' has no attribute ${extra.map(k => `'${k}'`).join(', ')}`);
        continue;
      }
      const missing = schema.attributes.filter(a => !(a.name in ev)).map(a => a.name);
      if (missing.length) {
        problem(`missing attribute${missing.length > 1 ? 's' : ''} ${missing.map(k => `'${k}'`).join(', ')} of stream '${rec.stream}' (use null for no value)`);
        continue;
      }
      values = schema.attributes.map(a => ev[a.name]);
    } else {
      problem('an event needs "data": [...] or "event": {...}');
      continue;
    }
    const data: Value[] = [];
    let bad: string | null = null;
    for (let k = 0; k < values.length; k++) {
      const a = schema.attributes[k];
      const v = checkValue(a.type, values[k]);
      if (typeof v === 'string' && a.type !== 'STRING' && a.type !== 'OBJECT') {
        bad = `attribute '${a.name}' of '${rec.stream}' is ${a.type.toLowerCase()}: ${v}`;
        break;
      }
      if (a.type === 'STRING' && typeof values[k] !== 'string' && values[k] !== null) {
        bad = `attribute '${a.name}' of '${rec.stream}' is string: ${v as string}`;
        break;
      }
      data.push(v);
    }
    if (bad) {
      problem(bad);
      continue;
    }
    records.push({ stream: rec.stream, time: rec.time, data });
    lines.push(line);
  }
  return { records, lines, problems };
}
