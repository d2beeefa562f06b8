import { jsonLineRecords } from '../../adapters/local/jsonl-input';
import { payloadRecords } from '../../adapters/local/payload-input';
import {
  CompileError,
  compileApp,
  defaultMapSpec,
  sinkPayloads,
  sourceMapper,
  type AppPlan,
  type MapType,
  jsonText,
  parseOnDemandQuery,
  planOnDemand,
  runBatches,
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
  /** The input: its whole text, or its lines as they are read (a file of any size streams). */
  readonly input: string | AsyncIterable<string>;
  /**
   * The input's identity as a source (default `file:<inputName>`): the state records how far into
   * it a run committed, so that running it again applies only the lines not applied yet.
   */
  readonly sourceId?: string;
  /** Apply every line again, forgetting how far an earlier run got (`--from-start`). */
  readonly fromStart?: boolean;
  readonly queries: readonly string[];
  /** Input lines per invocation; undefined runs everything in one invocation. */
  readonly batchSize?: number;
  readonly store: StateStore;
  readonly env?: (name: string) => string | undefined;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly logger: Logger;
  /**
   * `--format json|text|csv|keyvalue [--stream S]`: the input is raw payloads for stream S (default:
   * the app's only input stream), mapped by its `@source`'s `@map` of that type, or by that type's
   * default mapping.
   */
  readonly format?: { readonly type: MapType; readonly stream?: string };
  /** `--sink-payloads`: also print what each `@sink(..., @map(...))` would publish. */
  readonly sinkPayloads?: boolean;
}

/** sysexits' EX_TEMPFAIL: the run stopped for a reason that may pass; running it again is the remedy. */
export const EXIT_TEMPFAIL = 75;

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

  const sourceId = o.sourceId ?? `file:${o.inputName}`;
  const lines = typeof o.input === 'string' ? o.input.split(/\r?\n/) : o.input;
  const records = o.format ? formatRecords(o, plan, lines, sourceId) : jsonLineRecords(lines, plan, sourceId, p => o.stderr(`${o.inputName}:${p.line}: ${p.message}; line skipped`));
  if (typeof records === 'string') {
    o.stderr(`millrace: ${records}`);
    return 2;
  }
  // Every stream a query, trigger or window writes to; the app's input streams are what it is fed.
  const inputs = new Set(plan.inputStreams);
  const outputStreams = new Set([...plan.streams.keys()].filter(s => !inputs.has(s)));
  const lineOf = (r: InputRecord | undefined) => r?.source?.position ?? '?';

  const print = (outputs: readonly OutputEvent[]) => {
    for (const { stream, event } of outputs) o.stdout(jsonText({ stream, time: event.timestamp, data: event.data.map(toOutputJson) }));
    if (o.sinkPayloads) for (const p of sinkPayloads(plan, outputs)) o.stdout(jsonText({ stream: p.stream, sink: p.sink.type, id: p.id, payload: p.payload }));
  };
  const result = await runBatches({
    plan,
    store: o.store,
    records,
    batchSize: o.batchSize,
    queries: o.queries,
    outputStreams,
    rewind: o.fromStart ? [sourceId] : undefined,
    logger: o.logger,
    onOutputs: print,
    onDropped: (_, failure, r) => o.stderr(`${o.inputName}:${lineOf(r)}: ${failure instanceof Error ? failure.message : String(failure)}; line skipped`),
  });
  if (result.skipped) {
    o.stderr(`${o.inputName}: ${result.skipped} record${result.skipped === 1 ? ' was' : 's were'} applied to this state by an earlier run and skipped (--from-start applies them again)`);
  }
  if (result.stopped) {
    const at = result.stopped.record ? `line ${lineOf(result.stopped.record)} and every line after it` : 'the --query options';
    o.stderr(
      `${o.inputName}: stopped: other writers kept changing the state (${result.stopped.failure.message}); ${at} were not applied. ` +
        'Run the same command again to apply exactly those.',
    );
    return EXIT_TEMPFAIL;
  }
  result.queryResults.forEach((r, i) => o.stdout(jsonText({ query: o.queries[i], records: r.records.map(row => row.map(toOutputJson)) })));
  return 0;
}

/** The records of raw payload lines (`--format`), or why the options do not fit the app. */
function formatRecords(o: RunOptions, plan: AppPlan, lines: Iterable<string> | AsyncIterable<string>, sourceId: string) {
  const { type, stream: named } = o.format!;
  const stream = named ?? (plan.inputStreams.length === 1 ? plan.inputStreams[0] : undefined);
  if (stream === undefined) return `--format needs --stream: the app's input streams are ${plan.inputStreams.join(', ') || '(none)'}`;
  const schema = plan.streams.get(stream);
  if (!schema || !plan.inputStreams.includes(stream)) return `--stream '${stream}' is not an input stream of the app; its input streams are ${plan.inputStreams.join(', ') || '(none)'}`;
  const transport = plan.sources.get(stream)?.find(t => t.decoder?.type === type);
  const spec = transport?.mapSpec ?? defaultMapSpec(type);
  const mapper = transport?.decoder ?? sourceMapper(spec, schema);
  const loggerAt = (line: number): Logger => ({ ...o.logger, error: m => o.stderr(`${o.inputName}:${line}: ${m}`) });
  return payloadRecords(lines, { plan, stream, mapper, transport, blocks: type === 'text' && !spec.attributes.length, sourceId, loggerAt });
}
