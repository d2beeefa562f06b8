/**
 * The example apps run as documented: each `examples/<name>/<name>.siddhi` on its sample input
 * prints outputs, nothing on stderr, and the same outputs with one invocation per input line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStateStore, silentLogger } from '../../core';
import { runCommand } from '../../functions/local/run-command';

const EXAMPLES = join(__dirname, '../../examples');
const examples = readdirSync(EXAMPLES).filter(n => !n.startsWith('.'));

async function run(name: string, batchSize?: number) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCommand({
    appName: `${name}.siddhi`,
    appText: readFileSync(join(EXAMPLES, name, `${name}.siddhi`), 'utf8'),
    inputName: `${name}.jsonl`,
    inputText: readFileSync(join(EXAMPLES, name, `${name}.jsonl`), 'utf8'),
    queries: [],
    batchSize,
    store: new MemoryStateStore(),
    stdout: l => void stdout.push(l),
    stderr: l => void stderr.push(l),
    logger: silentLogger,
  });
  return { code, stdout, stderr };
}

describe('examples', () => {
  test('there are examples', () => {
    expect(examples).toEqual(expect.arrayContaining(['orders', 'inventory']));
  });

  test.each(examples)('%s runs, and gives the same outputs with one invocation per line', async name => {
    const whole = await run(name);
    expect(whole.code).toBe(0);
    expect(whole.stderr).toEqual([]);
    expect(whole.stdout.length).toBeGreaterThan(0);
    expect(await run(name, 1)).toEqual(whole);
  });
});
