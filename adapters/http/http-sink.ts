import {
  defaultMapSpec,
  recordsOfDecoded,
  sinkMapper,
  sinkPayloads,
  sourceMapper,
  type AppPlan,
  type InputRecord,
  type Logger,
  type OutputEvent,
  type SinkPlan,
  type SinkPayload,
  type SourceMapper,
} from '../../core';
import { EVENT_ID_HEADER, SinkError } from './http-types';

/** What the sink reads of an HTTP response: the subset of `fetch`'s Response it uses. */
export interface FetchResponse {
  readonly status: number;
  readonly headers: { forEach(f: (value: string, name: string) => void): void };
  text(): Promise<string>;
}

/** A narrow `fetch`: global fetch fits it, and a test may hand a fake. */
export type HttpFetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<FetchResponse>;

export interface HttpPublisherOptions {
  readonly plan: AppPlan;
  readonly fetch: HttpFetch;
  readonly logger: Logger;
  /** The receive time of an http-call's response (its events' time unless mapped). */
  readonly now: () => number;
  /** Waits of `on.error='WAIT'` between attempts (injected in tests). */
  readonly sleep: (ms: number) => Promise<void>;
  /** The backoff of `on.error='WAIT'`; after the last wait the payload fails the publish. Default 0.2 s doubling to 5 s, about 30 s in all. */
  readonly waitsMs?: readonly number[];
}

const DEFAULT_WAITS_MS = [200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000, 5000];
const CONTENT_TYPES: Record<string, string> = { json: 'application/json', text: 'text/plain', csv: 'text/plain', keyvalue: 'application/x-www-form-urlencoded' };
const HTTP_TYPES = new Set(['http', 'http-call']);

/** A response source of an http-call sink: `@source(type='http-call-response', sink.id=..., http.status.code=...)`. */
interface ResponseSource {
  readonly stream: string;
  readonly transport: SinkPlan;
  readonly mapper: SourceMapper;
  readonly status: RegExp;
}

/**
 * Publishes committed outputs to the app's `@sink(type='http')` and `@sink(type='http-call')`
 * (Siddhi's option names: `publisher.url`, `method` (POST), `headers`
 * (`"'Name:value','Name2:value2'"`), `basic.auth.username`/`basic.auth.password`, `on.error`),
 * each payload one request carrying its outbox id in `X-Millrace-Event-Id`, and the
 * Content-Type of its mapper (json `application/json`, text `text/plain`, keyvalue
 * `application/x-www-form-urlencoded`) unless `headers` names one. A failure (no answer, or a
 * status other than 2xx for `http`) follows the sink's `on.error`: `LOG` (default) logs and drops
 * it, `WAIT` retries what may pass (no answer, 429, 5xx) with bounded backoff and then fails the
 * publish (the outbox is published again by the next invocation), `STREAM` sends the events with
 * the error to the fault stream `!S`. The answer of an http-call goes to its
 * `http-call-response` sources whose `http.status.code` regex (default `200`) matches. Those
 * events, and the fault events, are new input records: `takeFeedback()` hands them to the
 * function, which runs them as a follow-up invocation; their source position is the outbox id, so
 * they are applied once however often the outbox is published.
 *
 * @example
 *   const publisher = new HttpPublisher({ plan, fetch, logger, now: Date.now, sleep });
 *   await runInvocation({ plan, store, records, outputStreams, publish: o => publisher.publish(o) });
 *   const followUp = publisher.takeFeedback();
 */
export class HttpPublisher {
  private feedback: InputRecord[] = [];
  private readonly responses = new Map<string, ResponseSource[]>();
  /** The app's plan with its http sinks only, a sink without `@map` given the default json one (as Siddhi's http sink). */
  private readonly sinkPlan: AppPlan;

  constructor(private readonly o: HttpPublisherOptions) {
    const sinks = new Map<string, SinkPlan[]>();
    for (const [stream, transports] of o.plan.sinks) {
      const http = transports.map(t => (HTTP_TYPES.has(t.type) && !t.encoder ? { ...t, encoder: sinkMapper(defaultMapSpec('json'), o.plan.streams.get(stream)!) } : t));
      sinks.set(stream, http);
    }
    this.sinkPlan = { ...o.plan, sinks };
    for (const [stream, transports] of o.plan.sources)
      for (const t of transports) {
        if (t.type !== 'http-call-response') continue;
        const id = t.options.get('sink.id') ?? '';
        const mapper = t.decoder ?? sourceMapper(defaultMapSpec('json'), o.plan.streams.get(stream)!);
        const status = new RegExp(`^(?:${t.options.get('http.status.code') ?? '200'})$`);
        this.responses.set(id, [...(this.responses.get(id) ?? []), { stream, transport: t, mapper, status }]);
      }
  }

  /** Whether the app has sinks this publisher serves. */
  static serves(plan: AppPlan): boolean {
    return [...plan.sinks.values()].some(ts => ts.some(t => HTTP_TYPES.has(t.type)));
  }

  /** Publishes the http and http-call payloads of these outputs, in order. */
  async publish(outputs: readonly OutputEvent[]): Promise<void> {
    for (const group of groups(outputs)) {
      const payloads = sinkPayloads(this.sinkPlan, group).filter(p => HTTP_TYPES.has(p.sink.type));
      for (const p of payloads) {
        const events = payloads.filter(q => q.sinkIndex === p.sinkIndex).length === group.length ? group.filter(o => o.id === p.id) : group;
        await this.send(p, events);
      }
    }
  }

  /** The records the last publications produced (http-call answers, sink fault events), once. */
  takeFeedback(): InputRecord[] {
    const out = this.feedback;
    this.feedback = [];
    return out;
  }

  private async send(p: SinkPayload, events: readonly OutputEvent[]): Promise<void> {
    const url = p.sink.options.get('publisher.url');
    const onError = (p.sink.options.get('on.error') ?? 'LOG').toUpperCase();
    const call = p.sink.type === 'http-call';
    const waits = onError === 'WAIT' ? (this.o.waitsMs ?? DEFAULT_WAITS_MS) : [];
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      let retryable = true;
      try {
        if (!url) throw new Error('the sink has no publisher.url');
        const res = await this.o.fetch(url, { method: (p.sink.options.get('method') ?? 'POST').toUpperCase(), headers: requestHeaders(p), body: p.sink.options.get('method')?.toUpperCase() === 'GET' ? undefined : p.payload });
        const text = await res.text();
        if (call) return this.answer(p, res, text);
        if (res.status >= 200 && res.status < 300) return;
        failure = `${url} answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
        retryable = res.status === 429 || res.status >= 500;
      } catch (e) {
        failure = `no answer from ${url ?? '(no url)'}: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (retryable && attempt < waits.length) {
        this.o.logger.warn(`sink '${p.sink.type}' of stream '${p.stream}': ${failure}; retrying in ${waits[attempt]} ms (on.error='WAIT', attempt ${attempt + 1} of ${waits.length})`);
        await this.o.sleep(waits[attempt]);
        continue;
      }
      if (onError === 'WAIT' && retryable) throw new SinkError(`sink '${p.sink.type}' of stream '${p.stream}' gave up after ${attempt + 1} attempts: ${failure}; event id ${p.id}`);
      return this.failed(p, events, failure, onError);
    }
  }

  private failed(p: SinkPayload, events: readonly OutputEvent[], failure: string, onError: string): void {
    const fault = `!${p.stream}`;
    if (onError === 'STREAM' && this.o.plan.streams.has(fault)) {
      const error = new SinkError(`sink '${p.sink.type}' of stream '${p.stream}' could not publish: ${failure}`);
      const source = { kind: 'message' as const, id: `sink:${p.stream}:${p.sinkIndex}`, position: p.id };
      for (const e of events) this.feedback.push({ stream: fault, time: e.event.timestamp, data: [...e.event.data, error], source });
      return;
    }
    this.o.logger.error(`Error on '${this.o.plan.name}'. Dropping event at sink '${p.sink.type}' of stream '${p.stream}': ${failure}; event id ${p.id}; payload: ${p.payload.slice(0, 500)}`);
  }

  /** An http-call's answer, to the response sources of its sink.id that take its status. */
  private answer(p: SinkPayload, res: FetchResponse, body: string): void {
    const sinkId = p.sink.options.get('sink.id') ?? '';
    const matching = (this.responses.get(sinkId) ?? []).filter(r => r.status.test(String(res.status)));
    if (!matching.length) {
      this.o.logger.error(`http-call sink '${sinkId}' of stream '${p.stream}': no http-call-response source takes status ${res.status}; answer dropped (event id ${p.id})`);
      return;
    }
    const source = { kind: 'message' as const, id: `http-call:${sinkId}`, position: p.id };
    const time = this.o.now();
    for (const r of matching) this.feedback.push(...recordsOfDecoded(this.o.plan, r.stream, r.mapper, r.transport, body, { time, source, logger: this.o.logger }));
  }
}

/** Outputs of one stream that one input record produced: one chunk for the sink mappers, as sinkPayloads groups them. */
function groups(outputs: readonly OutputEvent[]): OutputEvent[][] {
  const recordOf = (id: string) => id.slice(0, id.lastIndexOf('/'));
  const out: OutputEvent[][] = [];
  for (const o of outputs) {
    const last = out[out.length - 1];
    if (last && last[0].stream === o.stream && recordOf(last[0].id) === recordOf(o.id)) last.push(o);
    else out.push([o]);
  }
  return out;
}

/** Siddhi's `headers` option: `"'Name:value','Name2:value2'"`. */
export function parseHeaders(option: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (option ?? '').matchAll(/'([^']*)'/g)) {
    const i = m[1].indexOf(':');
    if (i > 0) out[m[1].slice(0, i).trim()] = m[1].slice(i + 1).trim();
  }
  return out;
}

function requestHeaders(p: SinkPayload): Record<string, string> {
  const given = parseHeaders(p.sink.options.get('headers'));
  const headers: Record<string, string> = {};
  if (!Object.keys(given).some(k => k.toLowerCase() === 'content-type')) headers['Content-Type'] = CONTENT_TYPES[p.sink.encoder?.type ?? 'json'] ?? 'text/plain';
  const user = p.sink.options.get('basic.auth.username');
  if (user !== undefined) headers.Authorization = `Basic ${Buffer.from(`${user}:${p.sink.options.get('basic.auth.password') ?? ''}`).toString('base64')}`;
  return { ...headers, ...given, [EVENT_ID_HEADER]: p.id };
}
