import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  MemoryStateStore,
  compileApp,
  jsonText,
  memoryLogger,
  parseJsonExact,
  recordsOfPayload,
  runInvocation,
  sinkPayloads,
  toOutputJson,
  type AppPlan,
  type InputRecord,
} from '../../core';
import { valueEq } from './conformance-cases';

/**
 * Mapper cases (test/unit/io/cases/<mapper>/<name>.json, written by scripts/oracle-mapper-case.mjs
 * from the real Siddhi with its map extensions): an app with `@source(type='inMemory', topic=...,
 * @map(...))` and `@sink(type='inMemory', topic=..., @map(...))` streams, payload lines, and what
 * Siddhi printed: every stream's events and every payload each sink topic published.
 */
export interface MapperCase {
  readonly name: string;
  readonly description: string;
  readonly app: string;
  readonly input: readonly { topic?: string; time?: number; payload?: string; map?: Record<string, unknown> }[];
  readonly expected: readonly ({ stream: string; time: number; data: unknown[] } | { topic: string; payload?: string; map?: Record<string, unknown> })[];
}

const DIR = join(__dirname, '../unit/io/cases');

export function loadMapperCases(): MapperCase[] {
  const out: MapperCase[] = [];
  for (const cat of readdirSync(DIR).sort()) {
    if (!statSync(join(DIR, cat)).isDirectory()) continue;
    for (const f of readdirSync(join(DIR, cat)).sort()) if (f.endsWith('.json')) out.push(parseJsonExact(readFileSync(join(DIR, cat, f), 'utf8')) as MapperCase);
  }
  return out;
}

/** The streams whose `@source`/`@sink` is `inMemory` on `topic`, with the index of that annotation. */
function byTopic(m: AppPlan['sources']): Map<string, { stream: string; index: number }[]> {
  const out = new Map<string, { stream: string; index: number }[]>();
  for (const [stream, ts] of m)
    ts.forEach((t, index) => {
      const topic = t.options.get('topic');
      if (t.type.toLowerCase() === 'inmemory' && topic) out.set(topic, [...(out.get(topic) ?? []), { stream, index }]);
    });
  return out;
}

export interface MapperRun {
  readonly streams: Map<string, { time: number; data: unknown[] }[]>;
  readonly topics: Map<string, string[]>;
  readonly log: readonly string[];
}

/** Runs a case through recordsOfPayload, the invocation runner and sinkPayloads, as an adapter would. */
export async function runMapperCase(c: MapperCase): Promise<MapperRun> {
  const plan = compileApp(c.app);
  const logger = memoryLogger();
  const sources = byTopic(plan.sources);
  const records: InputRecord[] = [];
  c.input.forEach((line, k) => {
    const time = line.time ?? 0;
    if (line.topic === undefined) return void records.push({ time });
    const payload = line.payload ?? jsonText(line.map);
    for (const s of sources.get(line.topic) ?? [])
      records.push(...recordsOfPayload(plan, s.stream, s.index, payload, { time, source: { kind: 'sequence', id: `topic:${line.topic}`, position: String(k + 1) }, logger }));
  });
  const result = await runInvocation({ plan, store: new MemoryStateStore(), records, outputStreams: new Set(plan.streams.keys()), logger });
  const streams = new Map<string, { time: number; data: unknown[] }[]>();
  for (const o of result.outputs) streams.set(o.stream, [...(streams.get(o.stream) ?? []), { time: o.event.timestamp, data: o.event.data.map(toOutputJson) }]);
  const topics = new Map<string, string[]>();
  for (const p of sinkPayloads(plan, result.outputs)) {
    const topic = p.sink.options.get('topic')!;
    topics.set(topic, [...(topics.get(topic) ?? []), p.payload]);
  }
  return { streams, topics, log: logger.lines };
}

/** Null when the run printed what Siddhi did (per stream and per topic, in order), else the first difference. */
export function judgeMapperCase(c: MapperCase, r: MapperRun): string | null {
  const expStreams = new Map<string, { time: number; data: unknown[] }[]>();
  const expTopics = new Map<string, ({ payload?: string; map?: Record<string, unknown> })[]>();
  for (const e of c.expected) {
    if ('stream' in e) expStreams.set(e.stream, [...(expStreams.get(e.stream) ?? []), e]);
    else expTopics.set(e.topic, [...(expTopics.get(e.topic) ?? []), e]);
  }
  for (const [s, es] of expStreams) {
    const as = r.streams.get(s) ?? [];
    for (let i = 0; i < Math.max(es.length, as.length); i++) {
      if (!es[i] || !as[i] || es[i].time !== as[i].time || !valueEq(es[i].data, as[i].data))
        return `stream ${s} event #${i + 1}: expected ${jsonText(es[i] ?? null)}, got ${jsonText(as[i] ?? null)}`;
    }
  }
  for (const [s, as] of r.streams) if (!expStreams.has(s) && !s.startsWith('!')) return `unexpected events on ${s}: ${jsonText(as[0])}`;
  for (const [t, es] of expTopics) {
    const as = r.topics.get(t) ?? [];
    for (let i = 0; i < Math.max(es.length, as.length); i++) {
      const e = es[i];
      const a = as[i];
      const same = e && a !== undefined && (e.map ? valueEq(e.map, parseJsonExact(a)) : e.payload === a);
      if (!same) return `topic ${t} payload #${i + 1}: expected ${jsonText(e?.payload ?? e?.map ?? null)}, got ${jsonText(a ?? null)}`;
    }
  }
  for (const [t, as] of r.topics) if (!expTopics.has(t)) return `unexpected payloads on ${t}: ${as[0]}`;
  return null;
}
