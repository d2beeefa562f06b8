import { buildSync } from 'esbuild';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap(f => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the shape of DESIGN.md section 1', () => {
  test('core bundles alone: nothing but core and the parser library lands in it', () => {
    // Prepare and act: bundle for a browser, where no Node module exists.
    const result = buildSync({
      entryPoints: [join(root, 'core/index.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    // Assess
    const inputs = Object.keys(result.metafile!.inputs);
    const outside = inputs.filter(p => !p.startsWith('core/') && !/^node_modules\/(chevrotain|@chevrotain|lodash-es)\//.test(p));
    expect(outside).toEqual([]);
    expect(inputs.some(p => p.startsWith('core/parser/'))).toBe(true);
  });

  /** Every relative import of every .ts file under `dir`, resolved to a repo-relative path. */
  function imports(dir: string): { file: string; spec: string; target: string }[] {
    return files(join(root, dir)).flatMap(f =>
      [...readFileSync(f, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map(m => ({
        file: relative(root, f),
        spec: m[1],
        target: m[1].startsWith('.') ? relative(root, join(dirname(f), m[1])) : m[1],
      })),
    );
  }

  test('core imports nothing outside core but the parser library', () => {
    const bad = imports('core')
      .filter(i => (i.spec.startsWith('.') ? !i.target.startsWith('core/') && i.target !== 'core' : i.spec !== 'chevrotain'))
      .map(i => `${i.file} imports ${i.spec}`);
    expect(bad).toEqual([]);
  });

  test('adapters never import each other, and core only through its index', () => {
    const bad = imports('adapters')
      .filter(i => {
        if (!i.spec.startsWith('.')) return false;
        const own = i.file.split('/').slice(0, 2).join('/');
        return !(i.target.startsWith(own + '/') || i.target === 'core' || i.target === 'core/index');
      })
      .map(i => `${i.file} imports ${i.spec}`);
    expect(bad).toEqual([]);
  });

  test('functions import adapters and core only through their entry points', () => {
    const bad = imports('functions')
      .filter(i => i.spec.startsWith('.') && /^core\/./.test(i.target) && i.target !== 'core/index')
      .map(i => `${i.file} imports ${i.spec}`);
    expect(bad).toEqual([]);
  });
});
