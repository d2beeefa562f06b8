import { parseApp } from '../../../core/parser';
import { fingerprint, jsonWithoutPositions } from '../../../core/planner/fingerprint';
import { loadCases } from '../../helpers/conformance-cases';

// What fingerprints hashed before the stack-based writer; a bigint (a LONG literal beyond 2^53,
// a double before LONGs were exact) as its digits and `n`.
const legacy = (node: unknown) => JSON.stringify(node, (k, v) => (k === 'pos' || k === 'periodsPos' ? undefined : typeof v === 'bigint' ? `${v}n` : v));

describe('fingerprint', () => {
  test('hashes the same text JSON.stringify wrote (without positions), for every element of every conformance app', () => {
    let checked = 0;
    for (const c of loadCases()) {
      let app;
      try {
        app = parseApp(c.app);
      } catch {
        continue;
      }
      for (const node of [...app.definitions, ...app.elements, app]) {
        expect(jsonWithoutPositions(node)).toBe(legacy(node));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  test('matches JSON.stringify on the odd values too', () => {
    const odd = { a: [1, undefined, () => 1, NaN, -0, Infinity, 'x"\n'], pos: { line: 1 }, b: undefined, c: { periodsPos: [], d: null }, e: true, f: [] , g: {} };
    expect(jsonWithoutPositions(odd)).toBe(legacy(odd));
  });

  test('ignores positions and sees any change of text', () => {
    const a = parseApp('define stream S (a int);\nfrom S select a + 1 as x insert into T;').elements[0];
    const b = parseApp('define stream S (a int);\n\n\n   from S select a   +  1 as x insert into T;').elements[0];
    const c = parseApp('define stream S (a int);\nfrom S select a + 2 as x insert into T;').elements[0];
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).not.toBe(fingerprint(c));
  });

  test('hashes a 10,000-term chain without recursion', () => {
    const chain = Array.from({ length: 10000 }, () => 'a').join(' + ');
    const q = parseApp(`define stream S (a int);\nfrom S select ${chain} as x insert into T;`).elements[0];
    expect(fingerprint(q)).toMatch(/^[0-9a-f]{8}$/);
  });
});
