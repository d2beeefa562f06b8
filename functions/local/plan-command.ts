import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CompileError, compileApp } from '../../core';
import { awsDeployment, type AwsPlanOptions } from '../../infra/aws/serverless-plan';
import { toYaml } from '../../infra/yaml';

export interface PlanOptions extends Omit<AwsPlanOptions, 'appFile'> {
  /** The app as given on the command line, and its text. */
  readonly appPath: string;
  readonly appText: string;
  /** The service directory (where serverless.yml is): the app's packaged path is taken from it. */
  readonly serviceDir: string;
  /** Where plan.yml goes (default `<serviceDir>/.millrace`). */
  readonly outDir?: string;
  readonly env?: (name: string) => string | undefined;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

/**
 * `millrace plan APP.siddhi [--out DIR]`: derives the app's AWS deployment from its annotations
 * and writes DIR/plan.yml (the `functions` and `resources` serverless.yml includes), then prints
 * a short summary. Returns the exit code.
 */
export function planCommand(o: PlanOptions): number {
  let plan;
  try {
    plan = compileApp(o.appText, { env: o.env });
  } catch (e) {
    if (e instanceof CompileError) {
      o.stderr(e.format(o.appPath));
      return 1;
    }
    throw e;
  }
  const appFile = relative(o.serviceDir, o.appPath).split(sep).join('/');
  if (appFile.startsWith('../')) {
    o.stderr(`millrace: the app must be inside the service directory ${o.serviceDir} (it is packaged with the functions), found ${o.appPath}`);
    return 2;
  }
  const d = awsDeployment(plan, { ...o, appFile });
  const outDir = o.outDir ?? join(o.serviceDir, '.millrace');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'plan.yml');
  const header = `# Written by \`millrace plan ${appFile}\`: the functions and resources of app ${plan.name}.\n# serverless.yml includes it; write it again after changing the app's annotations.\n`;
  writeFileSync(file, header + toYaml({ functions: d.functions, resources: d.resources }));
  for (const line of d.summary) o.stdout(line);
  const shown = relative(process.cwd(), file);
  o.stdout(`wrote ${shown.startsWith('..') ? file : shown}`);
  return 0;
}
