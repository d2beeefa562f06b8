/**
 * The base of the SiddhiQL grammar (grammar.ts): the chevrotain CstParser set-up, Siddhi-style
 * error messages, the recovery tuning and the token scan that classifies a query input.
 *
 * The grammar's rules are class fields of a chain of classes, one file per role, each using only
 * the rules of the classes below it: base → expressions → patterns (stream sources, patterns and
 * sequences) → output (selection, rate limits, outputs) → queries (query inputs) → grammar.ts (app,
 * annotations, definitions, partitions, on-demand queries), whose constructor runs chevrotain's
 * self-analysis once every rule is defined.
 */
import { CstParser, EOF, type IToken, type TokenType, type IParserErrorMessageProvider } from 'chevrotain';
import * as T from './lexer';

export const InputKind = { Single: 0, Join: 1, State: 2, Anonymous: 3 } as const;
export type InputKind = (typeof InputKind)[keyof typeof InputKind];

/** A diagnostic raised by a grammar action rather than by chevrotain (e.g. a missing `;`). */
export interface ExtraError {
  readonly token: IToken;
  readonly message: string;
}

export function tokenLabel(t: TokenType): string {
  if (t === EOF) return 'end of input';
  return t.LABEL ?? t.name;
}

export function showToken(t: IToken): string {
  if (t.tokenType === EOF) return "'<EOF>'";
  const img = t.image.length > 40 ? `${t.image.slice(0, 37)}...` : t.image;
  return `'${img.replace(/\r?\n/g, '\\n')}'`;
}

function firstTokensOf(paths: TokenType[][][] | TokenType[][]): string {
  const seen = new Set<string>();
  const walk = (p: unknown): void => {
    if (Array.isArray(p)) {
      if (p.length > 0 && !Array.isArray(p[0])) {
        seen.add(tokenLabel(p[0] as TokenType));
        return;
      }
      for (const q of p) walk(q);
    }
  };
  walk(paths);
  const labels = [...seen];
  if (labels.length === 1) return labels[0]!;
  const shown = labels.slice(0, 10).join(', ');
  return `one of {${shown}${labels.length > 10 ? ', ...' : ''}}`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    // In-repetition recovery of the app's element loop: the token cannot start an element.
    if (expected === EOF && ruleName === 'app') {
      return `mismatched input ${showToken(actual)}, expecting one of {'define', 'from', 'partition', '@', ';'}`;
    }
    return `mismatched input ${showToken(actual)}, expecting ${tokenLabel(expected)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `extraneous input ${showToken(firstRedundant)}, expecting end of input`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual }) {
    return `mismatched input ${showToken(actual[0]!)}, expecting ${firstTokensOf(expectedPathsPerAlt)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    return `mismatched input ${showToken(actual[0]!)}, expecting ${firstTokensOf(expectedIterationPaths)}`;
  },
};

/** Tokens that end the input part of a query when met at bracket depth 0. */
const INPUT_STOP = new Set<TokenType>([T.Select, T.Insert, T.Delete, T.Update, T.Return, T.Output, T.Semi, EOF]);
/** Tokens that only occur in a pattern or sequence input (at depth 0, before any `join`). */
const STATE_MARK = new Set<TokenType>([
  T.Arrow, T.Comma, T.Assign, T.Lt, T.Plus, T.Star, T.Question, T.And, T.Or, T.Within, T.Every, T.Not,
]);
/** Single-token insertion is only attempted for punctuation and keywords, never for names or literals. */
const NO_INSERT = new Set<TokenType>([T.Name, T.Identifier, T.BacktickId, T.IntLit, T.LongLit, T.FloatLit, T.DoubleLit, T.StringLit, T.TimeUnit, T.AttrTypeKw, T.ScriptBody]);

export class GrammarBase extends CstParser {
  /** Errors found by grammar actions, in addition to `this.errors`. */
  extraErrors: ExtraError[] = [];

  /** @param validate run chevrotain's grammar validations (see SiddhiParser). */
  constructor(validate: boolean) {
    super(T.allTokens, {
      recoveryEnabled: true,
      // k = 2 everywhere; deeper lookahead over the large `Name` category makes start-up slow.
      maxLookahead: 2,
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: messages,
      skipValidations: !validate,
    });
  }

  prepare(tokens: IToken[]): void {
    this.input = tokens;
    this.extraErrors = [];
  }

  // ---- error recovery tuning (overrides chevrotain's Recoverable trait methods) ---------------

  override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    return !NO_INSERT.has(tokType);
  }

  tryInRuleRecovery(expectedTokType: TokenType, follows: TokenType[]): IToken {
    const self = this as unknown as {
      canRecoverWithSingleTokenInsertion(t: TokenType, f: TokenType[]): boolean;
      canRecoverWithSingleTokenDeletion(t: TokenType): boolean;
      _errors: { message: string }[];
    };
    const last = self._errors[self._errors.length - 1];
    if (self.canRecoverWithSingleTokenInsertion(expectedTokType, follows)) {
      if (last) last.message = `missing ${tokenLabel(expectedTokType)} at ${showToken(this.LA(1))}`;
    } else if (self.canRecoverWithSingleTokenDeletion(expectedTokType)) {
      if (last) last.message = `extraneous input ${showToken(this.LA(1))}, expecting ${tokenLabel(expectedTokType)}`;
    }
    const base = Object.getPrototypeOf(GrammarBase.prototype) as { tryInRuleRecovery(t: TokenType, f: TokenType[]): IToken };
    return base.tryInRuleRecovery.call(this, expectedTokType, follows);
  }

  // ---- input classification -------------------------------------------------------------------

  /** Decides the kind of query input starting at LA(1) by scanning ahead (see grammar-queries.ts). */
  classifyInput(): InputKind {
    const t1 = this.LA(1).tokenType;
    if (t1 === T.LParen) return this.LA(2).tokenType === T.From ? InputKind.Anonymous : InputKind.State;
    if (t1 === T.Every || t1 === T.Not) return InputKind.State;
    let depth = 0;
    let state = false;
    for (let i = 1; ; i++) {
      const tok = this.LA(i);
      const tt = tok.tokenType;
      if (tt === EOF) break;
      if (tt === T.LParen || tt === T.LBracket) depth++;
      else if (tt === T.RParen || tt === T.RBracket) {
        if (--depth < 0) break;
      } else if (depth === 0) {
        if (tt === T.Join) return state ? InputKind.State : InputKind.Join;
        if (INPUT_STOP.has(tt)) break;
        if (STATE_MARK.has(tt)) state = true;
      }
    }
    return state ? InputKind.State : InputKind.Single;
  }

  /** Set after an element of a `;`-separated list (app, partition), cleared by a `;`. */
  protected needSemi = false;
}
