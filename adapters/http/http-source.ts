import {
  defaultMapSpec,
  MappingError,
  recordsOfDecoded,
  sourceMapper,
  type AppPlan,
  type InputRecord,
  type Logger,
  type SinkPlan,
  type SourceMapper,
} from '../../core';
import { basicAuthorized } from './credentials';
import { errorResponse, jsonResponse, type HttpRequest, type HttpResponse } from './http-types';

/** One `@source(type='http', ...)` of the app: the path it answers and the stream it feeds. */
export interface HttpSourceRoute {
  /** The path of `receiver.url` (default `/<app name>/<stream>`, as Siddhi's). */
  readonly path: string;
  readonly stream: string;
  readonly sourceIndex: number;
  /** `basic.auth.enabled='true'`. */
  readonly auth: boolean;
  readonly transport: SinkPlan;
  readonly mapper: SourceMapper;
}

export interface HttpIngestOptions {
  /** `user:password` pairs accepted by sources with `basic.auth.enabled='true'`. */
  readonly credentials: readonly string[];
  /** Bodies above this many bytes are answered 413. */
  readonly maxBodyBytes: number;
  /** A prefix of every request path to ignore (an API Gateway stage such as `/prod`). */
  readonly basePath?: string;
  readonly logger: Logger;
}

/** What to do with a request: answer it at once, or run its records and then answer. */
export type IngestDecision =
  | { readonly kind: 'answer'; readonly response: HttpResponse }
  | { readonly kind: 'run'; readonly route: HttpSourceRoute; readonly records: InputRecord[]; readonly response: HttpResponse };

/** A client may name its request, so that its retry of the same request is applied once. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * The app's http sources, one route per path. Throws (at cold start) on two sources sharing a
 * path, a `receiver.url` that is not a URL, and auth asked for without credentials configured.
 *
 * @example
 *   const routes = httpSourceRoutes(plan, { credentials: ['u:p'] });
 */
export function httpSourceRoutes(plan: AppPlan, options: Pick<HttpIngestOptions, 'credentials'>): HttpSourceRoute[] {
  const routes: HttpSourceRoute[] = [];
  for (const [stream, transports] of plan.sources)
    transports.forEach((t, sourceIndex) => {
      if (t.type !== 'http') return;
      const url = t.options.get('receiver.url');
      let path = `/${plan.name}/${stream}`;
      if (url !== undefined) {
        try {
          path = new URL(url, 'http://0.0.0.0').pathname;
        } catch {
          throw new Error(`@source(type='http') of stream '${stream}': receiver.url '${url}' is not a URL`);
        }
      }
      const auth = (t.options.get('basic.auth.enabled') ?? 'false').toLowerCase() === 'true';
      if (auth && !options.credentials.length) throw new Error(`@source(type='http') of stream '${stream}' has basic.auth.enabled='true' but no credentials are configured`);
      const other = routes.find(r => r.path === path);
      if (other) throw new Error(`@source(type='http') of streams '${other.stream}' and '${stream}' both receive at '${path}'`);
      const mapper = t.decoder ?? sourceMapper(defaultMapSpec('json'), plan.streams.get(stream)!);
      routes.push({ path, stream, sourceIndex, auth, transport: t, mapper });
    });
  return routes;
}

/**
 * Siddhi's http source for one request (method, path, headers, body): the route of its path
 * (404 without one), POST only (405), basic authentication where the source asks for it (401,
 * credentials compared in constant time), the size limit (413), a non-empty body (400); then the
 * body through the source's mapper (json `{"event":{...}}` by default, arrays for many events)
 * into input records at the receive time, unless the mapping maps a timestamp. A body of which
 * nothing maps is answered 400 with the mapper's reasons (its fault events, under
 * `@OnError(action='STREAM')`, still run); a body that maps in part is accepted and the answer
 * lists what was dropped. The records' source is the path, their position the request id (or the
 * client's `Idempotency-Key`), so a redelivered request is applied once.
 */
export function ingestRequest(plan: AppPlan, routes: readonly HttpSourceRoute[], req: HttpRequest, options: HttpIngestOptions): IngestDecision {
  const base = options.basePath?.replace(/\/+$/, '') ?? '';
  const path = base && req.path.startsWith(`${base}/`) ? req.path.slice(base.length) : req.path;
  const route = routes.find(r => r.path === path);
  if (!route) return answer(errorResponse(404, `no http source receives at '${path}'${routes.length ? ` (the app's: ${routes.map(r => r.path).join(', ')})` : ''}`));
  if (req.method.toUpperCase() !== 'POST') return answer(errorResponse(405, `${req.method} is not allowed at '${path}': send the events with POST`, { allow: 'POST' }));
  if (route.auth && !basicAuthorized(req.headers.authorization, options.credentials))
    return answer(errorResponse(401, `'${path}' needs valid basic authentication credentials`, { 'www-authenticate': 'Basic realm="millrace"' }));
  if (req.body.byteLength > options.maxBodyBytes) return answer(errorResponse(413, `the body has ${req.body.byteLength} bytes; at most ${options.maxBodyBytes} are accepted`));
  if (!req.body.byteLength) return answer(errorResponse(400, `the body is empty: send one event or an array of events for stream '${route.stream}'`));

  const problems: string[] = [];
  const logger: Logger = {
    ...options.logger,
    error: m => {
      problems.push(m);
      options.logger.error(m);
    },
  };
  const position = req.headers[IDEMPOTENCY_HEADER] || req.requestId;
  const source = { kind: 'message' as const, id: `http:${route.path}`, position };
  const records = recordsOfDecoded(plan, route.stream, route.mapper, route.transport, req.body, { time: req.receivedAt, source, logger });
  let events = 0;
  for (const r of records) {
    if (r.stream === route.stream) events += r.chunk ? r.chunk.length : 1;
    else {
      const e = r.data?.[r.data.length - 1];
      if (e instanceof MappingError) problems.push(e.reason);
    }
  }
  if (!problems.length) return { kind: 'run', route, records, response: jsonResponse(200, { status: 'accepted', events }) };
  if (!events) {
    const response = errorResponse(400, `the body could not be mapped to stream '${route.stream}' with @map(type='${route.mapper.type}'): ${problems.join('; ')}`);
    return records.length ? { kind: 'run', route, records, response } : answer(response);
  }
  return { kind: 'run', route, records, response: jsonResponse(200, { status: 'accepted', events, rejected: problems }) };
}

const answer = (response: HttpResponse): IngestDecision => ({ kind: 'answer', response });
