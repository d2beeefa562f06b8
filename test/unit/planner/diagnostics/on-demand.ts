import type { DiagnosticCase } from './case';

const APP = 'define stream A (x int);\ndefine table T (x int);\ndefine window W (x int) length(2);\ndefine stream S (x int, ts long);\ndefine aggregation G from S select sum(x) as s aggregate every sec ... min;';

/** Diagnostics of on-demand-planner.ts (positions are in the query's text). */
export const onDemandCases: DiagnosticCase[] = [
  {
    name: "'within' on a table",
    app: APP,
    query: "from T within 1000L per 'seconds' select x",
    message: "'within' and 'per' read aggregations; 'T' is not one",
    line: 1,
    column: 8,
  },
  {
    name: 'a store the app does not have',
    app: APP,
    query: 'from Nope select x',
    message: "'Nope' is not a table or named window of this app",
    line: 1,
    column: 6,
    length: 4,
  },
  {
    name: 'inserting into a stream',
    app: APP,
    query: 'select 1 as x insert into A',
    message: 'on-demand queries write into tables only',
    line: 1,
    column: 15,
  },
  {
    name: 'reading a table into a stream',
    app: APP,
    query: 'from T select x insert into A',
    message: 'on-demand queries write into tables only',
    line: 1,
    column: 17,
  },
  {
    name: "an aggregation read without 'within' and 'per'",
    app: APP,
    query: 'from G select s',
    message: "Aggregation read query must contain a 'within' and a 'per' for 'G'",
    line: 1,
    column: 6,
  },
  {
    name: "an aggregation read 'per' a granularity it does not keep",
    app: APP,
    query: "from G within 1000L per 'days' select s",
    message: 'days cannot be provided since aggregation definition G does not contain DAYS duration',
    line: 1,
    column: 25,
  },
  {
    name: 'a table condition that is not bool',
    app: APP,
    query: 'from T on x select x',
    message: 'condition must be of type BOOL, found INT (Return type of the condition should be of type BOOL. Actual type: INT)',
    line: 1,
    column: 11,
  },
  {
    name: 'a table condition naming an attribute the table does not have',
    app: APP,
    query: 'from T on y == 1 select x',
    message: "Cannot find attribute 'y' in 'T'; T (x int)",
    line: 1,
    column: 11,
    length: 1,
  },
  {
    name: 'a delete whose condition names an attribute neither side has',
    app: APP,
    query: 'delete T on T.x == y',
    message: "Cannot find attribute type as 'y' does not exist in 'select'; select (), nor in 'T'",
    line: 1,
    column: 20,
  },
];
