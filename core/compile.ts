import { parseApp, withoutBom } from './parser';
import type { AppPlan } from './plan/plan';
import { planApp } from './planner/plan-app';

export interface CompileOptions {
  /** Looks up `${VAR}` substitutions; absent means none are available. */
  readonly env?: (name: string) => string | undefined;
}

/**
 * Parses and plans a SiddhiQL app. Throws ParseError or PlanError (both CompileError) carrying
 * every problem found, with positions.
 *
 * @example
 *   const plan = compileApp('define stream S (a int); from S[a > 1] select a insert into Out;');
 *   const rt = new AppRuntime(plan);
 */
export function compileApp(text: string, options: CompileOptions = {}): AppPlan {
  const app = parseApp(text, { env: options.env });
  // parseApp skips a byte-order mark; positions in plan errors count without it as well.
  return planApp(app, withoutBom(text));
}
