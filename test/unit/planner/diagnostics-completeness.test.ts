import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cases } from './diagnostic-cases';
import { diagnosticsOf } from './diagnostics/case';
import { uncoveredTemplates, type Credit } from './diagnostics/coverage';
import { extractMessages, extractSources, type MessageSource, type MessageTemplate, type VariableSite } from './diagnostics/message-templates';

/**
 * Every message the planner can emit has a case in diagnostic-cases.ts: the templates are read
 * from core/planner/**'s source (see message-templates.ts), the cases are run, and each template
 * must match a message they produce (coverage.ts says how messages are credited).
 */

const ROOT = join(__dirname, '../../..');
const PLANNER = join(ROOT, 'core/planner');
const BUILTINS = join(ROOT, 'core/builtins');

function sources(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.push({ file: relative(dir, p), text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

interface Resolution {
  /** Where the messages that reach the site are made, in core/planner. */
  readonly from?: readonly { readonly file: string; readonly source: MessageSource }[];
  /** Why the rest need no case of their own here. */
  readonly allow?: string;
}

/**
 * Call sites whose message is not a literal, keyed by `file` and the message expression. Each is
 * resolved to where its messages are made, or allowed with the reason.
 */
const VARIABLE_SITES: Record<string, Resolution> = {
  // The two `error` methods themselves; their callers are read as call sites.
  'planning-context.ts message': { allow: 'PlanContext.error, the method every ctx.error call goes through' },
  'expression-compiler.ts message': { allow: 'ExpressionCompiler.error, the method every this.error call of the compiler goes through' },
  // The pattern planner's env forwards to ctx; its own env.error/env.notSupported calls are read as call sites.
  'query-planner.ts message': { allow: 'PatternPlannerEnv.error forwarding to ctx.error' },
  'query-planner.ts what': { allow: 'PatternPlannerEnv.notSupported forwarding to ctx.notSupported' },
  // A name that does not resolve: the message the scope returns.
  'expression-compiler.ts r': {
    from: [
      { file: 'scope.ts', source: { kind: 'returns', function: 'resolve' } },
      { file: 'store-condition.ts', source: { kind: 'returns', function: 'storeScope' } },
      { file: 'pattern/pattern-scope.ts', source: { kind: 'returns', function: 'resolve' } },
      // `x in T` (the same expression text, in the 'In' case of compile).
      { file: 'planning-context.ts', source: { kind: 'returns', function: 'planIn' } },
    ],
    allow: "window expressions resolve names in core/builtins/windows/window-expression.ts; those messages are the builtin's",
  },
  // A binary operator whose operand types do not fit it: the message binaryStep returns.
  'expression-compiler.ts s': { from: [{ file: 'binary-ops.ts', source: { kind: 'returns', function: 'binaryStep' } }] },
  'expression-compiler.ts reader': {
    allow:
      "Scope.aggregate may return a message instead of a reader: the planner's only one (selector-planner.ts) never does; the other is a builtin's (window-expression.ts)",
  },
  'expression-compiler.ts err.message': {
    from: [{ file: 'pattern/pattern-scope.ts', source: { kind: 'throws', error: 'BuiltinArgError' } }],
    allow: 'the other BuiltinArgErrors are thrown by the scalar and aggregate functions of core/builtins; one case each shows they are positioned',
  },
  'input-planner.ts e.message': {
    from: [{ file: 'planning-context.ts', source: { kind: 'throws', error: 'BuiltinArgError' } }],
    allow: 'stream functions and windows of core/builtins throw the others; one case each shows they are positioned',
  },
  'query-planner.ts input.starClash': {
    from: [
      { file: 'join-planner.ts', source: { kind: 'property', property: 'starClash' } },
      { file: 'pattern/plan-pattern-input.ts', source: { kind: 'property', property: 'starClash' } },
    ],
  },
};

/** Templates no app can produce: the reason, keyed by `file` and the template's text. */
const UNREACHABLE: Record<string, string> = {
  'pattern/plan-pattern-input.ts window \'#window.*\' on a pattern element is not supported yet':
    "the parser rejects a window on a pattern element first ('a window ... is not allowed in a pattern or sequence')",
  'on-demand-planner.ts an on-demand query needs a from clause or a write (insert into, delete, update)':
    "the grammar needs 'from' or an output, and the parser rejects the one output it drops ('return')",
};

/** Templates that are a wrapper, not a message of their own. */
const WRAPPERS: Record<string, string> = {
  'planning-context.ts * is not supported yet': 'PlanContext.notSupported; each notSupported call site is read with this suffix',
};

/**
 * Templates of different text that write one message: every message of the first also fits the
 * second, so they count as one message written at two sites (two cases needed, see coverage.ts).
 */
const SAME_MESSAGE: Record<string, string> = {
  // A pattern's elements and a join's two sides, listed the same way: `[A (x int), B (x int)]`.
  'pattern/plan-pattern-input.ts Duplicate attribute exist in streams [*]: *': 'join-planner.ts Duplicate attribute exist in streams [*, *]: *',
};

const key = (file: string, text: string) => `${file} ${text}`;
const fileOf = (t: MessageTemplate) => t.site.slice(0, t.site.lastIndexOf(':'));
const groupOf = (t: MessageTemplate) => {
  const k = key(fileOf(t), t.text);
  return SAME_MESSAGE[k] ?? (Object.values(SAME_MESSAGE).includes(k) ? k : t.text);
};

function plannerTemplates(): { required: MessageTemplate[]; variables: VariableSite[]; unknown: string[]; listed: Set<string> } {
  const files = sources(PLANNER);
  const byFile = new Map(files.map(f => [f.file, f.text]));
  const required: MessageTemplate[] = [];
  const variables: VariableSite[] = [];
  const unknown: string[] = [];
  const listed = new Set<string>();
  const take = (file: string, t: MessageTemplate) => {
    const k = key(file, t.text);
    if (UNREACHABLE[k] !== undefined || WRAPPERS[k] !== undefined) listed.add(k);
    else required.push(t);
  };
  for (const { file, text } of files) {
    const x = extractMessages(file, text);
    for (const t of x.templates) take(file, t);
    variables.push(...x.variables);
    unknown.push(...x.unknownReceivers);
  }
  for (const r of Object.values(VARIABLE_SITES))
    for (const f of r.from ?? []) for (const t of extractSources(f.file, byFile.get(f.file) ?? '', f.source)) take(f.file, t);
  return { required, variables, unknown, listed };
}

/** Messages the builtins make: known, so that a builtin's message is not taken for a planner template. */
function builtinTemplates(): MessageTemplate[] {
  return sources(BUILTINS).flatMap(({ file, text }) => [
    ...extractSources(file, text, { kind: 'throws', error: 'BuiltinArgError' }),
    ...(file.endsWith('window-expression.ts') ? extractSources(file, text, { kind: 'returns', function: 'compileWindowCondition' }) : []),
    // The argument checker builds its messages from the descriptors, in functions of their own.
    ...(file.endsWith('arg-checker.ts')
      ? ['arityMessage', 'alternativesMessage', 'formMessage'].flatMap(f => extractSources(file, text, { kind: 'returns', function: f }))
      : []),
  ]);
}

function producedMessages(only = cases): Credit[] {
  return only.flatMap((c, i) => diagnosticsOf(c).map((d, k) => ({ by: `case ${i} (${c.name}), diagnostic ${k}`, message: d.message })));
}

describe('every planner diagnostic has a case', () => {
  const planner = plannerTemplates();

  test('the source has diagnostic call sites to check', () => {
    expect(planner.required.length).toBeGreaterThan(100);
    expect(planner.unknown).toEqual([]);
  });

  test('every call site with a variable message is resolved or allowed, and no entry is stale', () => {
    const found = new Set(planner.variables.map(v => key(v.file, v.expression)));
    expect([...found].filter(k => VARIABLE_SITES[k] === undefined)).toEqual([]);
    expect(Object.keys(VARIABLE_SITES).filter(k => !found.has(k))).toEqual([]);
    // Each place a resolution names still makes messages.
    const empty = Object.values(VARIABLE_SITES)
      .flatMap(r => r.from ?? [])
      .filter(f => extractSources(f.file, readFileSync(join(PLANNER, f.file), 'utf8'), f.source).length === 0);
    expect(empty).toEqual([]);
  });

  test('every unreachable, wrapper or same-message entry names a template the source still has', () => {
    expect([...Object.keys(UNREACHABLE), ...Object.keys(WRAPPERS)].filter(k => !planner.listed.has(k))).toEqual([]);
    const required = new Set(planner.required.map(t => key(fileOf(t), t.text)));
    expect(Object.entries(SAME_MESSAGE).flat().filter(k => !required.has(k))).toEqual([]);
  });

  test('the cases cover every template', () => {
    // Act
    const uncovered = uncoveredTemplates(planner.required, builtinTemplates(), producedMessages(), groupOf);
    // Assess
    expect(uncovered.map(u => `${u.sites.join(', ')}: ${u.text}${u.credited ? ` (${u.credited} case(s) for ${u.sites.length} sites)` : ''}`)).toEqual([]);
  });
});

describe('the completeness check can fail', () => {
  const planner = plannerTemplates();
  const known = builtinTemplates();
  const produced = producedMessages();

  test('a new call site without a case is listed', () => {
    // Prepare: a scratch copy of a planner file with one more diagnostic (and one in a comment, which does not count)
    const file = 'definition-planner.ts';
    const original = readFileSync(join(PLANNER, file), 'utf8');
    const text = `${original}
function scratch(ctx: PlanContext, d: Definition): void {
  // ctx.error(d.pos, 'only a comment');
  ctx.error(d.pos, \`definition '\${d.id}' is a scratch diagnostic\`);
}
`;
    const before = new Set(extractMessages(file, original).templates.map(t => t.site + t.text));
    const scratch = extractMessages(file, text).templates.filter(t => !before.has(t.site + t.text));
    // Act
    const uncovered = uncoveredTemplates([...planner.required, ...scratch], known, produced, groupOf);
    // Assess
    expect(scratch.map(t => t.text)).toEqual(["definition '*' is a scratch diagnostic"]);
    expect(uncovered.map(u => u.text)).toEqual(["definition '*' is a scratch diagnostic"]);
  });

  test('a template whose only case is removed is listed', () => {
    const without = producedMessages(cases.filter(c => c.name !== "'every' inside 'every'"));
    const uncovered = uncoveredTemplates(planner.required, known, without, groupOf);
    expect(uncovered.map(u => `${u.sites.join(', ')}: ${u.text}`)).toEqual([expect.stringMatching(/^pattern\/plan-pattern-input\.ts:\d+: 'every' cannot be nested inside another 'every'$/)]);
  });

  test('one message written at two sites needs a case for each', () => {
    const week = cases.filter(c => c.message === 'week is not a valid aggregation period; use sec, min, hour, day, month or year');
    expect(week).toHaveLength(2);
    const uncovered = uncoveredTemplates(planner.required, known, producedMessages(cases.filter(c => c !== week[0])), groupOf);
    expect(uncovered).toEqual([{ text: week[1].message, sites: [expect.stringMatching(/^aggregation-planner\.ts:/), expect.stringMatching(/^aggregation-planner\.ts:/)], credited: 1 }]);
  });

  test("a builtin's message does not cover a generic planner template", () => {
    // `*() takes *` (an aggregation's) would match the builtin's message; the builtin's own template refines it.
    const generic = planner.required.filter(t => t.text === '*() takes *');
    expect(generic).toHaveLength(1);
    // A builtin's own template (as a stream function that wrote its arity message literally would).
    const specific = extractSources('scratch.ts', 'function f(n: number) { throw new BuiltinArgError(`#pol2Cart() takes 2 to 3 parameters, found ${n}`); }', { kind: 'throws', error: 'BuiltinArgError' });
    expect(specific.map(t => t.text)).toEqual(['#pol2Cart() takes 2 to 3 parameters, found *']);
    const uncovered = uncoveredTemplates(generic, [...known, ...specific], [{ by: 'builtin', message: '#pol2Cart() takes 2 to 3 parameters, found 1' }]);
    expect(uncovered.map(u => u.text)).toEqual(['*() takes *']);
    expect(uncoveredTemplates(generic, known, [{ by: 'aggregation', message: 'sum() takes one argument' }])).toEqual([]);
  });

  test('a message that is not a literal is a variable site', () => {
    const x = extractMessages('scratch.ts', 'function f(ctx: C, e: E) { ctx.error(e.pos, e.message); env.notSupported(e.pos, `x ${e.name}`); }');
    expect(x.variables.map(v => `${v.call}(${v.expression})`)).toEqual(['ctx.error(e.message)']);
    expect(x.templates.map(t => t.text)).toEqual(['x * is not supported yet']);
  });
});
