import { compileApp } from '../../../core';
import { runSteps, type Row } from '../../helpers/run-steps';

const run = runSteps;

const items = (...ks: string[]): Row[] => ks.map((k, i) => ['S', 1000 + 100 * i, [k]]);

describe.each([false, true])('lossyFrequent window (restore after every event: %s)', restore => {
  test('lossyFrequent(0.3, 0.1) passes the events whose key is frequent enough so far', () => {
    // Prepare
    const app = 'define stream S (item string); from S#window.lossyFrequent(0.3, 0.1) select item insert into Out;';
    // Act
    const out = run(app, ['Out'], items('p', 'q', 'p', 'r', 'p', 's', 't', 'u'), restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1000, ['p']],
      ['Out', 1100, ['q']],
      ['Out', 1200, ['p']],
      ['Out', 1300, ['r']],
      ['Out', 1400, ['p']],
    ]);
  });

  test('float parameters are read as Java prints them (0.3f is 0.3)', () => {
    // Prepare
    const app = 'define stream S (item string); from S#window.lossyFrequent(0.3f, 0.1f) select item insert into Out;';
    // Act
    const out = run(app, ['Out'], items('p', 'q', 'p', 'r', 'p', 's', 't', 'u'), restore);
    // Assess
    expect(out.map(r => r[2][0])).toEqual(['p', 'q', 'p', 'r', 'p']);
  });

  test('every ceil(1/error) events the keys that cannot be frequent expire, after the arrival', () => {
    // Prepare: width 4, threshold 0.25 x events seen
    const app = 'define stream S (item string); from S#window.lossyFrequent(0.5, 0.25) select item insert all events into Out;';
    // Act
    const out = run(app, ['Out'], items('a', 'b', 'a', 'c', 'd', 'd', 'e', 'a'), restore);
    // Assess
    expect(out).toEqual([
      ['Out', 1000, ['a']],
      ['Out', 1100, ['b']],
      ['Out', 1200, ['a']],
      ['Out', 1300, ['c']],
      ['Out', 1300, ['b']],
      ['Out', 1300, ['c']],
      ['Out', 1500, ['d']],
      ['Out', 1700, ['a']],
      ['Out', 1700, ['e']],
    ]);
  });

  test('attributes after the error bound choose the key; the latest event of a key is the one that expires', () => {
    // Prepare
    const app = 'define stream S (k string, v int); from S#window.lossyFrequent(0.5, 0.25, k) select k, v insert all events into Out;';
    const events: Row[] = [
      ['S', 1, ['a', 1]],
      ['S', 2, ['b', 2]],
      ['S', 3, ['b', 3]],
      ['S', 4, ['c', 4]],
    ];
    // Act
    const out = run(app, ['Out'], events, restore);
    // Assess: at the 4th event a (1 + 0 <= 1) and c expire, b (2) stays
    expect(out).toEqual([
      ['Out', 1, ['a', 1]],
      ['Out', 2, ['b', 2]],
      ['Out', 3, ['b', 3]],
      ['Out', 4, ['c', 4]],
      ['Out', 4, ['a', 1]],
      ['Out', 4, ['c', 4]],
    ]);
  });

  test('the error bound defaults to a tenth of the support', () => {
    // Prepare: support 0.5, error 0.05: an event passes when its count is at least 0.45 x events seen
    const app = 'define stream S (item string); from S#window.lossyFrequent(0.5) select item insert into Out;';
    // Act
    const out = run(app, ['Out'], items('a', 'b', 'a', 'c', 'a', 'b'), restore);
    // Assess
    expect(out.map(r => r[2][0])).toEqual(['a', 'b', 'a', 'a']);
  });
});

describe('lossyFrequent window parameters', () => {
  test.each([
    ['no parameter', 'lossyFrequent()', "needs a 'support.threshold' parameter"],
    ['an attribute as support', 'lossyFrequent(v)', "'support.threshold' parameter must be a constant number, found an int attribute"],
    ['a string support', "lossyFrequent('0.3')", "'support.threshold' parameter must be a constant number, found a constant string"],
    ['an attribute right after the support', 'lossyFrequent(0.3, k)', "'error.bound' parameter must be a constant number, found a string attribute (attributes to count by come after support and error)"],
    ['an expression as key', 'lossyFrequent(0.3, 0.1, v + 1)', "'attribute' parameter must be an attribute of the input stream"],
  ])('%s is rejected', (_what, window, message) => {
    // Prepare
    const app = `define stream S (k string, v int); from S#window.${window} select v insert into Out;`;
    // Act and assess
    expect(() => compileApp(app)).toThrow(message);
  });
});
