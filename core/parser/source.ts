/**
 * `${VAR}` substitution and offset → position mapping.
 *
 * Substitution happens before lexing. Tokens carry offsets into the substituted text; every
 * position reported (AST `pos`, diagnostics) is mapped back to the ORIGINAL text: offsets after a
 * substituted variable are shifted back by the length difference, and anything that comes from the
 * substituted value itself is reported at the `$` of its `${VAR}`.
 */
import type { Pos } from '../ast/nodes';
import type { Diagnostic } from '../errors/millrace-error';

interface Replacement {
  /** Start and length in the substituted text. */
  readonly newStart: number;
  readonly newLength: number;
  /** Start and length (`${VAR}`) in the original text. */
  readonly origStart: number;
  readonly origLength: number;
}

export class SourceText {
  /** The text that is lexed. */
  readonly text: string;
  private lineStarts: number[] | undefined;

  constructor(
    readonly original: string,
    text: string,
    private readonly replacements: readonly Replacement[],
  ) {
    this.text = text;
  }

  /** Maps an offset in {@link text} to the original text. */
  originalOffset(offset: number): number {
    const reps = this.replacements;
    if (reps.length === 0) return offset;
    let lo = 0;
    let hi = reps.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (reps[mid]!.newStart <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return offset;
    const r = reps[found]!;
    if (offset < r.newStart + r.newLength) return r.origStart;
    return r.origStart + r.origLength + (offset - r.newStart - r.newLength);
  }

  /** Position (in the original text) of an offset in the substituted text. */
  pos(offset: number): Pos {
    return this.posOriginal(this.originalOffset(offset));
  }

  posOriginal(offset: number): Pos {
    const starts = (this.lineStarts ??= computeLineStarts(this.original));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1, offset };
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/**
 * The text without a leading UTF-8 byte-order mark (U+FEFF), which editors on Windows write and
 * nobody sees. Positions are counted in the text without it, as the reader sees the file.
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const VAR = /\$\{([^{}]*)\}/g;

/**
 * Replaces every `${NAME}` using `env`. A name `env` does not know is a diagnostic
 * ("No system or environmental variable found for '${NAME}'").
 */
export function substitute(
  text: string,
  env: ((name: string) => string | undefined) | undefined,
): { source: SourceText; diagnostics: Diagnostic[] } {
  if (!text.includes('${')) return { source: new SourceText(text, text, []), diagnostics: [] };
  const replacements: Replacement[] = [];
  const diagnostics: Diagnostic[] = [];
  const probe = new SourceText(text, text, []);
  let out = '';
  let last = 0;
  VAR.lastIndex = 0;
  for (let m = VAR.exec(text); m !== null; m = VAR.exec(text)) {
    const name = m[1]!;
    const value = env?.(name);
    if (value === undefined) {
      diagnostics.push({
        message: `No system or environmental variable found for '\${${name}}'`,
        pos: probe.posOriginal(m.index),
        length: m[0].length,
      });
      continue;
    }
    out += text.slice(last, m.index);
    replacements.push({ newStart: out.length, newLength: value.length, origStart: m.index, origLength: m[0].length });
    out += value;
    last = m.index + m[0].length;
  }
  out += text.slice(last);
  return { source: new SourceText(text, out, replacements), diagnostics };
}
