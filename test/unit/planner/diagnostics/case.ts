import { CompileError, PlanError, compileApp, type Diagnostic } from '../../../../core';

/**
 * One diagnostic of the planner and a minimal app that produces it. `query` is an on-demand
 * query planned against the app (its positions are in the query text).
 */
export interface DiagnosticCase {
  /** What the case shows, for the test name. */
  readonly name: string;
  readonly app: string;
  readonly query?: string;
  /** The whole message, or a pattern for one with an engine-specific tail. */
  readonly message: string | RegExp;
  readonly line: number;
  readonly column: number;
  /** What the caret underlines; checked when given. */
  readonly length?: number;
  /** How many diagnostics the app gives in all (default 1: only this one). */
  readonly count?: number;
}

/** The diagnostics the planner reports for a case (empty if it plans; a parse error throws). */
export function diagnosticsOf(c: DiagnosticCase): readonly Diagnostic[] {
  try {
    const plan = compileApp(c.app);
    if (c.query !== undefined) plan.planQuery(c.query);
    return [];
  } catch (e) {
    if (e instanceof PlanError) return e.diagnostics;
    if (e instanceof CompileError) throw new Error(`case '${c.name}' does not reach the planner: ${e.format('app')}`);
    throw e;
  }
}

function matches(d: Diagnostic, message: string | RegExp): boolean {
  return typeof message === 'string' ? d.message === message : message.test(d.message);
}

/** One test per case: the planner reports the message at the line and column (and length) given. */
export function testCases(cases: readonly DiagnosticCase[]): void {
  test.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    // Act
    const diagnostics = diagnosticsOf(c);
    // Assess
    const expected = typeof c.message === 'string' ? c.message : expect.stringMatching(c.message);
    expect(diagnostics.map(d => d.message)).toEqual(expect.arrayContaining([expected]));
    const found = diagnostics.filter(d => matches(d, c.message));
    expect(found).toHaveLength(1);
    expect(diagnostics).toHaveLength(c.count ?? 1);
    const d = found[0];
    expect({ line: d.pos.line, column: d.pos.column }).toEqual({ line: c.line, column: c.column });
    if (c.length !== undefined) expect(d.length).toBe(c.length);
  });
}
