/**
 * The SiddhiQL grammar as a chevrotain CstParser. The parser instance is built once (module load)
 * and reused; {@link SiddhiParser.prepare} prepares it for a new token vector.
 *
 * Shape notes (the CST → AST step lives in builder.ts):
 * - Binary expressions are parsed flat (`unary (op unary | in T)*`) and precedence is applied by
 *   the builder, which keeps the CST small.
 * - The kind of a query input (single stream, join, pattern/sequence, anonymous) is decided by a
 *   token scan ({@link SiddhiParser.classifyInput}) used as a GATE, because the forms share long
 *   prefixes (`A[x > 1]#window.length(2) ...`).
 * - Pattern vs sequence and the placement of `within` are decided by the builder.
 */
import { CstParser, EOF, type IToken, type TokenType, type IParserErrorMessageProvider } from 'chevrotain';
import * as T from './lexer';

const enum InputKind {
  Single,
  Join,
  State,
  Anonymous,
}

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

export class SiddhiParser extends CstParser {
  /** Errors found by grammar actions, in addition to `this.errors`. */
  extraErrors: ExtraError[] = [];

  /**
   * @param validate run chevrotain's grammar validations (ambiguity checks etc.). They cost about
   *   100 ms, so the shared instance skips them; a unit test builds a validated instance.
   */
  constructor(validate = false) {
    super(T.allTokens, {
      recoveryEnabled: true,
      // k = 2 everywhere; deeper lookahead over the large `Name` category makes start-up slow.
      maxLookahead: 2,
      nodeLocationTracking: 'onlyOffset',
      errorMessageProvider: messages,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
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
    const base = Object.getPrototypeOf(SiddhiParser.prototype) as { tryInRuleRecovery(t: TokenType, f: TokenType[]): IToken };
    return base.tryInRuleRecovery.call(this, expectedTokType, follows);
  }

  // ---- input classification -------------------------------------------------------------------

  /** Decides the kind of query input starting at LA(1) by scanning ahead (see file comment). */
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

  // ---- app structure -------------------------------------------------------------------------------

  private needSemi = false;

  app = this.RULE('app', () => {
    this.ACTION(() => (this.needSemi = false));
    this.MANY(() => this.SUBRULE(this.annotation));
    this.MANY2(() => {
      this.OR([
        { ALT: () => { this.CONSUME(T.Semi); this.ACTION(() => (this.needSemi = false)); } },
        {
          ALT: () => {
            this.ACTION(() => {
              if (this.needSemi) this.extraErrors.push({ token: this.LA(1), message: `missing ';' at ${showToken(this.LA(1))}` });
            });
            this.SUBRULE(this.element);
            this.ACTION(() => (this.needSemi = true));
          },
        },
      ]);
    });
  });

  element = this.RULE('element', () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.OR([
      { ALT: () => this.SUBRULE(this.definition) },
      { ALT: () => this.SUBRULE(this.query) },
      { ALT: () => this.SUBRULE(this.partition) },
    ]);
  });

  // ---- annotations -------------------------------------------------------------------------------

  annotation = this.RULE('annotation', () => {
    this.CONSUME(T.At);
    this.CONSUME(T.Name, { LABEL: 'nameParts' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.CONSUME2(T.Name, { LABEL: 'nameParts' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.LParen);
      this.OPTION3(() => {
        this.SUBRULE(this.annotationElement);
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.annotationElement);
        });
      });
      this.CONSUME(T.RParen);
    });
  });

  annotationElement = this.RULE('annotationElement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.annotation) },
      {
        ALT: () => {
          this.SUBRULE(this.dottedName, { LABEL: 'key' });
          this.OPTION(() => {
            this.CONSUME(T.Assign);
            this.SUBRULE(this.annotationValue);
          });
        },
      },
      { ALT: () => this.SUBRULE(this.annotationLiteral, { LABEL: 'positional' }) },
    ]);
  });

  /** `receiver.url`, `idle-time`, `trp:header` as written. */
  dottedName = this.RULE('dottedName', () => {
    this.CONSUME(T.Name);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Dot) }, { ALT: () => this.CONSUME(T.Minus) }, { ALT: () => this.CONSUME(T.Colon) }]);
      this.CONSUME2(T.Name);
    });
  });

  /** A value after `key=`: a literal or an unquoted (dotted) name. */
  annotationValue = this.RULE('annotationValue', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.annotationLiteral) }, { ALT: () => this.SUBRULE(this.dottedName) }]);
  });

  annotationLiteral = this.RULE('annotationLiteral', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringLit) },
      {
        ALT: () => {
          this.OPTION(() => this.OR2([{ ALT: () => this.CONSUME(T.Minus) }, { ALT: () => this.CONSUME(T.Plus) }]));
          this.OR3([
            { ALT: () => this.CONSUME(T.IntLit) },
            { ALT: () => this.CONSUME(T.LongLit) },
            { ALT: () => this.CONSUME(T.FloatLit) },
            { ALT: () => this.CONSUME(T.DoubleLit) },
          ]);
        },
      },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
    ]);
  });

  // ---- definitions ---------------------------------------------------------------------------------

  definition = this.RULE('definition', () => {
    this.CONSUME(T.Define);
    this.OR([
      { ALT: () => this.SUBRULE(this.streamDefinition) },
      { ALT: () => this.SUBRULE(this.tableDefinition) },
      { ALT: () => this.SUBRULE(this.windowDefinition) },
      { ALT: () => this.SUBRULE(this.triggerDefinition) },
      { ALT: () => this.SUBRULE(this.functionDefinition) },
      { ALT: () => this.SUBRULE(this.aggregationDefinition) },
    ]);
  });

  streamDefinition = this.RULE('streamDefinition', () => {
    this.CONSUME(T.Stream);
    this.CONSUME(T.Name);
    this.SUBRULE(this.attributeList);
  });

  tableDefinition = this.RULE('tableDefinition', () => {
    this.CONSUME(T.Table);
    this.CONSUME(T.Name);
    this.SUBRULE(this.attributeList);
  });

  windowDefinition = this.RULE('windowDefinition', () => {
    this.CONSUME(T.Window);
    this.CONSUME(T.Name);
    this.SUBRULE(this.attributeList);
    this.SUBRULE(this.functionCall);
    this.OPTION(() => {
      this.CONSUME(T.Output);
      this.SUBRULE(this.eventType);
    });
  });

  triggerDefinition = this.RULE('triggerDefinition', () => {
    this.CONSUME(T.Trigger);
    this.CONSUME(T.Name);
    this.CONSUME(T.AtKw);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Every);
          this.SUBRULE(this.timeValue);
        },
      },
      { ALT: () => this.CONSUME(T.StringLit) },
    ]);
  });

  functionDefinition = this.RULE('functionDefinition', () => {
    this.CONSUME(T.Function);
    this.CONSUME(T.Name, { LABEL: 'id' });
    this.CONSUME(T.LBracket);
    this.CONSUME2(T.Name, { LABEL: 'language' });
    this.CONSUME(T.RBracket);
    this.CONSUME(T.Return);
    this.CONSUME(T.AttrTypeKw);
    this.CONSUME(T.ScriptBody);
  });

  aggregationDefinition = this.RULE('aggregationDefinition', () => {
    this.CONSUME(T.Aggregation);
    this.CONSUME(T.Name);
    this.CONSUME(T.From);
    this.SUBRULE(this.singleInput);
    this.SUBRULE(this.selectClause);
    this.CONSUME(T.Aggregate);
    this.OPTION(() => {
      this.CONSUME(T.By);
      this.SUBRULE(this.expression, { LABEL: 'aggregateBy' });
    });
    this.CONSUME(T.Every);
    this.CONSUME(T.TimeUnit);
    this.OPTION2(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.TripleDot);
            this.CONSUME2(T.TimeUnit);
          },
        },
        {
          ALT: () => {
            this.AT_LEAST_ONE(() => {
              this.CONSUME(T.Comma);
              this.CONSUME3(T.TimeUnit);
            });
          },
        },
      ]);
    });
  });

  attributeList = this.RULE('attributeList', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.attributeDef);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.attributeDef);
    });
    this.CONSUME(T.RParen);
  });

  attributeDef = this.RULE('attributeDef', () => {
    this.CONSUME(T.Name);
    this.CONSUME(T.AttrTypeKw);
  });

  /** `name(args)` or `ns:name(args)`: windows in `define window`, stream functions, windows. */
  functionCall = this.RULE('functionCall', () => {
    this.CONSUME(T.Name, { LABEL: 'nameParts' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.CONSUME2(T.Name, { LABEL: 'nameParts' });
    });
    this.SUBRULE(this.argumentList);
  });

  argumentList = this.RULE('argumentList', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression);
      });
    });
    this.CONSUME(T.RParen);
  });

  // ---- queries -------------------------------------------------------------------------------------

  query = this.RULE('query', () => {
    this.CONSUME(T.From);
    this.SUBRULE(this.queryInput);
    this.OPTION(() => this.SUBRULE(this.selectClause));
    this.OPTION2(() => this.SUBRULE(this.outputRate));
    this.SUBRULE(this.queryOutput);
  });

  queryInput = this.RULE('queryInput', () => {
    let kind = InputKind.Single;
    this.ACTION(() => (kind = this.classifyInput()));
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => kind === InputKind.Anonymous, ALT: () => this.SUBRULE(this.anonymousInput) },
        { GATE: () => kind === InputKind.State, ALT: () => this.SUBRULE(this.stateChain) },
        { GATE: () => kind === InputKind.Join, ALT: () => this.SUBRULE(this.joinInput) },
        { ALT: () => this.SUBRULE(this.singleInput) },
      ],
    });
  });

  streamRef = this.RULE('streamRef', () => {
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Hash) }, { ALT: () => this.CONSUME(T.Bang) }]));
    this.CONSUME(T.Name);
  });

  singleInput = this.RULE('singleInput', () => {
    this.SUBRULE(this.streamRef);
    this.MANY(() => this.SUBRULE(this.streamHandler));
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Name, { LABEL: 'alias' });
    });
  });

  streamHandler = this.RULE('streamHandler', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.filter) },
      {
        ALT: () => {
          this.CONSUME(T.Hash);
          this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.Window);
                this.CONSUME(T.Dot);
                this.SUBRULE(this.functionCall, { LABEL: 'window' });
              },
            },
            { ALT: () => this.SUBRULE2(this.filter) },
            { ALT: () => this.SUBRULE2(this.functionCall, { LABEL: 'streamFunction' }) },
          ]);
        },
      },
    ]);
  });

  filter = this.RULE('filter', () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RBracket);
  });

  joinInput = this.RULE('joinInput', () => {
    this.SUBRULE(this.joinSource, { LABEL: 'left' });
    this.SUBRULE(this.joinType);
    this.SUBRULE2(this.joinSource, { LABEL: 'right' });
    this.OPTION(() => {
      this.CONSUME(T.On);
      this.SUBRULE(this.expression, { LABEL: 'on' });
    });
    this.OPTION2(() => this.SUBRULE(this.withinRange));
    this.OPTION3(() => {
      this.CONSUME(T.Per);
      this.SUBRULE3(this.expression, { LABEL: 'per' });
    });
  });

  withinRange = this.RULE('withinRange', () => {
    this.CONSUME(T.Within);
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expression);
    });
  });

  joinSource = this.RULE('joinSource', () => {
    this.SUBRULE(this.singleInput);
    this.OPTION(() => this.CONSUME(T.Unidirectional));
  });

  joinType = this.RULE('joinType', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Join) },
      {
        ALT: () => {
          this.CONSUME(T.Inner);
          this.CONSUME2(T.Join);
        },
      },
      {
        ALT: () => {
          this.OPTION(() =>
            this.OR2([{ ALT: () => this.CONSUME(T.Left) }, { ALT: () => this.CONSUME(T.Right) }, { ALT: () => this.CONSUME(T.Full) }]),
          );
          this.CONSUME(T.Outer);
          this.CONSUME3(T.Join);
        },
      },
    ]);
  });

  anonymousInput = this.RULE('anonymousInput', () => {
    this.CONSUME(T.LParen);
    this.CONSUME(T.From);
    this.SUBRULE(this.queryInput);
    this.OPTION(() => this.SUBRULE(this.selectClause));
    this.OPTION2(() => this.SUBRULE(this.outputRate));
    this.CONSUME(T.Return);
    this.OPTION3(() => this.SUBRULE(this.eventType));
    this.CONSUME(T.RParen);
    this.MANY(() => this.SUBRULE(this.streamHandler));
    this.OPTION4(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Name, { LABEL: 'alias' });
    });
  });

  // ---- patterns and sequences ----------------------------------------------------------------

  stateChain = this.RULE('stateChain', () => {
    this.SUBRULE(this.stateTerm);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Arrow, { LABEL: 'sep' }) }, { ALT: () => this.CONSUME(T.Comma, { LABEL: 'sep' }) }]);
      this.SUBRULE2(this.stateTerm);
    });
  });

  stateTerm = this.RULE('stateTerm', () => {
    this.OPTION(() => this.CONSUME(T.Every));
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.stateChain);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.stateLogical) },
    ]);
    this.OPTION2(() => {
      this.CONSUME(T.Within);
      this.SUBRULE(this.timeValue, { LABEL: 'within' });
    });
  });

  stateLogical = this.RULE('stateLogical', () => {
    this.SUBRULE(this.stateOperand);
    this.OPTION(() => {
      this.OR([{ ALT: () => this.CONSUME(T.And, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Or, { LABEL: 'op' }) }]);
      this.SUBRULE2(this.stateOperand);
    });
  });

  stateOperand = this.RULE('stateOperand', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.basicSource);
          this.OPTION(() => {
            this.CONSUME(T.For);
            this.SUBRULE(this.timeValue);
          });
        },
      },
      {
        ALT: () => {
          this.OPTION2(() => {
            this.CONSUME(T.Name, { LABEL: 'ref' });
            this.CONSUME(T.Assign);
          });
          this.SUBRULE2(this.basicSource);
          this.OPTION3(() => this.SUBRULE(this.countSuffix));
        },
      },
    ]);
  });

  basicSource = this.RULE('basicSource', () => {
    this.SUBRULE(this.streamRef);
    this.MANY(() => this.SUBRULE(this.streamHandler));
  });

  countSuffix = this.RULE('countSuffix', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Lt);
          this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.IntLit, { LABEL: 'min' });
                this.OPTION(() => {
                  this.CONSUME(T.Colon);
                  this.OPTION2(() => this.CONSUME2(T.IntLit, { LABEL: 'max' }));
                });
              },
            },
            {
              ALT: () => {
                this.CONSUME2(T.Colon);
                this.CONSUME3(T.IntLit, { LABEL: 'max' });
              },
            },
          ]);
          this.CONSUME(T.Gt);
        },
      },
      { ALT: () => this.CONSUME(T.Plus) },
      { ALT: () => this.CONSUME(T.Star) },
      { ALT: () => this.CONSUME(T.Question) },
    ]);
  });

  // ---- selection and output ------------------------------------------------------------------

  selectClause = this.RULE('selectClause', () => {
    this.CONSUME(T.Select);
    this.OR([
      { ALT: () => this.CONSUME(T.Star) },
      {
        ALT: () => {
          this.SUBRULE(this.outputAttribute);
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.outputAttribute);
          });
        },
      },
    ]);
    this.OPTION(() => {
      this.CONSUME(T.Group);
      this.CONSUME(T.By);
      this.SUBRULE(this.expression, { LABEL: 'groupBy' });
      this.MANY2(() => {
        this.CONSUME2(T.Comma);
        this.SUBRULE2(this.expression, { LABEL: 'groupBy' });
      });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Having);
      this.SUBRULE3(this.expression, { LABEL: 'having' });
    });
    this.OPTION3(() => {
      this.CONSUME(T.Order);
      this.CONSUME2(T.By);
      this.SUBRULE(this.orderItem);
      this.MANY3(() => {
        this.CONSUME3(T.Comma);
        this.SUBRULE2(this.orderItem);
      });
    });
    this.OPTION4(() => {
      this.CONSUME(T.Limit);
      this.SUBRULE4(this.expression, { LABEL: 'limit' });
    });
    this.OPTION5(() => {
      this.CONSUME(T.Offset);
      this.SUBRULE5(this.expression, { LABEL: 'offset' });
    });
  });

  outputAttribute = this.RULE('outputAttribute', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Name, { LABEL: 'alias' });
    });
  });

  orderItem = this.RULE('orderItem', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Asc, { LABEL: 'dir' }) }, { ALT: () => this.CONSUME(T.Desc, { LABEL: 'dir' }) }]));
  });

  outputRate = this.RULE('outputRate', () => {
    this.CONSUME(T.Output);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Snapshot);
          this.CONSUME(T.Every);
          this.SUBRULE(this.timeValue);
        },
      },
      {
        ALT: () => {
          this.OPTION(() =>
            this.OR2([
              { ALT: () => this.CONSUME(T.All, { LABEL: 'type' }) },
              { ALT: () => this.CONSUME(T.First, { LABEL: 'type' }) },
              { ALT: () => this.CONSUME(T.Last, { LABEL: 'type' }) },
            ]),
          );
          this.CONSUME2(T.Every);
          this.OR3([
            {
              ALT: () => {
                this.CONSUME(T.IntLit, { LABEL: 'count' });
                this.CONSUME(T.Events);
              },
            },
            { ALT: () => this.SUBRULE2(this.timeValue) },
          ]);
        },
      },
    ]);
  });

  eventType = this.RULE('eventType', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Current, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(T.Expired, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(T.All, { LABEL: 'type' }) },
    ]);
    this.CONSUME(T.Events);
  });

  queryOutput = this.RULE('queryOutput', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Insert);
          this.OPTION(() => this.SUBRULE(this.eventType));
          this.CONSUME(T.Into);
          this.SUBRULE(this.streamRef, { LABEL: 'target' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Delete);
          this.CONSUME(T.Name, { LABEL: 'table' });
          this.SUBRULE(this.forEvents);
          this.CONSUME(T.On);
          this.SUBRULE(this.expression, { LABEL: 'on' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Update);
          // `update or insert into T ...` vs `update T ...` (a table may be called `or`).
          this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.Or, { LABEL: 'upsert' });
                this.CONSUME2(T.Insert);
                this.CONSUME2(T.Into);
                this.CONSUME2(T.Name, { LABEL: 'table' });
              },
            },
            { ALT: () => this.CONSUME3(T.Name, { LABEL: 'table' }) },
          ]);
          this.SUBRULE2(this.forEvents);
          this.OPTION3(() => this.SUBRULE(this.setClause));
          this.CONSUME2(T.On);
          this.SUBRULE2(this.expression, { LABEL: 'on' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Return);
          this.OPTION5(() => this.SUBRULE2(this.eventType));
        },
      },
    ]);
  });

  /** Optional `for current|expired|all events`. */
  forEvents = this.RULE('forEvents', () => {
    this.OPTION(() => {
      this.CONSUME(T.For);
      this.SUBRULE(this.eventType);
    });
  });

  setClause = this.RULE('setClause', () => {
    this.CONSUME(T.Set);
    this.SUBRULE(this.setAssignment);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.setAssignment);
    });
  });

  setAssignment = this.RULE('setAssignment', () => {
    this.SUBRULE(this.expression, { LABEL: 'target' });
    this.CONSUME(T.Assign);
    this.SUBRULE2(this.expression, { LABEL: 'value' });
  });

  // ---- partitions ----------------------------------------------------------------------------------

  partition = this.RULE('partition', () => {
    this.CONSUME(T.Partition);
    this.CONSUME(T.With);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.partitionWith);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.partitionWith);
    });
    this.CONSUME(T.RParen);
    this.CONSUME(T.Begin);
    this.ACTION(() => (this.needSemi = false));
    this.MANY2(() => {
      this.OR([
        { ALT: () => { this.CONSUME(T.Semi); this.ACTION(() => (this.needSemi = false)); } },
        {
          ALT: () => {
            this.ACTION(() => {
              if (this.needSemi) this.extraErrors.push({ token: this.LA(1), message: `missing ';' at ${showToken(this.LA(1))}` });
            });
            this.SUBRULE(this.partitionQuery);
            this.ACTION(() => (this.needSemi = true));
          },
        },
      ]);
    });
    this.CONSUME(T.End);
  });

  partitionQuery = this.RULE('partitionQuery', () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.SUBRULE(this.query);
  });

  partitionWith = this.RULE('partitionWith', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.StringLit, { LABEL: 'label' });
      this.MANY(() => {
        this.CONSUME(T.Or);
        this.SUBRULE2(this.expression);
        this.CONSUME2(T.As);
        this.CONSUME2(T.StringLit, { LABEL: 'label' });
      });
    });
    this.CONSUME(T.Of);
    this.CONSUME(T.Name, { LABEL: 'stream' });
  });

  // ---- on-demand queries ---------------------------------------------------------------------

  onDemandQuery = this.RULE('onDemandQuery', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.From);
          this.SUBRULE(this.storeInput);
          this.OPTION(() => this.SUBRULE(this.selectClause));
          this.OPTION2(() => this.SUBRULE(this.queryOutput));
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.selectClause);
          this.SUBRULE2(this.queryOutput);
        },
      },
      { ALT: () => this.SUBRULE3(this.queryOutput) },
    ]);
    this.MANY(() => this.CONSUME(T.Semi));
  });

  storeInput = this.RULE('storeInput', () => {
    this.CONSUME(T.Name, { LABEL: 'store' });
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME2(T.Name, { LABEL: 'alias' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.On);
      this.SUBRULE(this.expression, { LABEL: 'on' });
    });
    this.OPTION3(() => this.SUBRULE(this.withinRange));
    this.OPTION4(() => {
      this.CONSUME(T.Per);
      this.SUBRULE3(this.expression, { LABEL: 'per' });
    });
  });

  // ---- expressions ---------------------------------------------------------------------------------

  /** Only for parseExpression: an expression followed by end of input. */
  standaloneExpression = this.RULE('standaloneExpression', () => {
    this.SUBRULE(this.expression);
  });

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.unaryExpression);
    this.MANY(() => this.SUBRULE(this.expressionTail));
  });

  expressionTail = this.RULE('expressionTail', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Or, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.And, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.EqEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Lt, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.LtEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Gt, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.GtEq, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Star, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Slash, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(T.Percent, { LABEL: 'op' }) },
          ]);
          this.SUBRULE(this.unaryExpression);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.In);
          this.CONSUME(T.Name, { LABEL: 'table' });
        },
      },
    ]);
  });

  unaryExpression = this.RULE('unaryExpression', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.unaryExpression);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.primaryExpression);
          this.OPTION(() => {
            this.CONSUME(T.Is);
            this.CONSUME(T.Null);
          });
        },
      },
    ]);
  });

  primaryExpression = this.RULE('primaryExpression', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.numberValue) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.reference) },
    ]);
  });

  /** A signed or unsigned numeric literal, optionally a time value `1 hour 25 min`. */
  numberValue = this.RULE('numberValue', () => {
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Minus, { LABEL: 'sign' }) }, { ALT: () => this.CONSUME(T.Plus, { LABEL: 'sign' }) }]));
    this.OR2([
      { ALT: () => this.CONSUME(T.IntLit, { LABEL: 'num' }) },
      { ALT: () => this.CONSUME(T.LongLit, { LABEL: 'num' }) },
      { ALT: () => this.CONSUME(T.FloatLit, { LABEL: 'num' }) },
      { ALT: () => this.CONSUME(T.DoubleLit, { LABEL: 'num' }) },
    ]);
    this.OPTION2(() => {
      this.CONSUME(T.TimeUnit, { LABEL: 'unit' });
      this.MANY(() => {
        this.OR3([{ ALT: () => this.CONSUME2(T.IntLit, { LABEL: 'num' }) }, { ALT: () => this.CONSUME2(T.LongLit, { LABEL: 'num' }) }]);
        this.CONSUME2(T.TimeUnit, { LABEL: 'unit' });
      });
    });
  });

  /** A time value where only a time value is allowed: `5 sec`, `1 hour 25 min`. */
  timeValue = this.RULE('timeValue', () => {
    this.AT_LEAST_ONE(() => {
      this.OR([{ ALT: () => this.CONSUME(T.IntLit, { LABEL: 'num' }) }, { ALT: () => this.CONSUME(T.LongLit, { LABEL: 'num' }) }]);
      this.CONSUME(T.TimeUnit, { LABEL: 'unit' });
    });
  });

  /**
   * Attribute references and function calls: `a`, `S.a`, `e1[0].a`, `e2[last-1].a`, `#S.a`,
   * `!S.a`, `e1[0]` / `#S` (with `is null`), `f(x)`, `ns:f(x)`.
   */
  reference = this.RULE('reference', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Hash, { LABEL: 'prefix' }) }, { ALT: () => this.CONSUME(T.Bang, { LABEL: 'prefix' }) }]);
          this.CONSUME(T.Name, { LABEL: 'first' });
          this.OPTION(() => this.SUBRULE(this.referenceQualifier));
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.Name, { LABEL: 'first' });
          this.OPTION2(() => {
            this.OR3([
              { ALT: () => this.SUBRULE(this.argumentList) },
              {
                ALT: () => {
                  this.CONSUME(T.Colon);
                  this.CONSUME3(T.Name, { LABEL: 'fnName' });
                  this.SUBRULE2(this.argumentList);
                },
              },
              { ALT: () => this.SUBRULE2(this.referenceQualifier) },
            ]);
          });
        },
      },
    ]);
  });

  /** `.attr`, `[index]`, `[index].attr` after a stream/reference name. */
  referenceQualifier = this.RULE('referenceQualifier', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Dot);
          this.CONSUME(T.Name, { LABEL: 'attribute' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.OR2([
            { ALT: () => this.CONSUME(T.IntLit, { LABEL: 'index' }) },
            {
              ALT: () => {
                this.CONSUME(T.Last);
                this.OPTION(() => {
                  this.CONSUME(T.Minus);
                  this.CONSUME2(T.IntLit, { LABEL: 'minus' });
                });
              },
            },
          ]);
          this.CONSUME(T.RBracket);
          this.OPTION2(() => {
            this.CONSUME2(T.Dot);
            this.CONSUME2(T.Name, { LABEL: 'attribute' });
          });
        },
      },
    ]);
  });
}
