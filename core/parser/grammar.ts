/**
 * The SiddhiQL grammar as a chevrotain CstParser. The parser instance is built once (module load)
 * and reused; {@link SiddhiParser.prepare} prepares it for a new token vector.
 *
 * This file holds the rules of the app (elements, annotations, definitions, partitions) and of
 * on-demand queries; the rules they use come from a chain of classes, one file per role (see
 * grammar-base.ts). The CST → AST step lives in builder.ts.
 */
import * as T from './lexer';
import { showToken } from './grammar-base';
import { QueryGrammar } from './grammar-queries';

export { showToken, tokenLabel, type ExtraError } from './grammar-base';

export class SiddhiParser extends QueryGrammar {
  /**
   * @param validate run chevrotain's grammar validations (ambiguity checks etc.). They cost about
   *   100 ms, so the shared instance skips them; a unit test builds a validated instance.
   */
  constructor(validate = false) {
    super(validate);
    this.performSelfAnalysis();
  }

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
}
