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

/** The text without comments, so that an import in a doc comment's example does not count. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every import of every .ts file under `dir` (static, type-only, re-exports and `import('...')` types). */
function imports(dir: string): { file: string; spec: string; target: string }[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  return files(join(root, dir)).flatMap(f =>
    [...withoutComments(readFileSync(f, 'utf8')).matchAll(pattern)].map(m => ({
      file: relative(root, f),
      spec: m[1],
      target: m[1].startsWith('.') ? relative(root, join(dirname(f), m[1])) : m[1],
    })),
  );
}

/**
 * Core's layers, bottom first (docs/architecture.md). A folder may import its own files and
 * folders of lower rank; folders of equal rank (the planner and the runtime) never import each
 * other. Files directly in core/ are the facade on top.
 */
const LAYERS: Record<string, number> = {
  ast: 0,
  errors: 1,
  kernel: 2,
  state: 3,
  parser: 4,
  plan: 5,
  builtins: 6,
  io: 7,
  planner: 8,
  runtime: 8,
  invocation: 9,
  '': 10,
};

/** The layer of a core file (repo-relative path), '' for core's own top-level files. */
function layerOf(path: string): string {
  const parts = path.split('/');
  return parts.length > 2 ? parts[1] : '';
}

/** Resolves a relative import target to the core file it names. */
function coreFile(target: string, known: ReadonlySet<string>): string | undefined {
  for (const candidate of [`${target}.ts`, `${target}/index.ts`, target]) if (known.has(candidate)) return candidate;
  return undefined;
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

  test('core imports nothing outside core but the parser library', () => {
    const bad = imports('core')
      .filter(i => (i.spec.startsWith('.') ? !i.target.startsWith('core/') && i.target !== 'core' : i.spec !== 'chevrotain'))
      .map(i => `${i.file} imports ${i.spec}`);
    expect(bad).toEqual([]);
  });

  test("core's folders are layers: no import points up, and the planner and the runtime never import each other", () => {
    // Prepare
    const known = new Set(files(join(root, 'core')).map(f => relative(root, f)));
    const all = imports('core').filter(i => i.spec.startsWith('.'));
    const folders = new Set([...known].map(layerOf));
    // Act
    const unknownFolders = [...folders].filter(f => !(f in LAYERS));
    const bad = all
      .filter(i => {
        const from = layerOf(i.file);
        const to = layerOf(coreFile(i.target, known) ?? i.target);
        return from !== to && !(LAYERS[to] < LAYERS[from]);
      })
      .map(i => `${i.file} (${layerOf(i.file) || 'core'}) imports ${i.spec}`);
    // Assess
    expect(unknownFolders).toEqual([]);
    expect(bad).toEqual([]);
  });

  test('core has no import cycle', () => {
    // Prepare: the file graph of core.
    const known = new Set(files(join(root, 'core')).map(f => relative(root, f)));
    const edges = new Map<string, string[]>([...known].map(f => [f, []]));
    for (const i of imports('core')) {
      const to = i.spec.startsWith('.') ? coreFile(i.target, known) : undefined;
      if (to) edges.get(i.file)!.push(to);
    }
    // Act: strongly connected components (Tarjan); any with more than one file, or a file that
    // imports itself, is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    let counter = 0;
    const visit = (v: string): void => {
      index.set(v, counter);
      low.set(v, counter++);
      stack.push(v);
      onStack.add(v);
      for (const w of edges.get(v)!) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1 || edges.get(v)!.includes(v)) cycles.push(scc.sort());
      }
    };
    for (const v of known) if (!index.has(v)) visit(v);
    // Assess
    expect(cycles).toEqual([]);
  });

  test('adapters never import each other (only the shared adapters/node), and core only through its index', () => {
    const bad = imports('adapters')
      .filter(i => {
        if (!i.spec.startsWith('.')) return false;
        const own = i.file.split('/').slice(0, 2).join('/');
        return !(i.target.startsWith(own + '/') || i.target.startsWith('adapters/node/') || i.target === 'core' || i.target === 'core/index');
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
