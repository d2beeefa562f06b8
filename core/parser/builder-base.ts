/**
 * The base of the CST → AST builder (builder.ts): reading chevrotain's CST, positions and
 * diagnostics. The builder's methods live on a chain of classes, one file per role, each using
 * only the classes below it: base → expressions → patterns (stream sources, patterns and
 * sequences) → queries (inputs, selection, outputs) → builder.ts (app, annotations,
 * definitions, partitions, on-demand queries).
 */
import type { CstNode, IToken } from 'chevrotain';
import type { Annotation, Pos } from '../ast/nodes';
import type { Diagnostic } from '../errors/millrace-error';
import * as T from './lexer';
import type { SourceText } from './source';

export type Ctx = Record<string, (CstNode | IToken)[] | undefined>;

export const ch = (n: CstNode): Ctx => n.children as Ctx;
export const tok = (c: Ctx, key: string, i = 0): IToken | undefined => c[key]?.[i] as IToken | undefined;
export const node = (c: Ctx, key: string, i = 0): CstNode | undefined => c[key]?.[i] as CstNode | undefined;
export const toks = (c: Ctx, key: string): IToken[] => (c[key] ?? []) as IToken[];
export const nodes = (c: Ctx, key: string): CstNode[] => (c[key] ?? []) as CstNode[];

export function nameOf(t: IToken): string {
  return t.tokenType === T.BacktickId ? t.image.slice(1, -1) : t.image;
}

export function stringOf(t: IToken): string {
  return t.tokenType === T.TripleQuoted ? t.image.slice(3, -3) : t.image.slice(1, -1);
}

export class BuilderBase {
  readonly diagnostics: Diagnostic[] = [];

  constructor(protected readonly src: SourceText) {}

  protected tpos(t: IToken): Pos {
    return this.src.pos(t.startOffset);
  }

  protected npos(n: CstNode): Pos {
    return this.src.pos(n.location!.startOffset);
  }

  /** Where an element starts: its first annotation, else its own first token. */
  protected firstPos(annotations: readonly Annotation[], fallback: CstNode): Pos {
    return annotations.length > 0 ? annotations[0]!.pos : this.npos(fallback);
  }

  protected error(message: string, at: IToken | Pos, length?: number): void {
    if ('image' in at) this.diagnostics.push({ message, pos: this.tpos(at), length: Math.max(1, length ?? at.image.length) });
    else this.diagnostics.push({ message, pos: at, length: Math.max(1, length ?? 1) });
  }
}
