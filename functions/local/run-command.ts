import { decodeJsonLines } from '../../adapters/local/jsonl-input';
import {
  CommitTooLargeError,
  CompileError,
  compileApp,
  parseOnDemandQuery,
  planOnDemand,
  runInvocation,
  toOutputJson,
  type InputRecord,
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

  const unitKey = `app/${plan.name}/global`;
  const size = o.batchSize ?? Math.max(1, input.records.length);
  const print = (outputs: readonly OutputEvent[]) => {
    for (const { stream, event } of outputs) o.stdout(JSON.stringify({ stream, time: event.timestamp, data: event.data.map(toOutputJson) }));
  };
  for (let from = 0; from < input.records.length; ) {
    const records: InputRecord[] = input.records.slice(from, from + size);
    const result = await runInvocation({ plan, store: o.store, unitKey, records, outputStreams, logger: o.logger });
    print(result.outputs);
    // Like a platform redelivering failed records: the rest of the batch runs again. A record that
    // could not be processed is skipped (it would fail again); one that did not fit is retried.
    from += records.length - result.failed.length;
    if (result.failed.length && !(result.failure instanceof CommitTooLargeError)) {
      const why = result.failure instanceof Error ? result.failure.message : String(result.failure);
      o.stderr(`${o.inputName}:${input.lines[from]}: ${why}; line skipped`);
      from++;
    }
  }
  // The store queries run after all input, as one more invocation (their writes are committed).
  if (o.queries.length || !input.records.length) {
    const result = await runInvocation({ plan, store: o.store, unitKey, records: [], queries: o.queries, outputStreams, logger: o.logger });
    print(result.outputs);
    result.queryResults.forEach((r, i) => o.stdout(JSON.stringify({ query: o.queries[i], records: r.records.map(row => row.map(toOutputJson)) })));
  }
  return 0;
}
