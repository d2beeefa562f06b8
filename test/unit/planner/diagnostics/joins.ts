import type { DiagnosticCase } from './case';

const AGG = 'define stream S (x int, ts long);\ndefine aggregation G from S select sum(x) as s aggregate every sec ... min;\ndefine stream A (x int, p string);\n';

/** Diagnostics of join-planner.ts, and of reading an aggregation in a join (aggregation-planner.ts planAggregationRead). */
export const joinCases: DiagnosticCase[] = [
  {
    name: 'a window on the table side of a join',
    app: 'define stream A (x int);\ndefine table T (y int);\nfrom A join T#window.length(1) on x == T.y select x insert into C;',
    message: "table 'T' in a join takes no filters or windows; put conditions in 'on'",
    line: 3,
    column: 14,
  },
  {
    name: 'a filter on the aggregation side of a join',
    app: `${AGG}from A join G[s > 1] within 1000L per 'seconds' select s insert into C;`,
    message: "aggregation 'G' in a join takes no filters or windows; put conditions in 'on'",
    line: 4,
    column: 14,
  },
  {
    name: 'a unidirectional table',
    app: 'define stream A (x int);\ndefine table T (y int);\nfrom A join T unidirectional on x == T.y select x insert into C;',
    message: "table 'T' never triggers a join, so it cannot be unidirectional",
    line: 3,
    column: 13,
  },
  {
    name: 'a join of two tables',
    app: 'define table T (y int);\ndefine table U (z int);\nfrom T join U on T.y == U.z select y insert into C;',
    message: 'Both inputs of join T and U are from static sources',
    line: 3,
    column: 6,
  },
  {
    name: 'both sides unidirectional',
    app: 'define stream A (x int);\ndefine stream B (y int);\nfrom A#window.length(1) unidirectional join B#window.length(1) unidirectional select x insert into C;',
    message: 'only one side of a join can be unidirectional',
    line: 3,
    column: 6,
  },
  {
    name: "'within' in a join of streams",
    app: "define stream A (x int);\ndefine stream B (y int);\nfrom A#window.length(1) join B#window.length(1) within 1000 per 'seconds' select x insert into C;",
    message: "'within' cannot be used as neither of them is an aggregation",
    line: 3,
    column: 49,
  },
  {
    name: 'a join whose select * gives two attributes one name',
    app: 'define stream A (x int);\ndefine stream B (x int);\nfrom A#window.length(1) join B#window.length(1) select * insert into C;',
    message: 'Duplicate attribute exist in streams [A (x int), B (x int)]: x',
    line: 3,
    column: 49,
  },
  {
    name: "an aggregation joined without 'within' and 'per'",
    app: `${AGG}from A join G select s insert into C;`,
    message: "Aggregation read query must contain a 'within' and a 'per' for 'G'",
    line: 4,
    column: 6,
  },
  {
    name: "'within' of a bool",
    app: `${AGG}from A join G within true per 'seconds' select s insert into C;`,
    message: 'within takes long milliseconds or time strings, found bool',
    line: 4,
    column: 22,
  },
  {
    name: "'per' of an int attribute",
    app: `${AGG}from A join G within 1000L per A.x select s insert into C;`,
    message: "per takes a string such as 'minutes', found int",
    line: 4,
    column: 32,
  },
  {
    name: "'per' that is not a granularity",
    app: `${AGG}from A join G within 1000L, 2000L per 'fortnights' select s insert into C;`,
    message: "per 'fortnights' is not a granularity (seconds, minutes, hours, days, months, years)",
    line: 4,
    column: 39,
  },
  {
    name: "'per' a granularity the aggregation does not keep",
    app: `${AGG}from A join G within 1000L per 'days' select s insert into C;`,
    message: 'days cannot be provided since aggregation definition G does not contain DAYS duration',
    line: 4,
    column: 32,
  },
];
