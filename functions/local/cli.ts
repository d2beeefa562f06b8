import { createReadStream, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FileStateStore } from '../../adapters/local/file-state-store';
import { consoleLogger } from '../../adapters/local/console-logger';
import { MAP_TYPES, MemoryStateStore, StateCodecError, type MapType } from '../../core';
import { benchCommand } from './bench-command';
import { planCommand } from './plan-command';
import { runCommand } from './run-command';

const USAGE = `usage:
  millrace run APP.siddhi --input EVENTS.jsonl [--query "STORE QUERY"]... [--batch-size N] [--state DIR] [--from-start]
               [--format json|text|csv|keyvalue [--stream S]] [--sink-payloads]
  millrace bench APP.siddhi [--events N] [--warmup M] [--stream S]
  millrace plan APP.siddhi [--out DIR] [--cloud aws] [--shards N] [--batch-size N] [--parallelization N]
                [--max-retries N] [--tick-schedule "rate(1 minute)"]

run    processes the input file (one JSON object per line: {"stream":"S","time":MS,"data":[...]},
       {"stream":"S","time":MS,"event":{...}} or {"time":MS}) and prints every output event as
       {"stream":"Out","time":MS,"data":[...]}, then one {"query":...,"records":[...]} per --query.
       --batch-size N runs every N lines as a separate invocation through the state store;
       --state DIR keeps that state in DIR: a later run continues from it, and running the same
       input again applies only the lines not applied yet (--from-start applies every line again).
       The input is read as it is processed, at most N lines (default 10,000) at a time.
       --format takes raw payloads instead, one per line (text: blocks of lines ended by a blank
       line, unless the mapping is a regex one), for stream S (default: the app's only input
       stream), mapped by S's @source @map of that type or by the type's default mapping; a
       payload's event time is its line number unless the mapping has timestamp.attribute.
       --sink-payloads also prints {"stream","sink","id","payload"} for each payload the app's
       @sink(..., @map(...)) annotations would publish.
plan   writes DIR/plan.yml (default .millrace/plan.yml), the functions and resources the root
       serverless.yml deploys for the app (Kinesis and HTTP ingest, Store API, tick, the state
       table, @store tables, Kinesis streams, a role per function), and prints a summary. Run it
       from the service directory; the app must be inside it (it is packaged with the functions).
bench  measures the app in process and prints {"events","warmup","outputs","seconds","eventsPerSec"}.

--debug (with any command) prints debug logs (retries, reloads) and the stack trace of an
       unexpected error.`;

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

function parseArgs(args: string[], known: Record<string, 'value' | 'repeat' | 'switch'>): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [name, inline] = a.includes('=') ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a.slice(2), undefined];
      if (!(name in known)) throw new UsageError(`unknown option --${name}`);
      if (known[name] === 'switch') {
        if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
        flags.set(name, ['true']);
        continue;
      }
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      const list = flags.get(name) ?? [];
      if (known[name] === 'value' && list.length) throw new UsageError(`--${name} given twice`);
      list.push(value);
      flags.set(name, list);
    } else positional.push(a);
  }
  return { positional, flags };
}

class UsageError extends Error {}

function positiveInt(name: string, v: string | undefined, dflt?: number): number | undefined {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, found '${v}'`);
  return Number(v);
}

/** `--format` and `--stream`, checked. */
function formatOption(format: string | undefined, stream: string | undefined): { type: MapType; stream?: string } | undefined {
  if (format === undefined) {
    if (stream !== undefined) throw new UsageError('--stream goes with --format');
    return undefined;
  }
  if (!(MAP_TYPES as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${MAP_TYPES.join(', ')}, found '${format}'`);
  return { type: format as MapType, ...(stream === undefined ? {} : { stream }) };
}

/** The lines of a file as they are read, so that an input of any size streams. */
function fileLines(path: string, what: string): { lines: AsyncIterable<string>; id: string } {
  let id: string;
  try {
    if (!statSync(path).isFile()) throw new UsageError(`cannot read ${what} '${path}': not a file`);
    id = realpathSync(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return { lines: createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity }), id: `file:${id}` };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

async function main(argv: string[], debug: boolean): Promise<number> {
  const [command, ...rest] = argv;
  const env = (name: string) => process.env[name];
  const stdout = (line: string) => process.stdout.write(line + '\n');
  const stderr = (line: string) => process.stderr.write(line + '\n');
  if (command === 'run') {
    const p = parseArgs(rest, {
      input: 'value',
      query: 'repeat',
      'batch-size': 'value',
      state: 'value',
      'from-start': 'switch',
      format: 'value',
      stream: 'value',
      'sink-payloads': 'switch',
    });
    if (p.positional.length !== 1) throw new UsageError('run needs exactly one app file');
    const inputPath = p.flags.get('input')?.[0];
    if (!inputPath) throw new UsageError('run needs --input EVENTS.jsonl');
    const batchSize = positiveInt('batch-size', p.flags.get('batch-size')?.[0]);
    const stateDir = p.flags.get('state')?.[0];
    const format = formatOption(p.flags.get('format')?.[0], p.flags.get('stream')?.[0]);
    const appPath = p.positional[0];
    const appText = readText(appPath, 'app');
    const input = fileLines(inputPath, 'input');
    let tempDir: string | undefined;
    const store =
      stateDir !== undefined
        ? new FileStateStore(stateDir)
        : batchSize !== undefined
          ? new FileStateStore((tempDir = mkdtempSync(join(tmpdir(), 'millrace-state-'))))
          : new MemoryStateStore();
    try {
      return await runCommand({
        appName: appPath,
        appText,
        inputName: inputPath,
        input: input.lines,
        sourceId: input.id,
        fromStart: p.flags.has('from-start'),
        queries: p.flags.get('query') ?? [],
        batchSize,
        store,
        env,
        stdout,
        stderr,
        logger: consoleLogger({ debug }),
        format,
        sinkPayloads: p.flags.has('sink-payloads'),
      });
    } finally {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    }
  }
  if (command === 'bench') {
    const p = parseArgs(rest, { events: 'value', warmup: 'value', stream: 'value' });
    if (p.positional.length !== 1) throw new UsageError('bench needs exactly one app file');
    const appPath = p.positional[0];
    return benchCommand({
      appName: appPath,
      appText: readText(appPath, 'app'),
      events: positiveInt('events', p.flags.get('events')?.[0], 100_000)!,
      warmup: p.flags.get('warmup')?.[0] === '0' ? 0 : positiveInt('warmup', p.flags.get('warmup')?.[0], 10_000)!,
      stream: p.flags.get('stream')?.[0],
      env,
      stdout,
      stderr,
    });
  }
  if (command === 'plan') {
    const p = parseArgs(rest, { out: 'value', cloud: 'value', shards: 'value', 'batch-size': 'value', parallelization: 'value', 'max-retries': 'value', 'tick-schedule': 'value' });
    if (p.positional.length !== 1) throw new UsageError('plan needs exactly one app file');
    const cloud = p.flags.get('cloud')?.[0] ?? 'aws';
    if (cloud !== 'aws') throw new UsageError(`--cloud ${cloud} is not supported yet (aws is)`);
    const appPath = p.positional[0];
    const parallelizationFactor = positiveInt('parallelization', p.flags.get('parallelization')?.[0]);
    if (parallelizationFactor !== undefined && parallelizationFactor > 10) throw new UsageError('--parallelization is at most 10 (Lambda\'s limit)');
    const retries = p.flags.get('max-retries')?.[0];
    return planCommand({
      appPath,
      appText: readText(appPath, 'app'),
      serviceDir: process.cwd(),
      outDir: p.flags.get('out')?.[0],
      shards: positiveInt('shards', p.flags.get('shards')?.[0]),
      batchSize: positiveInt('batch-size', p.flags.get('batch-size')?.[0]),
      parallelizationFactor,
      maximumRetryAttempts: retries === '0' ? 0 : positiveInt('max-retries', retries),
      tickSchedule: p.flags.get('tick-schedule')?.[0],
      env,
      stdout,
      stderr,
    });
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    stdout(USAGE);
    return command === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command '${command}'`);
}

// A reader that stops early (`millrace run ... | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', err => {
  if ((err as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
  throw err;
});

// --debug is global: it may stand anywhere on the command line.
const args = process.argv.slice(2);
const debug = args.includes('--debug');

main(
  args.filter(a => a !== '--debug'),
  debug,
).then(
  code => {
    process.exitCode = code;
  },
  err => {
    if (err instanceof UsageError) {
      process.stderr.write(`millrace: ${err.message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      // Damaged state is the state's fault, not the engine's: its message says all (where, what).
      const expected = err instanceof StateCodecError;
      const text = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
      process.stderr.write(`millrace: ${text}${debug || expected ? '' : ' (--debug shows where)'}\n`);
      process.exitCode = 1;
    }
  },
);
