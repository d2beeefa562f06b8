/**
 * Grammar rules for queries and their inputs. The kind of a query input (single stream, join,
 * pattern/sequence, anonymous) is decided by a token scan (GrammarBase.classifyInput) used as a
 * GATE, because the forms share long prefixes (`A[x > 1]#window.length(2) ...`).
 */
import * as T from './lexer';
import { OutputGrammar } from './grammar-output';
import { InputKind } from './grammar-base';

export class QueryGrammar extends OutputGrammar {
  query = this.RULE('query', () => {
    this.CONSUME(T.From);
    this.SUBRULE(this.queryInput);
    this.OPTION(() => this.SUBRULE(this.selectClause));
    this.OPTION2(() => this.SUBRULE(this.outputRate));
    this.SUBRULE(this.queryOutput);
  });

  queryInput = this.RULE('queryInput', () => {
    let kind: InputKind = InputKind.Single;
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

  singleInput = this.RULE('singleInput', () => {
    this.SUBRULE(this.streamRef);
    this.MANY(() => this.SUBRULE(this.streamHandler));
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Name, { LABEL: 'alias' });
    });
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
}
