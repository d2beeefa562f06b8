/** Grammar rules for the select clause, output rates and query outputs. */
import * as T from './lexer';
import { PatternGrammar } from './grammar-patterns';

export class OutputGrammar extends PatternGrammar {
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
}
