// The Lambda functions as serverless.yml bundles them (esbuild, minified, the AWS SDK v3 and its
// @smithy packages external: the runtime provides them), each measured for its size and its cold
// init: a new Node process that requires the bundle, which reads its settings and compiles the app
// at module scope, as Lambda's init phase does. Median of COLD_RUNS processes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export const FUNCTIONS = ['kinesis-ingest', 'http-ingest', 'store-api', 'tick'] as const;
const COLD_RUNS = 7;
/** The targets (issue 13, item 4). */
export const TARGET_BYTES = 300 * 1024;
export const TARGET_COLD_MS = 150;

export interface BundleFigure {
  readonly function: string;
  readonly bytes: number;
  readonly coldInitMs?: number;
  /** Of which requiring the AWS SDK's DynamoDB client (which Lambda's runtime loads from its own copy). */
  readonly sdkRequireMs?: number;
  readonly error?: string;
}

const SDK_PROBE = `
const t0 = performance.now();
require('@aws-sdk/client-dynamodb');
process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));
`;

const PROBE = `
const t0 = performance.now();
const m = require(process.argv[1]);
if (typeof m.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Bundles and measures every function of functions/aws that exists in this tree. */
export function functionBundles(root: string, appFile: string): BundleFigure[] {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-bundles-'));
  try {
    return FUNCTIONS.filter(f => existsSync(join(root, 'functions/aws', `${f}.ts`))).map(f => {
      const outfile = join(dir, `${f}.js`);
      buildSync({ entryPoints: [join(root, 'functions/aws', `${f}.ts`)], outfile, bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', external: ['@aws-sdk/*', '@smithy/*'], logLevel: 'error' });
      const bytes = statSync(outfile).size;
      // The settings millrace plan gives each function; the rest have defaults.
      const env = { PATH: process.env.PATH, NODE_PATH: join(root, 'node_modules'), AWS_REGION: 'us-east-1', LAMBDA_TASK_ROOT: root, MILLRACE_APP_FILE: appFile, MILLRACE_STATE_TABLE: 'millrace-state', ...(f === 'store-api' ? { MILLRACE_STORE_API_AUTH: 'iam' } : {}) };
      const cold = (probe: string): number | string => {
        const times: number[] = [];
        for (let i = 0; i < COLD_RUNS; i++) {
          const r = spawnSync(process.execPath, ['--no-warnings', '-e', probe, outfile], { env, encoding: 'utf8', timeout: 30_000 });
          if (r.status !== 0) return (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ');
          times.push(JSON.parse(r.stdout).ms);
        }
        return Number(median(times).toFixed(1));
      };
      const ms = cold(PROBE);
      if (typeof ms === 'string') return { function: f, bytes, error: ms };
      const sdk = cold(SDK_PROBE);
      return { function: f, bytes, coldInitMs: ms, ...(typeof sdk === 'number' ? { sdkRequireMs: sdk } : {}) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

