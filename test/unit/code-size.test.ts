/**
 * Size limits of core (docs/conventions.md): no file over 600 lines, no function over 120. An
 * exception is allowed only where docs/architecture.md's "Size exceptions" section names it with
 * its reason, one bullet each:
 *
 *   - `core/parser/grammar.ts`: why the whole file must be one
 *   - `core/runtime/pattern/nfa.ts` `Nfa.fireTimers`: why that one function must be long
 *
 * An exception that is no longer needed fails too, so the list stays true.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '../..');
const MAX_FILE_LINES = 600;
const MAX_FUNCTION_LINES = 120;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(n => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return n.endsWith('.ts') && !n.endsWith('.d.ts') ? [p] : [];
  });
}

interface Measured {
  /** `path` for a file, `path name` for a function. */
  readonly id: string;
  readonly lines: number;
  readonly limit: number;
}

/** A function's name as a reader finds it: `Class.method`, `name`, or `outer/(anonymous)`. */
function functionName(node: ts.Node, sf: ts.SourceFile): string {
  const named = (n: ts.Node): string | undefined => {
    const name = (n as { name?: ts.Node }).name;
    return name ? name.getText(sf) : undefined;
  };
  let own = named(node);
  if (!own && ts.isVariableDeclaration(node.parent)) own = node.parent.name.getText(sf);
  if (!own && ts.isPropertyAssignment(node.parent)) own = node.parent.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) own = 'constructor';
  const outer: string[] = [];
  for (let p = node.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isClassDeclaration(p) && p.name) outer.unshift(p.name.text);
    else if (ts.isFunctionLike(p) && named(p)) outer.unshift(named(p)!);
  }
  return [...outer, own ?? '(anonymous)'].join('.');
}

function measure(file: string): Measured[] {
  const text = readFileSync(file, 'utf8');
  const path = relative(ROOT, file);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Measured[] = [{ id: path, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), limit: MAX_FILE_LINES }];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ id: `${path} ${functionName(node, sf)}`, lines: last - first + 1, limit: MAX_FUNCTION_LINES });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The exceptions docs/architecture.md writes down: id -> reason. */
function writtenExceptions(): Map<string, string> {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const section = /^## Size exceptions\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(doc);
  const out = new Map<string, string>();
  for (const m of (section?.[1] ?? '').matchAll(/^- `([^`]+)`(?: `([^`]+)`)?: (.+)$/gm)) {
    out.set(m[2] ? `${m[1]} ${m[2]}` : m[1], m[3].trim());
  }
  return out;
}

const measured = sourceFiles(join(ROOT, 'core')).flatMap(measure);
const exceptions = writtenExceptions();

describe('code size', () => {
  test('the measurement sees files and functions, and would see an oversize one', () => {
    expect(measured.filter(m => m.limit === MAX_FILE_LINES).length).toBeGreaterThan(100);
    const fake = ts.createSourceFile('x.ts', `class A { m() {\n${'  x++;\n'.repeat(130)}} }`, ts.ScriptTarget.Latest, true);
    let longest = 0;
    const visit = (n: ts.Node) => {
      if (ts.isFunctionLike(n)) longest = Math.max(longest, fake.getLineAndCharacterOfPosition(n.getEnd()).line - fake.getLineAndCharacterOfPosition(n.getStart(fake)).line + 1);
      ts.forEachChild(n, visit);
    };
    visit(fake);
    expect(longest).toBeGreaterThan(MAX_FUNCTION_LINES);
    expect(functionName((fake.statements[0] as ts.ClassDeclaration).members[0], fake)).toBe('A.m');
  });

  test(`no file in core over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES}, but those architecture.md justifies`, () => {
    const over = measured.filter(m => m.lines > m.limit && !exceptions.has(m.id)).map(m => `${m.id}: ${m.lines} lines (limit ${m.limit})`);
    expect(over).toEqual([]);
  });

  test('every written exception is still needed and says why', () => {
    const byId = new Map(measured.map(m => [m.id, m]));
    const stale = [...exceptions].filter(([id]) => !byId.has(id) || byId.get(id)!.lines <= byId.get(id)!.limit).map(([id]) => id);
    expect(stale).toEqual([]);
    for (const [id, reason] of exceptions) expect({ id, reason: reason.length >= 40 }).toEqual({ id, reason: true });
  });
});
