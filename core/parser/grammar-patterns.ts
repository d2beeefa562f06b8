/**
 * Grammar rules for stream sources (`S[f]#fn()#window.w()`) and for patterns and sequences.
 * Pattern vs sequence and the placement of `within` are decided by the builder.
 */
import * as T from './lexer';
import { ExpressionGrammar } from './grammar-expressions';

export class PatternGrammar extends ExpressionGrammar {
  streamRef = this.RULE('streamRef', () => {
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Hash) }, { ALT: () => this.CONSUME(T.Bang) }]));
    this.CONSUME(T.Name);
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
}
