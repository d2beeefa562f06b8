import type { AppPlan } from '../../core';

/** What an app touches on AWS, read from its annotations (DESIGN.md section 5). */
export interface AppResources {
  /** Kinesis streams the app reads: `@source(type='kinesis', stream.name=...)`, with the app streams fed from each. */
  readonly kinesisSources: ReadonlyMap<string, readonly string[]>;
  /** Kinesis streams the app writes: `@sink(type='kinesis', stream.name=...)`. */
  readonly kinesisSinks: ReadonlyMap<string, readonly string[]>;
  /** Routes of `@source(type='http', receiver.url=...)`: the URL's path, with its app stream. */
  readonly httpRoutes: readonly { readonly path: string; readonly stream: string }[];
  /** `@store(type='dynamodb', table.name=...)` tables and aggregations: their DynamoDB table names. */
  readonly rowTables: readonly { readonly table: string; readonly of: string }[];
  /** What the Store API can read: tables, named windows, aggregations. */
  readonly queryable: boolean;
  /** Why the app's state is global (so it has one writer at a time), or null when it is not. */
  readonly globalState: string | null;
  readonly warnings: readonly string[];
}

/** The path of a `receiver.url` (Siddhi's default is `http://0.0.0.0:9763/<app>/<stream>`). */
function routePath(url: string | undefined, app: string, stream: string): string {
  if (!url) return `/${app}/${stream}`;
  try {
    return new URL(url).pathname || '/';
  } catch {
    return url.startsWith('/') ? url : `/${url}`;
  }
}

function add(m: Map<string, string[]>, key: string, value: string): void {
  m.set(key, [...(m.get(key) ?? []), value]);
}

/**
 * The resources of an app: its Kinesis streams, HTTP routes, `@store` tables, and whether its
 * state is global. A query outside any `partition` that keeps state (a window, a join, a pattern,
 * aggregates, a rate limit), and every table, named window and aggregation, is global state: one
 * writer at a time, whatever the number of shards.
 *
 * @example
 *   const r = appResources(compileApp(text));
 *   r.kinesisSources.get('orders') // ['OrderStream']
 */
export function appResources(plan: AppPlan): AppResources {
  const kinesisSources = new Map<string, string[]>();
  const kinesisSinks = new Map<string, string[]>();
  const httpRoutes: { path: string; stream: string }[] = [];
  const warnings: string[] = [];
  for (const [stream, list] of plan.sources)
    for (const s of list) {
      if (s.type === 'kinesis') {
        const name = s.options.get('stream.name');
        if (name) add(kinesisSources, name, stream);
        else warnings.push(`@source(type='kinesis') on ${stream} has no stream.name: left out`);
      } else if (s.type === 'http') httpRoutes.push({ path: routePath(s.options.get('receiver.url'), plan.name, stream), stream });
      else warnings.push(`@source(type='${s.type}') on ${stream} has no AWS function: left out`);
    }
  for (const [stream, list] of plan.sinks)
    for (const s of list) {
      if (s.type !== 'kinesis') continue;
      const name = s.options.get('stream.name');
      if (name) add(kinesisSinks, name, stream);
      else warnings.push(`@sink(type='kinesis') on ${stream} has no stream.name: left out`);
    }
  const rowTables: { table: string; of: string }[] = [];
  for (const [what, list] of [['table', plan.tables], ['aggregation', plan.aggregations]] as const)
    for (const t of list) {
      if (t.store?.type === 'dynamodb') rowTables.push({ table: t.store.table, of: `${what} ${t.id}` });
      else if (t.store) warnings.push(`${what} ${t.id} is @store(type='${t.store.type}'): not an AWS table, left out`);
    }
  return {
    kinesisSources,
    kinesisSinks,
    httpRoutes,
    rowTables,
    queryable: plan.tables.length + plan.windows.length + plan.aggregations.length > 0,
    globalState: globalState(plan),
    warnings,
  };
}

/** Windows whose operators set timers on the app's clock. */
const TIMED_WINDOWS = new Set(['time', 'timeBatch', 'timeLength', 'delay', 'session', 'cron', 'externalTimeBatch']);

/** What in a query sets timers (a time window, `within`, an absent element, a time rate limit), or null. */
function timerDriven(q: AppPlan['queries'][number]): string | null {
  const w = q.handlers.find(h => h.kind === 'window' && TIMED_WINDOWS.has(h.name));
  if (w && w.kind === 'window') return `a ${w.name} window`;
  if (q.join && [q.join.left, q.join.right].some(s => 'handlers' in s && s.handlers.some(h => h.kind === 'window' && TIMED_WINDOWS.has(h.name)))) return 'a time window in a join';
  if (q.state) return 'a pattern or sequence, whose within and absent elements set timers';
  if (q.rate && q.rate.kind !== 'events') return 'a time rate limit';
  return null;
}

function globalState(plan: AppPlan): string | null {
  for (const q of plan.queries) {
    const window = q.handlers.find(h => h.kind === 'window');
    if (window) return `query ${q.name} keeps a ${window.name} window outside any partition`;
    if (q.join) return `query ${q.name} joins outside any partition`;
    if (q.state) return `query ${q.name} matches a pattern outside any partition`;
    if (q.selector.aggregates.length) return `query ${q.name} aggregates outside any partition`;
    if (q.rate) return `query ${q.name} rate-limits its output outside any partition`;
  }
  for (const p of plan.partitions) {
    if (p.purge) return `partition ${p.id} purges idle keys (@purge), so when each key was last seen is global state`;
    if (p.broadcast.length) return `partition ${p.id} reads ${p.broadcast[0]} unpartitioned, so every key takes its events`;
    const timed = p.queries.find(timerDriven);
    if (timed) return `query ${timed.name} in partition ${p.id} sets timers (${timerDriven(timed)}), and the app's timers are global state`;
  }
  if (plan.tables.length) return `table ${plan.tables[0].id} is shared by every event`;
  if (plan.windows.length) return `window ${plan.windows[0].id} is shared by every event`;
  if (plan.aggregations.length) return `aggregation ${plan.aggregations[0].id} is shared by every event`;
  return null;
}
