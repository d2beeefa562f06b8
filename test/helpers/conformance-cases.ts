import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../adapters/local/file-state-store';
import { decodeJsonLine } from '../../adapters/local/jsonl-input';
import { compileApp, jsonText, MemoryStateStore, parseJsonExact, silentLogger, type AppPlan, type InputRecord, type StateStore } from '../../core';
import { runCommand } from '../../functions/local/run-command';

export interface CaseEvent {
  stream: string;
  time?: number;
  data: unknown[];
}

export interface ConformanceCase {
  name: string;
  category: string;
  description: string;
  app: string;
  input: ({ stream?: string; time: number; data?: unknown[] })[];
  expected: CaseEvent[];
  storeQueries?: { query: string; expected: unknown[][] }[];
  error?: 'compile';
}

export const CASES_DIR = join(__dirname, '../conformance/cases');

export function loadCases(dir = CASES_DIR): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const category of readdirSync(dir).sort()) {
    const cdir = join(dir, category);
    if (!statSync(cdir).isDirectory()) continue;
    for (const f of readdirSync(cdir).sort()) {
      if (!f.endsWith('.json')) continue;
      // Exactly: a LONG beyond 2^53 in a case stays the bigint it is.
      const c = parseJsonExact(readFileSync(join(cdir, f), 'utf8')) as ConformanceCase;
      out.push({ ...c, category, name: c.name ?? `${category}/${f.replace(/\.json$/, '')}` });
    }
  }
  return out;
}

export type Mode = 'one invocation' | 'invocation per line';

export interface RunResult {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** Runs a case through the same code path as `millrace run`, in process. */
export async function runCase(c: ConformanceCase, mode: Mode, storeOverride?: StateStore, batchSize?: number): Promise<RunResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let dir: string | undefined;
  const store =
    storeOverride ?? (mode === 'one invocation' ? new MemoryStateStore() : new FileStateStore((dir = mkdtempSync(join(tmpdir(), 'millrace-case-')))));
  try {
    const code = await runCommand({
      appName: `${c.name}.siddhi`,
      appText: c.app,
      inputName: 'input.jsonl',
      input: c.input.map(x => jsonText(x)).join('\n') + '\n',
      queries: (c.storeQueries ?? []).map(q => q.query),
      batchSize: mode === 'one invocation' ? undefined : (batchSize ?? 1),
      store,
      stdout: l => stdout.push(l),
      stderr: l => stderr.push(l),
      logger: silentLogger,
    });
    return { code, stdout, stderr };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function numEq(a: number, b: number): boolean {
  if (a === b) return true;
  const diff = Math.abs(a - b);
  return diff <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) || diff <= 1e-9;
}

export function valueEq(e: unknown, a: unknown): boolean {
  if (e === null || e === undefined) return a === null || a === undefined;
  if (typeof e === 'bigint' || typeof a === 'bigint') return e === a;
  if (typeof e === 'number') return typeof a === 'number' && numEq(e, a);
  if (Array.isArray(e)) return Array.isArray(a) && a.length === e.length && e.every((x, i) => valueEq(x, a[i]));
  if (typeof e === 'object') {
    if (!a || typeof a !== 'object' || Array.isArray(a)) return false;
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    return [...keys].every(k => valueEq((e as Record<string, unknown>)[k], (a as Record<string, unknown>)[k]));
  }
  return e === a;
}

/** The same judgement as shared/conformance/check.mjs: null when the run matches the case. */
export function judge(c: ConformanceCase, r: RunResult): string | null {
  if (c.error) return r.code !== 0 ? null : 'expected a compile error, got exit 0';
  if (r.code !== 0) return `exit code ${r.code}: ${r.stderr.join(' | ').slice(0, 300)}`;
  const events: CaseEvent[] = [];
  const stores = new Map<string, unknown[][]>();
  for (const line of r.stdout) {
    const o = parseJsonExact(line) as { stream?: unknown; query?: unknown; records?: unknown[][] } & CaseEvent;
    if (typeof o.stream === 'string') events.push(o);
    else if (typeof o.query === 'string') stores.set(o.query, [...(stores.get(o.query) ?? []), ...(o.records ?? [])]);
  }
  const inputStreams = new Set(c.input.filter(x => x.stream).map(x => x.stream));
  const group = (es: CaseEvent[]) => {
    const m = new Map<string, CaseEvent[]>();
    for (const e of es) m.set(e.stream, [...(m.get(e.stream) ?? []), e]);
    return m;
  };
  const exp = group(c.expected);
  const act = group(events.filter(e => !(inputStreams.has(e.stream) && !exp.has(e.stream))));
  const short = (v: unknown) => jsonText(v);
  for (const [s, es] of exp) {
    const as = act.get(s) ?? [];
    for (let i = 0; i < Math.min(es.length, as.length); i++) {
      if (es[i].time !== undefined && es[i].time !== as[i].time)
        return `stream ${s} event #${i + 1}: expected time ${es[i].time}, got ${as[i].time} (data ${short(as[i].data)})`;
      if (!valueEq(es[i].data, as[i].data)) return `stream ${s} event #${i + 1}: expected ${short(es[i].data)}, got ${short(as[i].data)}`;
    }
    if (es.length !== as.length)
      return `stream ${s}: expected ${es.length} events, got ${as.length}` +
        (as.length > es.length ? `; first extra ${short(as[es.length].data)}@${as[es.length].time}` : `; first missing ${short(es[as.length].data)}@${es[as.length].time}`);
  }
  for (const [s, as] of act) if (!exp.has(s)) return `unexpected stream ${s} (${as.length} events, first ${short(as[0].data)})`;
  for (const q of c.storeQueries ?? []) {
    const rows = stores.get(q.query) ?? [];
    if (rows.length !== q.expected.length) return `store query "${q.query}": expected ${q.expected.length} rows, got ${rows.length}`;
    if (/\border\s+by\b/i.test(q.query)) {
      for (let i = 0; i < rows.length; i++) if (!valueEq(q.expected[i], rows[i])) return `store query "${q.query}" row #${i + 1}: expected ${short(q.expected[i])}, got ${short(rows[i])}`;
    } else {
      const used = rows.map(() => false);
      for (const w of q.expected) {
        const k = rows.findIndex((x, i) => !used[i] && valueEq(w, x));
        if (k < 0) return `store query "${q.query}": expected row ${short(w)} not found in ${short(rows)}`;
        used[k] = true;
      }
    }
  }
  return null;
}

/** A conformance case ready for the invocation runner. */
export interface InvocationCase {
  readonly c: ConformanceCase;
  readonly plan: AppPlan;
  /** The case's input, numbered like records of one Kinesis shard. */
  readonly records: InputRecord[];
  /** The streams no input line feeds. */
  readonly outputs: Set<string>;
}

/**
 * Every conformance case that Siddhi accepts, ready for the invocation runner. A case that does not
 * compile fails here (the conformance test says why): properties hold for every case, not for a
 * chosen few.
 */
export function invocationCases(): InvocationCase[] {
  return loadCases()
    .filter(c => !c.error)
    .map(c => {
      const plan = compileApp(c.app);
      const fed = new Set(c.input.flatMap(r => (r.stream ? [r.stream] : [])));
      const records = typedInput(c, plan).map((r, i) => ({ ...r, source: { kind: 'sequence' as const, id: 'shard-1', position: String(1000 + i) } }));
      return { c, plan, records, outputs: new Set([...plan.streams.keys()].filter(s => !fed.has(s))) };
    });
}

/**
 * A case's input as records of the app's types, decoded as `millrace run` decodes its input (a
 * LONG given as a decimal string becomes the long): what any function hands the engine.
 */
export function typedInput(c: ConformanceCase, plan: AppPlan): InputRecord[] {
  return c.input.map((x, i) => {
    const r = decodeJsonLine(jsonText(x), plan);
    if (r === null || 'problem' in r) throw new Error(`${c.name}: input line ${i + 1} does not fit the app: ${r?.problem ?? 'blank'}`);
    return r;
  });
}
