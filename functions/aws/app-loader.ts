import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CompileError, compileApp, type AppPlan } from '../../core';
import { ConfigError } from './config';

/**
 * The app a function runs: the `.siddhi` file packaged with it (serverless.yml's
 * `package.patterns`), compiled at cold start. A relative path is taken from the Lambda task root
 * (`LAMBDA_TASK_ROOT`, else the working directory). A missing file or an app that does not compile
 * stops the function with a ConfigError naming the file, as a bad setting would.
 *
 * @example
 *   const plan = loadApp(config.MILLRACE_APP_FILE, process.env); // at module scope: once per cold start
 */
export function loadApp(file: string, env: Readonly<Record<string, string | undefined>>, read: (p: string) => string = p => readFileSync(p, 'utf8')): AppPlan {
  const full = path.resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  let text: string;
  try {
    text = read(full);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new ConfigError(`configuration: MILLRACE_APP_FILE: cannot read the app '${full}': ${why}`);
  }
  try {
    return compileApp(text, { env: name => env[name] });
  } catch (e) {
    if (e instanceof CompileError) throw new ConfigError(`configuration: MILLRACE_APP_FILE: the app does not compile:\n${e.format(file)}`);
    throw e;
  }
}
