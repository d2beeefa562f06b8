/** Every conformance app and store query parses; the three syntax-error cases are rejected. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseApp, parseOnDemandQuery } from '../../../core/parser';
import { ParseError } from '../../../core/errors/millrace-error';

const CASES = path.join(__dirname, '../../conformance/cases');
const SYNTAX_ERRORS = new Set(['errors/syntax_missing_into', 'errors/syntax_unclosed_paren', 'errors/snapshot_every_events']);

interface Case {
  name: string;
  app: string;
  storeQueries?: { query: string }[];
}

function load(): [string, Case][] {
  const out: [string, Case][] = [];
  for (const dir of fs.readdirSync(CASES).sort()) {
    const full = path.join(CASES, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full).sort()) {
      if (f.endsWith('.json')) out.push([`${dir}/${f.slice(0, -5)}`, JSON.parse(fs.readFileSync(path.join(full, f), 'utf8')) as Case]);
    }
  }
  return out;
}

const cases = load();

test('the conformance cases are present', () => {
  expect(cases.length).toBeGreaterThan(100);
  for (const id of SYNTAX_ERRORS) expect(cases.some(([n]) => n === id)).toBe(true);
});

describe.each(cases)('%s', (id, c) => {
  if (SYNTAX_ERRORS.has(id)) {
    test('is rejected with a ParseError', () => {
      let err: unknown;
      try {
        parseApp(c.app);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).diagnostics.length).toBeGreaterThan(0);
    });
    return;
  }
  test('app parses', () => {
    const app = parseApp(c.app);
    expect(app.kind).toBe('App');
    expect(app.definitions.length + app.elements.length).toBeGreaterThan(0);
  });
  for (const [i, q] of (c.storeQueries ?? []).entries()) {
    test(`store query ${i} parses: ${q.query}`, () => {
      expect(parseOnDemandQuery(q.query).kind).toBe('OnDemandQuery');
    });
  }
});
