// Bundles the `millrace` command (and the bench runner, and the Lambda functions) into dist/: core, adapters and chevrotain
// in one file each, so the command starts fast and needs no TypeScript at run time.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };
await Promise.all([
  build({ ...common, entryPoints: ['functions/local/cli.ts'], outfile: 'dist/millrace.cjs' }),
  // esbuild stays external: the bench bundles the functions with it at run time.
  build({ ...common, entryPoints: ['bench/run.ts'], outfile: 'dist/bench.cjs', external: ['esbuild'] }),
  build({ ...common, entryPoints: ['bench/store-bench.ts'], outfile: 'dist/store-bench.cjs' }),
  // Lambda functions: the AWS SDK v3 stays out, the nodejs22.x runtime provides it.
  ...['kinesis-ingest', 'http-ingest', 'store-api'].map(name =>
    build({ ...common, entryPoints: [`functions/aws/${name}.ts`], outfile: `dist/aws/${name}.cjs`, minify: true, target: 'node22', external: ['@aws-sdk/*', '@smithy/*'] }),
  ),
]);
