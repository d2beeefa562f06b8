import { JsonObject, type JsonNode } from './json-tree';

/**
 * The part of Jayway JsonPath (what siddhi-map-json evaluates) that custom JSON mappings use:
 * `$`, `.name`, `['name']`, `[n]` (negative from the end), `[*]` and `.*`. A path without a
 * leading `$` is read from the root, as Jayway does (`company.symbol` is `$.company.symbol`).
 * Filters (`[?(...)]`), deep scans (`..`), unions and slices are not supported.
 */
export type PathStep = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'all' };

export interface JsonPath {
  readonly text: string;
  readonly steps: readonly PathStep[];
  /** With a wildcard the path selects a list of values (Jayway's indefinite path). */
  readonly indefinite: boolean;
}

const NAME = /[^.[\]\s'"*()?@,:]+/y;
const BRACKET = /\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(-?\d+)|(\*))\s*\]/y;

/**
 * Parses a path, or says why it is not one Millrace evaluates.
 *
 * @example
 *   parseJsonPath("$.portfolio.stock['price']") // steps: name portfolio, name stock, name price
 */
export function parseJsonPath(text: string): JsonPath | string {
  let s = text.trim();
  if (s === '') return 'an empty JSON path';
  if (s.startsWith('$')) s = s.slice(1);
  else if (!s.startsWith('[') && !s.startsWith('.')) s = `.${s}`;
  const steps: PathStep[] = [];
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('..', i)) return `deep scans ('..') are not supported in JSON path '${text}'`;
    if (s[i] === '.') {
      if (s[i + 1] === '*') {
        steps.push({ kind: 'all' });
        i += 2;
        continue;
      }
      NAME.lastIndex = i + 1;
      const m = NAME.exec(s);
      if (!m) return `JSON path '${text}' has no name after '.' at offset ${i + 1}`;
      steps.push({ kind: 'name', name: m[0] });
      i += 1 + m[0].length;
      continue;
    }
    if (s[i] === '[') {
      BRACKET.lastIndex = i;
      const m = BRACKET.exec(s);
      if (!m) return `JSON path '${text}': only ['name'], [n] and [*] are supported in brackets (no filters, unions or slices)`;
      if (m[1] !== undefined || m[2] !== undefined) steps.push({ kind: 'name', name: (m[1] ?? m[2]).replace(/\\(.)/g, '$1') });
      else if (m[3] !== undefined) steps.push({ kind: 'index', index: Number(m[3]) });
      else steps.push({ kind: 'all' });
      i += m[0].length;
      continue;
    }
    return `JSON path '${text}' has '${s[i]}' where '.' or '[' should be`;
  }
  return { text, steps, indefinite: steps.some(st => st.kind === 'all') };
}

/** What a path selects: the value, or `missing` (Jayway's PathNotFoundException). */
export type PathResult = { readonly found: true; readonly value: JsonNode } | { readonly found: false };

const MISSING: PathResult = { found: false };

/**
 * Evaluates a path. A definite path is missing when a step finds nothing; an indefinite one
 * selects the list of what its branches found (possibly empty).
 */
export function readJsonPath(root: JsonNode, path: JsonPath): PathResult {
  let current: JsonNode[] = [root];
  for (const step of path.steps) {
    const next: JsonNode[] = [];
    for (const node of current) {
      const r = stepInto(node, step);
      if (r) next.push(...r);
      else if (!path.indefinite) return MISSING;
    }
    current = next;
  }
  return path.indefinite ? { found: true, value: current } : { found: true, value: current[0] };
}

function stepInto(node: JsonNode, step: PathStep): JsonNode[] | null {
  if (step.kind === 'all') {
    if (Array.isArray(node)) return node;
    if (node instanceof JsonObject) return node.entries.map(([, v]) => v);
    return null;
  }
  if (step.kind === 'name') {
    if (!(node instanceof JsonObject) || !node.has(step.name)) return null;
    return [node.get(step.name)!];
  }
  if (!Array.isArray(node)) return null;
  const i = step.index < 0 ? node.length + step.index : step.index;
  return i >= 0 && i < node.length ? [node[i]] : null;
}
