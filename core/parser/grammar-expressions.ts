/**
 * Grammar rules for expressions (see grammar-base.ts for the chain of rule classes).
 * Binary expressions are parsed flat (`unary (op unary | in T)*`) and precedence is applied by
 * the builder, which keeps the CST small.
 */
import * as T from './lexer';
import { GrammarBase } from './grammar-base';

export class ExpressionGrammar extends GrammarBase {
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

  /** `name(args)` or `ns:name(args)`: windows in `define window`, stream functions, windows. */
  functionCall = this.RULE('functionCall', () => {
    this.CONSUME(T.Name, { LABEL: 'nameParts' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.CONSUME2(T.Name, { LABEL: 'nameParts' });
    });
    this.SUBRULE(this.argumentList);
  });
}
