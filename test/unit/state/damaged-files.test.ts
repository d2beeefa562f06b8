/** The file store on damaged files: a StateCodecError naming the unit, never a fresh unit. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../../adapters/local/file-state-store';
import { StateCodecError } from '../../../core';

let dir: string;
let file: string;
const KEY = 'app/A/global';

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-damaged-file-'));
  await new FileStateStore(dir).commit([{ key: KEY, value: { app: 'A', nextDue: null, state: { clock: { v: 1, s: 5 } } }, expectedVersion: null }]);
  file = join(dir, readdirSync(dir).find(f => f.endsWith('.json'))!);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function expectRefused(message: string): Promise<void> {
  const loading = new FileStateStore(dir).load([KEY]);
  await expect(loading).rejects.toThrow(StateCodecError);
  await expect(loading).rejects.toThrow(message);
}

test('a damaged header line', async () => {
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^\{"version":1/, '{"version":"x"'));
  await expectRefused(`state unit '${KEY}': `);
});

test('a truncated file', async () => {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.length - 7));
  await expectRefused(`state unit '${KEY}': `);
});

test('a file cut inside its header', async () => {
  writeFileSync(file, readFileSync(file, 'utf8').slice(0, 8));
  await expectRefused('bad header line');
});

test('garbage after the header', async () => {
  const [header] = readFileSync(file, 'utf8').split('\n');
  writeFileSync(file, `${header}\n{"format":2,"state":{}}`);
  await expectRefused(`state unit '${KEY}': `);
});
