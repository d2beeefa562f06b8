import { decodeJsonLines } from '../../adapters/local/jsonl-input';
import {
  CompileError,
  compileApp,
  parseOnDemandQuery,
  runInvocation,
  toOutputJson,
  type InputRecord,
  type Logger,
  type StateStore,
} from '../../core';

export interface RunOptions {
  readonly appName: string;
  readonly appText: string;
  readonly inputName: string;
  readonly inputText: string;
  readonly queries: readonly string[];
  /** Input lines per invocation; undefined runs everything in one invocation. */
  readonly batchSize?: number;
  readonly store: StateStore;
  readonly env?: (name: string) => string | undefined;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly logger: Logger;
}

/**
 * `millrace run`: compiles the app, decodes the input file, runs it as one invocation or one per
 * `batchSize` lines through the state store, and prints every output event as a JSON line.
 * Returns the exit code.
 */
export async function runCommand(o: RunOptions): Promise<number> {
  let plan;
  try {
    plan = compileApp(o.appText, { env: o.env });
  } catch (e) {
    if (e instanceof CompileError) {
      o.stderr(e.format(o.appName));
      return 1;
    }
    throw e;
  }
  const parsedQueries = [];
  for (const q of o.queries) {
    try {
      parsedQueries.push(parseOnDemandQuery(q, { env: o.env }));
    } catch (e) {
      if (e instanceof CompileError) {
        o.stderr(e.format('--query'));
        return 1;
      }
      throw e;
    }
  }
  if (parsedQueries.length) {
    o.stderr(`--query: on-demand queries need tables or named windows, which are not supported yet`);
    return 1;
  }

  const input = decodeJsonLines(o.inputText, plan);
  for (const p of input.problems) o.stderr(`${o.inputName}:${p.line}: ${p.message}; line skipped`);
  const fed = new Set(input.records.flatMap(r => (r.stream ? [r.stream] : [])));
  const outputStreams = new Set([...plan.streams.keys()].filter(s => !fed.has(s)));

  const unitKey = `app/${plan.name}/global`;
  const size = o.batchSize ?? Math.max(1, input.records.length);
  for (let from = 0; from < input.records.length || from === 0; from += size) {
    const records: InputRecord[] = input.records.slice(from, from + size);
    const result = await runInvocation({ plan, store: o.store, unitKey, records, outputStreams, logger: o.logger });
    for (const { stream, event } of result.outputs)
      o.stdout(JSON.stringify({ stream, time: event.timestamp, data: event.data.map(toOutputJson) }));
    if (!input.records.length) break;
  }
  return 0;
}
