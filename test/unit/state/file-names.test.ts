/**
 * The file store's file names (version 2, docs/state-stores.md): readable, one per key, apart on
 * case-insensitive file systems, never starting with a dot; and dueUnits skipping a damaged file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { fileNameFor, FileStateStore } from '../../../adapters/local/file-state-store';
import { memoryLogger, sha256Hex } from '../../../core';

test('keeps letters, digits and . _ - as they are; upper-case letters add their positions', () => {
  expect(fileNameFor('app/Orders/global')).toBe('app%2fOrders%2fglobal~6.json');
  expect(fileNameFor('InventoryStock')).toBe('InventoryStock~0.9.json');
  expect(fileNameFor('inventorystock')).toBe('inventorystock.json');
  expect(fileNameFor('q1/window')).toBe('q1%2fwindow.json');
  expect(fileNameFor('a b~é')).toBe('a%20b%7e%c3%a9.json');
});

test('the empty key, a leading dot and Windows device names are escaped', () => {
  expect(fileNameFor('')).toBe('%.json');
  expect(fileNameFor('.')).toBe('%2e.json');
  expect(fileNameFor('..')).toBe('%2e..json');
  expect(fileNameFor('.hidden')).toBe('%2ehidden.json');
  expect(fileNameFor('con')).toBe('%63on.json');
  expect(fileNameFor('Nul.x')).toBe('%4eul.x.json'); // the escape keeps the case
  expect(fileNameFor('com1')).toBe('%63om1.json');
  expect(fileNameFor('console')).toBe('console.json');
});

test('long keys and lone surrogates are hashed as before (a prefix, ~ and the SHA-256 of the exact key)', () => {
  const long = `app/X/global#p:${'k'.repeat(300)}`;
  expect(fileNameFor(long)).toBe(`app%2F%58%2Fglobal%23p%3A${'k'.repeat(100 - 25)}~${sha256Hex(Buffer.from(long, 'utf16le'))}.json`);
  expect(fileNameFor('a\ud800')).toBe(`~${sha256Hex(Buffer.from('a\ud800', 'utf16le'))}.json`);
});

test('any two keys have names that differ even ignoring case; no name starts with a dot or holds a reserved character', () => {
  const unit = fc.constantFrom('a', 'A', 'b', 'B', '.', '%', '~', '/', ' ', '2', 'e', 'E', 'é', 'É', '\u{1F680}', '\ud800', 'c', 'o', 'n', 'N');
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ unit, maxLength: 12 }), { minLength: 2, maxLength: 30 }), keys => {
      const folded = new Map<string, string>();
      for (const key of keys) {
        const name = fileNameFor(key);
        expect(name).toMatch(/^[A-Za-z0-9._%~-]+\.json$/);
        expect(name.startsWith('.')).toBe(false);
        expect(name.length).toBeLessThanOrEqual(205);
        const other = folded.get(name.toLowerCase());
        if (other !== undefined) throw new Error(`'${key}' and '${other}' share the name ${name} ignoring case`);
        folded.set(name.toLowerCase(), key);
      }
    }),
    { numRuns: 300 },
  );
  // The keys the example names: differing in case only.
  expect(fileNameFor('Ab').toLowerCase()).not.toBe(fileNameFor('aB').toLowerCase());
});

describe('dueUnits on damaged files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'millrace-names-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('skips (and logs) a file with a damaged header or of another key, and lists the others', async () => {
    const logger = memoryLogger();
    const store = new FileStateStore(dir, { logger });
    await store.commit([
      { key: 'good', value: 1, expectedVersion: null, nextDue: 1 },
      { key: 'bad', value: 1, expectedVersion: null, nextDue: 2 },
    ]);
    writeFileSync(join(dir, fileNameFor('bad')), '{"version":"x"\n{}');
    writeFileSync(join(dir, 'copied.json'), '{"version":1,"key":"good","nextDue":3}\n{"format":1,"state":1}');
    expect(await store.dueUnits(10, 10)).toEqual(['good']);
    expect(logger.lines).toEqual([
      expect.stringMatching(/^WARN dueUnits: skipped .*bad\.json: .*is not a Millrace state file \(bad header line\)$/),
      expect.stringMatching(/^WARN dueUnits: skipped .*copied\.json: it holds state unit 'good', whose file is good\.json$/),
    ]);
    // Loading the damaged unit still fails, naming it.
    await expect(store.load(['bad'])).rejects.toThrow(/^state unit 'bad': /);
  });
});
