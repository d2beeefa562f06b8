import { decodeJsonLines } from '../../adapters/local/jsonl-input';
import {
  CompileError,
  compileApp,
  parseOnDemandQuery,
  planOnDemand,
  runBatches,
  toOutputJson,
  type Logger,
  type OutputEvent,
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
  // Plan every query before running anything, so that an error exits before any output.
  for (const q of o.queries) {
    try {
      planOnDemand(plan, parseOnDemandQuery(q, { env: o.env }), q);
    } catch (e) {
      if (e instanceof CompileError) {
        o.stderr(e.format('--query'));
        return 1;
      }
      throw e;
    }
  }

  const input = decodeJsonLines(o.inputText, plan);
  for (const p of input.problems) o.stderr(`${o.inputName}:${p.line}: ${p.message}; line skipped`);
  const fed = new Set(input.records.flatMap(r => (r.stream ? [r.stream] : [])));
  const outputStreams = new Set([...plan.streams.keys()].filter(s => !fed.has(s)));

  const print = (outputs: readonly OutputEvent[]) => {
    for (const { stream, event } of outputs) o.stdout(JSON.stringify({ stream, time: event.timestamp, data: event.data.map(toOutputJson) }));
  };
  const result = await runBatches({
    plan,
    store: o.store,
    records: input.records,
    batchSize: o.batchSize,
    queries: o.queries,
    outputStreams,
    logger: o.logger,
    onOutputs: print,
    onDropped: (i, failure) => o.stderr(`${o.inputName}:${input.lines[i]}: ${failure instanceof Error ? failure.message : String(failure)}; line skipped`),
  });
  result.queryResults.forEach((r, i) => o.stdout(JSON.stringify({ query: o.queries[i], records: r.records.map(row => row.map(toOutputJson)) })));
  return 0;
}
