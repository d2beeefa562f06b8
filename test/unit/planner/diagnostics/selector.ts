import type { DiagnosticCase } from './case';

/** Diagnostics of selector-planner.ts: names, order by, limit and offset. */
export const selectorCases: DiagnosticCase[] = [
  {
    name: 'a computed attribute without a name',
    app: 'define stream A (x int);\nfrom A select x, x + 1 insert into C;',
    message: "a computed attribute in select needs a name: add 'as <name>'",
    line: 2,
    column: 18,
  },
  {
    name: 'two select attributes with one name',
    app: 'define stream A (x int, y int);\nfrom A select x, y as x insert into C;',
    message: "the select clause has two attributes named 'x'",
    line: 2,
    column: 18,
    length: 1,
  },
  {
    name: 'order by an attribute the select clause does not give',
    app: 'define stream A (x int, y int);\nfrom A select x order by y insert into C;',
    message: "order by 'y': only attributes of the select clause can be ordered by",
    line: 2,
    column: 26,
    length: 1,
  },
  {
    name: 'order by a qualified name',
    app: 'define stream A (x int, yy int);\nfrom A select yy order by A.yy insert into C;',
    message: "order by 'yy': only attributes of the select clause can be ordered by",
    line: 2,
    column: 27,
    length: 2,
  },
  {
    name: 'a negative limit',
    app: 'define stream A (x int);\nfrom A select x limit -1 insert into C;',
    message: 'limit must be a non-negative int or long constant',
    line: 2,
    column: 23,
  },
  {
    name: 'an offset that is a string',
    app: "define stream A (x int);\nfrom A select x offset 'a' insert into C;",
    message: 'offset must be a non-negative int or long constant',
    line: 2,
    column: 24,
  },
  {
    name: 'a having condition that is not bool',
    app: 'define stream A (x int);\nfrom A select x having x insert into C;',
    message: 'having condition must be of type BOOL, found INT (Return type of the condition should be of type BOOL. Actual type: INT)',
    line: 2,
    column: 24,
  },
];
