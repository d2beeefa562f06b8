import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge, loadCases, runCase, type Mode, type RunResult } from '../helpers/conformance-cases';

const MODES: Mode[] = ['one invocation', 'invocation per line'];

/**
 * What the real Siddhi said about each case it rejects (scripts/error-expectations.mjs writes it
 * from the oracle): the line and 0-based columns of what it blamed, and words of its message that
 * Millrace's must share.
 */
interface ErrorExpectation {
  siddhi: string;
  line: number;
  span: [number, number];
  fragments: string[];
}
const ERRORS: Record<string, ErrorExpectation> = JSON.parse(readFileSync(join(__dirname, 'error-expectations.json'), 'utf8'));

/** The positioned diagnostics a rejected run printed: `file:line:column: message`. */
function diagnostics(r: RunResult): { line: number; column: number; message: string }[] {
  return r.stderr
    .join('\n')
    .split('\n')
    .flatMap(l => {
      const m = /^[^:\n]+:(\d+):(\d+): (.*)$/.exec(l);
      return m ? [{ line: Number(m[1]), column: Number(m[2]), message: m[3] }] : [];
    });
}

/** Null when one diagnostic is where Siddhi blamed and says what Siddhi said, else why not. */
function errorMismatch(name: string, r: RunResult): string | null {
  const want = ERRORS[name];
  if (!want) return `no entry for ${name} in error-expectations.json: run scripts/error-expectations.mjs with the oracle`;
  const ds = diagnostics(r);
  const ok = ds.some(
    d =>
      d.line === want.line &&
      d.column - 1 >= want.span[0] &&
      d.column - 1 <= want.span[1] &&
      want.fragments.every(f => d.message.toLowerCase().includes(f.toLowerCase())),
  );
  if (ok) return null;
  return `Siddhi: line ${want.line}, columns ${want.span[0]}-${want.span[1]}, "${want.siddhi}" (sharing ${JSON.stringify(want.fragments)}); Millrace: ${JSON.stringify(ds)}`;
}

const cases = loadCases();
const table = new Map<string, Record<Mode | 'total', number>>();
for (const c of cases) {
  const row = table.get(c.category) ?? { 'one invocation': 0, 'invocation per line': 0, total: 0 };
  row.total++;
  table.set(c.category, row);
}

afterAll(() => {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const lines = ['', 'conformance (passed per mode, of total)'];
  lines.push(`${'category'.padEnd(14)}${pad('one inv.', 10)}${pad('per line', 10)}${pad('total', 7)}`);
  let sum = { a: 0, b: 0, t: 0 };
  for (const [cat, r] of [...table].sort()) {
    lines.push(`${cat.padEnd(14)}${pad(r['one invocation'], 10)}${pad(r['invocation per line'], 10)}${pad(r.total, 7)}`);
    sum = { a: sum.a + r['one invocation'], b: sum.b + r['invocation per line'], t: sum.t + r.total };
  }
  lines.push(`${'all'.padEnd(14)}${pad(sum.a, 10)}${pad(sum.b, 10)}${pad(sum.t, 7)}`);
  process.stdout.write(lines.join('\n') + '\n\n');
});

// Every case runs: a feature Millrace does not have yet ("is not supported yet") is a failure.
describe.each([...new Set(cases.map(c => c.category))])('%s', category => {
  for (const c of cases.filter(x => x.category === category)) {
    test.each(MODES)(`${c.name} [%s]`, async mode => {
      const result = await runCase(c, mode);
      expect(judge(c, result)).toBeNull();
      // A rejection must be for the reason Siddhi gives, at the place it points to.
      if (c.error) expect(errorMismatch(c.name, result)).toBeNull();
      table.get(category)![mode]++;
    });
  }
});
