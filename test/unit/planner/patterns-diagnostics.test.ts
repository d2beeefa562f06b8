import { compileApp, PlanError } from '../../../core';
import { testCases } from './diagnostics/case';
import { patternCases } from './diagnostics/patterns';

describe('pattern and sequence diagnostics', () => testCases(patternCases));

function messagesOf(app: string): string[] {
  try {
    compileApp(app);
  } catch (e) {
    if (e instanceof PlanError) return e.diagnostics.map(d => `${d.pos.line}:${d.pos.column} ${d.message}`);
    throw e;
  }
  return [];
}

describe('a pattern that fails reports each element once', () => {
  // Tables, named windows and aggregations are defined: only the pattern planner speaks of them.
  test('a table in a pattern is reported once', () => {
    const app = 'define stream A (x int);\ndefine table T (x int);\nfrom e1=A -> e2=T select e1.x insert into C;';
    expect(messagesOf(app)).toEqual(["3:17 table 'T' cannot be part of a pattern or sequence: expecting a stream, but 'T' is not a stream"]);
  });

  test('a named window in a pattern with an undefined stream is not reported', () => {
    const app = 'define stream A (x int);\ndefine window W (x int) length(2);\nfrom e1=W -> e2=Nope select e1.x insert into C;';
    expect(messagesOf(app)).toEqual(["3:17 Stream/table/window/aggregation definition with ID 'Nope' has not been defined"]);
  });
});
