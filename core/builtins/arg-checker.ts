import type { AttrType } from '../ast/nodes';
import type { Value } from '../kernel/event';
import { BuiltinArgError } from '../errors/millrace-error';
import type { ArgForm, ArgInfo, BoundArgs, BuiltinDoc, ParamSpec, ParamType, Signature } from './descriptor';

/**
 * The one argument checker of every builtin. A builtin's descriptor lists its signatures; a call's
 * arguments are matched against them here, before the builtin sees them:
 *
 * - arity: optional parameters may be left out from the end; a repeated last parameter takes the
 *   rest;
 * - overloads: among the signatures of the call's arity, the first whose parameters all loosely
 *   fit the arguments (an attribute parameter takes any attribute, others any argument of their
 *   types) is chosen; where none does, the message lists what the place can take;
 * - forms: each argument must then fit one form of its parameter exactly (a constant where a
 *   constant is needed, an attribute where an attribute is, of the right type).
 *
 * Problems are BuiltinArgErrors; the planner positions them at the call. Value checks (a length of
 * at least 0, one of 'asc'|'desc') and checks between arguments (same types) stay with the builtin.
 */
export function checkArgs(b: BuiltinDoc, args: readonly ArgInfo[], attributes?: readonly { readonly name: string }[]): BoundArgs {
  const n = args.length;
  const candidates = b.signatures.map((s, i) => ({ s, i })).filter(c => fitsArity(c.s, n));
  if (!candidates.length) throw new BuiltinArgError(arityMessage(b, n));
  let alive = candidates;
  for (let k = 0; k < n && alive.length > 1; k++) {
    const next = alive.filter(c => fitsLoosely(paramAt(c.s, k), args[k]));
    if (!next.length) {
      const params = distinct(alive.map(c => paramAt(c.s, k)));
      if (params.length > 1) throw new BuiltinArgError(alternativesMessage(b, k, params, args[k]));
      alive = [alive[0]];
      break;
    }
    alive = next;
  }
  const chosen = alive[0];
  const bound = args.map((_, k) => paramAt(chosen.s, k));
  args.forEach((a, k) => {
    if (!fits(bound[k], a)) throw new BuiltinArgError(formMessage(b, k, bound[k], a, attributes));
  });
  return new Bound(args, chosen.i, bound);
}

class Bound implements BoundArgs {
  constructor(
    readonly all: readonly ArgInfo[],
    readonly signature: number,
    private readonly params: readonly ParamSpec[],
  ) {}
  position(param: string): number | undefined {
    const k = this.params.findIndex(p => p.name === param);
    return k < 0 ? undefined : k;
  }
  arg(param: string): ArgInfo | undefined {
    const k = this.position(param);
    return k === undefined ? undefined : this.all[k];
  }
  args(param: string): readonly ArgInfo[] {
    return this.all.filter((_, k) => this.params[k].name === param);
  }
  constant(param: string): Value | undefined {
    return this.arg(param)?.constant?.value;
  }
  attribute(param: string): number | undefined {
    return this.arg(param)?.attributeIndex;
  }
}

/** The fewest arguments a signature takes, and the most (Infinity with a repeated parameter). */
export function arity(s: Signature): { min: number; max: number } {
  let min = 0;
  s.forEach((p, k) => {
    if (p.default === undefined) min = k + 1;
  });
  const last = s[s.length - 1];
  return { min, max: last?.repeated ? Infinity : s.length };
}

function fitsArity(s: Signature, n: number): boolean {
  const { min, max } = arity(s);
  return n >= min && n <= max;
}

function paramAt(s: Signature, k: number): ParamSpec {
  return s[Math.min(k, s.length - 1)];
}

function distinct(params: readonly ParamSpec[]): ParamSpec[] {
  return params.filter((p, i) => params.findIndex(q => q.name === p.name) === i);
}

function hasType(types: ArgForm['types'], t: AttrType): boolean {
  return types === 'ANY' || types.includes(t) || (t === 'LONG' && types.includes('TIME'));
}

function fitsForm(f: ArgForm, a: ArgInfo): boolean {
  if (f.source === 'constant' && !a.constant) return false;
  if (f.source === 'attribute' && a.attributeIndex === undefined) return false;
  return hasType(f.types, a.type);
}

function fits(p: ParamSpec, a: ArgInfo): boolean {
  return p.forms.some(f => fitsForm(f, a));
}

/** What picks an overload: an attribute parameter takes any attribute; others any argument of their types. */
function fitsLoosely(p: ParamSpec, a: ArgInfo): boolean {
  return p.forms.some(f => (f.source === 'attribute' ? a.attributeIndex !== undefined : hasType(f.types, a.type)));
}

// ---------------------------------------------------------------------------------------------
// Messages, generated from the descriptor.

/** `length window`, `sum()`, `#log()`. */
export function ownerOf(b: BuiltinDoc): string {
  if (b.kind === 'window') return `${b.name} window`;
  return b.kind === 'stream function' ? `#${b.name}()` : `${b.name}()`;
}

function nounOf(b: BuiltinDoc): string {
  return b.kind === 'window' || b.kind === 'stream function' ? 'parameter' : 'argument';
}

const article = (word: string) => (/^['"]?[aeiou]/i.test(word) ? 'an' : 'a');

/** How an argument was given, for messages: `a long attribute`, `a constant string`. */
export function describeArg(a: ArgInfo): string {
  const t = a.type.toLowerCase();
  if (a.constant) return `a constant ${t}`;
  if (a.attributeIndex !== undefined) return `${article(t)} ${t} attribute`;
  return `an expression of type ${t}`;
}

function ordinal(k: number): string {
  const n = k + 1;
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  const sep = items.some(i => i.includes(' or ')) ? ', or ' : ' or ';
  return `${items.slice(0, -1).join(', ')}${sep}${items[items.length - 1]}`;
}

/** `int or long`, `int, long or time value`, `number`; `concise` leaves TIME out. */
export function typeList(types: readonly ParamType[], concise = false): string {
  if (types.length === NUMERIC_COUNT && NUMERIC_TYPES.every(t => types.includes(t))) return 'number';
  return orList(types.filter(t => !concise || t !== 'TIME').map(t => (t === 'TIME' ? 'time value' : t.toLowerCase())));
}
const NUMERIC_TYPES: readonly ParamType[] = ['INT', 'LONG', 'FLOAT', 'DOUBLE'];
const NUMERIC_COUNT = NUMERIC_TYPES.length;

/** What a form takes, in words: `a constant int, long or time value`, `a string attribute`. */
function formText(f: ArgForm, concise: boolean): string {
  const types = f.types === 'ANY' ? '' : typeList(f.types, concise);
  if (f.source === 'constant') return `a constant${types ? ` ${types}` : ''}`;
  if (f.source === 'attribute') return types ? `${article(types)} ${types} attribute` : 'an attribute';
  return types ? `${article(types)} ${types}` : 'a value';
}

/** Every form of a parameter, in words. */
export function formsText(p: ParamSpec, concise = false): string {
  return orList(p.forms.map(f => formText(f, concise)));
}

function arityMessage(b: BuiltinDoc, n: number): string {
  const noun = nounOf(b);
  const ranges = b.signatures.map(arity);
  const min = Math.min(...ranges.map(r => r.min));
  const max = Math.max(...ranges.map(r => r.max));
  if (n < min && max === Infinity) {
    const missing = b.signatures.find(s => arity(s).min > n)![n];
    return `${ownerOf(b)} needs ${article(missing.name)} '${missing.name}' ${noun}`;
  }
  return `${ownerOf(b)} takes ${min === max ? min : `${min} to ${max}`} ${noun}${max === 1 ? '' : 's'}, found ${n}`;
}

function alternativesMessage(b: BuiltinDoc, k: number, params: readonly ParamSpec[], a: ArgInfo): string {
  const items = params.map(p => (p.role ? `${p.role} (${formsText(p)})` : `'${p.name}' (${formsText(p, true)})`));
  return `${ownerOf(b)}'s ${ordinal(k)} ${nounOf(b)} must be ${items.join(' or ')}, found ${describeArg(a)}`;
}

function formMessage(b: BuiltinDoc, k: number, p: ParamSpec, a: ArgInfo, attributes?: readonly { readonly name: string }[]): string {
  const owner = ownerOf(b);
  const label = p.citeByPosition ? `${ordinal(k)} ${nounOf(b)} '${p.name}'` : `'${p.name}' ${nounOf(b)}`;
  const only = p.forms.length === 1 ? p.forms[0] : undefined;
  const note = p.note ? ` (${p.note})` : '';
  if (b.kind === 'aggregate') return `${b.name[0].toUpperCase()}${b.name.slice(1)} not supported for ${a.type}; it takes ${formsText(p)}${note}`;
  if (only?.source === 'attribute') {
    if (a.attributeIndex === undefined) return `${owner}'s ${label} must be an attribute of the input stream, found ${describeArg(a)}`;
    const name = attributes?.[a.attributeIndex]?.name ?? '?';
    return `${owner}'s '${p.name}' attribute '${name}' must be of type ${only.types === 'ANY' ? 'any' : typeList(only.types)}, found ${a.type.toLowerCase()}`;
  }
  const hint = p.attributeHint && a.attributeIndex !== undefined ? ` (${p.attributeHint})` : '';
  return `${owner}'s ${label} must be ${formsText(p)}${note}, found ${describeArg(a)}${hint}`;
}

// ---------------------------------------------------------------------------------------------
// Usage text, generated from the descriptor.

function paramUsage(p: ParamSpec): string {
  const types = [...new Set(p.forms.flatMap((f): readonly string[] => (f.types === 'ANY' ? ['ANY'] : f.types)))].join('|');
  const attr = p.forms.every(f => f.source === 'attribute') ? ' attribute' : '';
  const text = `${p.name} ${types}${attr}${p.default !== undefined ? ` = ${p.default}` : ''}`;
  return p.repeated ? `${text}, ...` : text;
}

/** `length(window.length INT|LONG)`; overloads are separated by ` | `. */
export function usage(b: BuiltinDoc): string {
  const prefix = b.kind === 'stream function' ? '#' : b.kind === 'window' ? 'window.' : '';
  return b.signatures.map(s => `${prefix}${b.name}(${s.map(paramUsage).join(', ')})`).join(' | ');
}
