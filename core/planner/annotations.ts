import type { Annotation, App } from '../ast/nodes';
import type { SinkPlan, TablePlan } from '../plan/plan';
import type { PlanContext } from './planning-context';

/** Annotations: `@app:*`, `@source`/`@sink` with their `@map`, `@store`, and reading their values. */

const APP_ANNOTATIONS = new Set(['name', 'description', 'playback', 'statistics', 'enforceorder']);

/** The `@app:...` annotations: the app name (default SiddhiApp); unknown ones are errors. */
export function planAppAnnotations(ctx: PlanContext, app: App): string {
  let name = 'SiddhiApp';
  for (const a of app.annotations) {
    const [ns, local] = a.name.includes(':') ? a.name.split(':', 2) : ['', a.name];
    if (ns.toLowerCase() !== 'app') continue;
    const key = local.toLowerCase();
    if (key === 'async') ctx.error(a.pos, '@app:async is not supported: @Async not supported in SiddhiApp level, instead use @Async with streams');
    else if (key === 'name') {
      const v = a.elements[0]?.value;
      if (!v) ctx.error(a.pos, "@app:name needs a value, e.g. @app:name('Orders')");
      else name = v;
    } else if (key === 'playback') {
      const keys = new Set(a.elements.map(e => e.key));
      if (keys.has('idle.time') !== keys.has('increment'))
        ctx.error(a.pos, "@app:playback needs both 'idle.time' and 'increment', or neither");
    } else if (!APP_ANNOTATIONS.has(key)) ctx.error(a.pos, `unknown app annotation @${a.name}`);
  }
  return name;
}


/**
 * `@store(type='dynamodb'|'firestore', table.name='...')`: rows are items of their own in the
 * backend of the function's state store, in the table (collection) `table.name`, default the
 * table's name. Other store types (rdbms, mongodb, redis, ...) are not available on Millrace.
 */
export function planStoreOptions(ctx: PlanContext, id: string, what: 'table' | 'aggregation', a: Annotation): TablePlan['store'] | undefined {
  let type: string | undefined;
  let table = id;
  let ok = true;
  for (const e of a.elements) {
    const key = e.key?.toLowerCase();
    if (key === 'type') type = e.value.toLowerCase();
    else if (key === 'table.name') table = e.value;
    else {
      ok = false;
      ctx.error(e.pos, e.key ? `@store option '${e.key}' is not known; Millrace takes 'type' and 'table.name'` : `@store takes options as key='value' ('type', 'table.name')`, (e.key ?? e.value).length);
    }
  }
  if (type === undefined) {
    ctx.error(a.pos, `@store on ${what} '${id}' needs a type: 'dynamodb' or 'firestore'`);
    return undefined;
  }
  if (type !== 'dynamodb' && type !== 'firestore') {
    ctx.error(a.pos, `@store(type='${type}') is not available: Millrace keeps ${what} rows in 'dynamodb' or 'firestore' (the backend of the app's state store)`);
    return undefined;
  }
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    const given = a.elements.some(e => e.key?.toLowerCase() === 'table.name');
    ctx.error(
      a.pos,
      `@store table.name '${table}'${given ? '' : ` (the ${what}'s name, by default)`} cannot name both a DynamoDB table and a Firestore collection: use 3 to 255 of A-Z a-z 0-9 _ . -${given ? '' : ", or give @store a table.name='...'"}`,
    );
  }
  return ok ? { type, table } : undefined;
}

export function annotationValue(a: Annotation, key: string): string | undefined {
  const el = a.elements.find(e => e.key?.toLowerCase() === key.toLowerCase()) ?? (a.elements.length === 1 && !a.elements[0].key ? a.elements[0] : undefined);
  return el?.value;
}

export function transportPlan(a: Annotation): SinkPlan {
  const options = new Map<string, string>();
  for (const e of a.elements) if (e.key) options.set(e.key, e.value);
  const type = options.get('type') ?? '';
  options.delete('type');
  const m = a.annotations.find(x => x.name.toLowerCase() === 'map');
  let map: SinkPlan['map'];
  if (m) {
    const mo = new Map<string, string>();
    for (const e of m.elements) if (e.key) mo.set(e.key, e.value);
    const mt = mo.get('type') ?? 'passThrough';
    mo.delete('type');
    map = { type: mt, options: mo };
  }
  return { type, options, map };
}
