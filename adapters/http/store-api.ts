import { CompileError, jsonText, runInvocation, runReadQuery, toOutputJson, type AppPlan, type Logger, type QueryResult, type StateStore } from '../../core';
import { anySecretEquals } from './credentials';
import { errorResponse, type HttpRequest, type HttpResponse } from './http-types';

export const STORE_QUERY_PATH = '/stores/query';

export interface StoreApiOptions {
  /** The apps this Store API answers for, by `@app:name`. */
  readonly apps: ReadonlyMap<string, AppPlan>;
  readonly store: StateStore;
  /** API keys accepted in `apiKeyHeader`; null when the route is authorised otherwise (IAM). */
  readonly apiKeys: readonly string[] | null;
  /** Default `x-api-key`. */
  readonly apiKeyHeader?: string;
  /** Whether on-demand insert, update and delete queries may run (they commit like an invocation). Default false. */
  readonly allowWrites?: boolean;
  /** Queries answering more rows are refused (400), so no answer is silently cut. */
  readonly rowLimit: number;
  readonly maxBodyBytes: number;
  /** A prefix of every request path to ignore (an API Gateway stage). */
  readonly basePath?: string;
  readonly logger: Logger;
}

interface QueryBody {
  readonly appName: string;
  readonly query: string;
  readonly details: boolean;
}

/**
 * The Store API, WSO2 Streaming Integrator's contract (DESIGN.md section 4): `POST /stores/query`
 * with `{"appName": "...", "query": "from T select ...", "details": true}` answers
 * `{"records": [[...], ...], "details": [{"name": "...", "dataType": "STRING"}]}` (details only
 * when asked), LONGs exact. Errors are `{"code": ..., "type": "error", "message": "..."}`: 400 for a
 * bad body, a query that does not compile (the planner's message with line and column) or one
 * answering more than the row limit; 401 without a valid API key (compared in constant time);
 * 403 for a query that writes unless writes are allowed; 404 for an unknown app or path; 405 for
 * another method; 413 over the size limit; 500 for anything else. Reads go through runReadQuery:
 * nothing is written, and a `@store` table or aggregation is read from its items alone.
 *
 * @example
 *   const res = await storeQuery(req, { apps: new Map([[plan.name, plan]]), store, apiKeys: ['k'], rowLimit: 1000, maxBodyBytes: 65536, logger });
 */
export async function storeQuery(req: HttpRequest, o: StoreApiOptions): Promise<HttpResponse> {
  const base = o.basePath?.replace(/\/+$/, '') ?? '';
  const path = base && req.path.startsWith(`${base}/`) ? req.path.slice(base.length) : req.path;
  if (path !== STORE_QUERY_PATH) return errorResponse(404, `no such resource '${path}': the Store API answers POST ${STORE_QUERY_PATH}`);
  if (req.method.toUpperCase() !== 'POST') return errorResponse(405, `${req.method} is not allowed: send the query with POST`, { allow: 'POST' });
  if (o.apiKeys && !anySecretEquals(req.headers[o.apiKeyHeader ?? 'x-api-key'] ?? '', o.apiKeys) ) return errorResponse(401, `a valid API key is needed in the '${o.apiKeyHeader ?? 'x-api-key'}' header`);
  if (req.body.byteLength > o.maxBodyBytes) return errorResponse(413, `the body has ${req.body.byteLength} bytes; at most ${o.maxBodyBytes} are accepted`);
  const body = readBody(req.body);
  if (typeof body === 'string') return errorResponse(400, body);
  const plan = o.apps.get(body.appName);
  if (!plan) return errorResponse(404, `there is no Siddhi app named '${body.appName}' here${o.apps.size ? ` (there is ${[...o.apps.keys()].map(n => `'${n}'`).join(', ')})` : ''}`);
  const log = o.logger;
  let result: QueryResult;
  try {
    if (plan.planQuery(body.query).kind === 'write') {
      if (!o.allowWrites) return errorResponse(403, 'the Store API is read-only: on-demand insert, update and delete queries are not allowed here (MILLRACE_STORE_API_WRITES=true allows them)');
      const r = await runInvocation({ plan, store: o.store, records: [], queries: [body.query], outputStreams: new Set(), logger: log });
      result = r.queryResults[0];
    } else {
      const r = await runReadQuery({ plan, store: o.store, query: body.query, logger: log });
      log.info(`store query answered ${r.records.length} rows (global unit read: ${r.globalUnitRead}, units read: ${r.unitsRead})`);
      result = r;
    }
  } catch (e) {
    if (e instanceof CompileError) return errorResponse(400, e.format('query'));
    log.error(`store query on app '${plan.name}' failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return errorResponse(500, `the query could not be answered: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (result.records.length > o.rowLimit)
    return errorResponse(400, `the query answers ${result.records.length} rows, more than the limit of ${o.rowLimit}: narrow it or add 'limit ${o.rowLimit}'`);
  const answer = { records: result.records.map(row => row.map(toOutputJson)), ...(body.details ? { details: result.details } : {}) };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: jsonText(answer) };
}

/** The body's fields, or what is wrong with it. */
function readBody(bytes: Uint8Array): QueryBody | string {
  const text = new TextDecoder().decode(bytes);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `the body is not JSON (${(e as Error).message}): send {"appName": "...", "query": "from T select ...", "details": true}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the body must be a JSON object {"appName": "...", "query": "...", "details": true}';
  const b = v as Record<string, unknown>;
  const unknown = Object.keys(b).filter(k => !['appName', 'query', 'details'].includes(k));
  if (unknown.length) return `the body has fields the Store API does not take: ${unknown.join(', ')} (it takes appName, query, details)`;
  if (typeof b.appName !== 'string' || !b.appName) return "'appName' must be the name of a Siddhi app (a non-empty string)";
  if (typeof b.query !== 'string' || !b.query.trim()) return "'query' must be an on-demand query (a non-empty string), such as \"from T select *\"";
  if (b.details !== undefined && typeof b.details !== 'boolean') return "'details' must be true or false";
  return { appName: b.appName, query: b.query, details: b.details === true };
}
