import ts from 'typescript';

/**
 * The message templates of the planner's diagnostic call sites, read from its source with the
 * TypeScript parser (so comments and code that only looks like a call do not count).
 *
 * A call site is `ctx.error(pos, message, ...)`, `ctx.notSupported(pos, what, ...)` (also on
 * `this` and the pattern planner's `env`) or `diagnostics.push({ message, ... })`. A message that
 * is a string literal or a template literal becomes a template, its `${...}` parts wildcards; a
 * conditional gives one template per branch; `notSupported` adds ' is not supported yet'. Any
 * other message (a variable, a property) is a variable site, to be resolved or allow-listed by
 * the caller.
 */

/** One piece of a template: literal text, or a wildcard for a `${...}` part. */
export type TemplatePart = string | { readonly wildcard: true };

export interface MessageTemplate {
  /** `file:line` of the expression the template was read from. */
  readonly site: string;
  readonly parts: readonly TemplatePart[];
  /** Printed form: `${...}` parts as `*`. */
  readonly text: string;
}

export interface VariableSite {
  readonly site: string;
  readonly file: string;
  /** The message expression as written, e.g. `err.message`. */
  readonly expression: string;
  /** The call, e.g. `this.error`. */
  readonly call: string;
}

export interface Extracted {
  readonly templates: MessageTemplate[];
  readonly variables: VariableSite[];
  /** Calls named `error`/`notSupported` on a receiver this reader does not know: fail loudly. */
  readonly unknownReceivers: string[];
}

const WILDCARD = { wildcard: true } as const;
const RECEIVERS = new Set(['ctx', 'this', 'env']);
const SUFFIX = ' is not supported yet';

/** The templates a message expression can produce, or null when it is not made of literals. */
export function templatesOf(e: ts.Expression): TemplatePart[][] | null {
  if (ts.isParenthesizedExpression(e)) return templatesOf(e.expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [[e.text]];
  if (ts.isTemplateExpression(e)) {
    const parts: TemplatePart[] = [e.head.text];
    for (const span of e.templateSpans) parts.push(WILDCARD, span.literal.text);
    return [parts];
  }
  if (ts.isConditionalExpression(e)) {
    const a = templatesOf(e.whenTrue);
    const b = templatesOf(e.whenFalse);
    return a && b ? [...a, ...b] : null;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const a = templatesOf(e.left);
    const b = templatesOf(e.right);
    return a && b ? a.flatMap(x => b.map(y => [...x, ...y])) : null;
  }
  return null;
}

export function printTemplate(parts: readonly TemplatePart[]): string {
  return parts.map(p => (typeof p === 'string' ? p : '*')).join('');
}

/** A regex matching the whole of every message the template can produce. */
export function templateRegex(parts: readonly TemplatePart[], anchored = true): RegExp {
  const body = parts.map(p => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '[\\s\\S]*')).join('');
  return new RegExp(anchored ? `^${body}$` : body);
}

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

/** Reads the diagnostic call sites of one source file. */
export function extractMessages(file: string, source: string): Extracted {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const templates: MessageTemplate[] = [];
  const variables: VariableSite[] = [];
  const unknownReceivers: string[] = [];
  const add = (node: ts.Expression, call: string, suffix: string) => {
    const site = `${file}:${lineOf(sf, node)}`;
    const found = templatesOf(node);
    if (!found) {
      variables.push({ site, file, expression: node.getText(sf), call });
      return;
    }
    for (const t of found) {
      const parts = suffix ? [...t, suffix] : t;
      templates.push({ site, parts, text: printTemplate(parts) });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      const receiver = node.expression.expression.getText(sf);
      const call = `${receiver}.${name}`;
      if (name === 'error' || name === 'notSupported') {
        if (!RECEIVERS.has(receiver)) unknownReceivers.push(`${file}:${lineOf(sf, node)} ${call}`);
        else if (node.arguments.length >= 2) add(node.arguments[1], call, name === 'notSupported' ? SUFFIX : '');
      } else if (name === 'push' && /diagnostics$/.test(receiver)) {
        const arg = node.arguments[0];
        const message = arg && ts.isObjectLiteralExpression(arg) ? arg.properties.find(p => p.name?.getText(sf) === 'message') : undefined;
        if (message && ts.isPropertyAssignment(message)) add(message.initializer, call, '');
        else if (message && ts.isShorthandPropertyAssignment(message)) variables.push({ site: `${file}:${lineOf(sf, message)}`, file, expression: 'message', call });
        else unknownReceivers.push(`${file}:${lineOf(sf, node)} ${call} without a message property`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { templates, variables, unknownReceivers };
}

/**
 * Messages that reach a diagnostic through a variable, read from where they are made: the
 * string-valued `return`s of a function (a scope's name resolution), `new BuiltinArgError(...)`
 * arguments, or the value of an object property such as `starClash:`. A return that is not a
 * literal (a record, or another resolver's answer passed on) is no message made there.
 */
export type MessageSource =
  | { readonly kind: 'returns'; readonly function: string }
  | { readonly kind: 'throws'; readonly error: string }
  | { readonly kind: 'property'; readonly property: string };

export function extractSources(file: string, source: string, from: MessageSource): MessageTemplate[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: MessageTemplate[] = [];
  const take = (e: ts.Expression) => {
    const branches = literalBranches(e);
    for (const b of branches) {
      const t = templatesOf(b);
      if (t) for (const parts of t) out.push({ site: `${file}:${lineOf(sf, b)}`, parts, text: printTemplate(parts) });
    }
  };
  const visit = (node: ts.Node, inFunction: boolean): void => {
    // Every return inside the resolver counts, its nested arrows' too (`rowAttr = v => ...`).
    const inside = inFunction || (from.kind === 'returns' && functionName(node) === from.function);
    if (from.kind === 'returns' && inside && ts.isReturnStatement(node) && node.expression) take(node.expression);
    if (from.kind === 'throws' && ts.isNewExpression(node) && node.expression.getText(sf) === from.error && node.arguments?.length) take(node.arguments[0]);
    if (from.kind === 'property' && ts.isPropertyAssignment(node) && node.name.getText(sf) === from.property) take(node.initializer);
    ts.forEachChild(node, c => visit(c, inside));
  };
  visit(sf, false);
  return out;
}

/** The name a function is known by: its declaration, method, or the variable or property it is assigned to. */
function functionName(node: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const p = node.parent;
    if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) return p.name.getText();
  }
  return undefined;
}

/** The string-producing branches of an expression: both sides of a conditional, not `undefined`. */
function literalBranches(e: ts.Expression): ts.Expression[] {
  if (ts.isParenthesizedExpression(e)) return literalBranches(e.expression);
  if (ts.isConditionalExpression(e)) {
    const a = literalBranches(e.whenTrue);
    const b = literalBranches(e.whenFalse);
    // `cond ? 'message' : undefined`, or a resolver returning a record or a message.
    return [...a, ...b];
  }
  return templatesOf(e) ? [e] : [];
}
