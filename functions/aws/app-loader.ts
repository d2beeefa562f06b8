import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CompileError, compileApp, type AppPlan } from '../../core';
import { ConfigError } from './config';

/**
 * Reads and compiles the function's app at cold start (relative paths from the function root,
 * `LAMBDA_TASK_ROOT`); an app that does not compile stops the function with the compiler's message.
 */
export function loadApp(file: string, env: Readonly<Record<string, string | undefined>>, read: (p: string) => string = p => readFileSync(p, 'utf8')): AppPlan {
  const full = path.resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  let text: string;
  try {
    text = read(full);
  } catch (e) {
    throw new ConfigError(`configuration: MILLRACE_APP_FILE: cannot read '${full}': ${(e as Error).message}`);
  }
  try {
    return compileApp(text, { env: name => env[name] });
  } catch (e) {
    if (e instanceof CompileError) throw new ConfigError(`the app does not compile:\n${e.format(file)}`);
    throw e;
  }
}
