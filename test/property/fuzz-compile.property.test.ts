/**
 * A short fuzzing run of the parser and planner (the long one is `npm run fuzz`): random token
 * streams and grammar-shaped apps (see fuzz/compile-fuzz.ts) either compile, and then print and
 * parse back to the same AST, or are rejected with a CompileError whose every diagnostic is
 * positioned inside the text. Nothing else is thrown, and every input returns.
 */
import fc from 'fast-check';
import { checkCompile, FuzzFailure, grammarApp, stressApp, tokenStream } from './fuzz/compile-fuzz';

describe('fuzzing compileApp', () => {
  test.each([
    ['random token streams', tokenStream, 2500, 11],
    ['grammar-shaped apps, some mutated', grammarApp, 2500, 12],
    ['apps near the nesting and length limits', stressApp, 60, 13],
  ] as const)('%s: a plan or a positioned CompileError, nothing else', (_name, arb, numRuns, seed) => {
    const outcomes = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(arb, text => {
        outcomes[checkCompile(text)]++;
      }),
      { numRuns, seed },
    );
    // Both kinds of input reach the parser's error paths; the grammar-shaped ones also the planner's.
    expect(outcomes.rejected).toBeGreaterThan(numRuns / 4);
    if (arb !== tokenStream) expect(outcomes.accepted).toBeGreaterThan(numRuns / 10);
  });

  test('the property fails on what it must catch', () => {
    // Prepare: a text that does not compile, and one that does.
    const bad = 'define stream S (a int);\nfrom S select b insert into T;';
    const good = 'define stream S (a int);\nfrom S select a + 1 as b insert into T;';
    // Act / Assess
    expect(checkCompile(bad)).toBe('rejected');
    expect(checkCompile(good)).toBe('accepted');
    expect(() => checkCompile(null as unknown as string)).toThrow(FuzzFailure);
  });
});
