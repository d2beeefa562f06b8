import type { DiagnosticCase } from './case';

/** Diagnostics of partition-planner.ts. */
export const partitionCases: DiagnosticCase[] = [
  {
    name: 'a partition keyed on a named window',
    app: 'define stream A (x int);\ndefine window W (x int) length(1);\npartition with (x of W) begin from A select x insert into C; end;',
    message: "'W' is a window; partitions are keyed on streams",
    line: 3,
    column: 17,
    length: 1,
  },
  {
    name: 'a partition keyed on a table',
    app: 'define stream A (x int);\ndefine table Tab (x int);\npartition with (x of Tab) begin from A select x insert into C; end;',
    message: "'Tab' is a table; partitions are keyed on streams",
    line: 3,
    column: 17,
    length: 3,
  },
  {
    name: "an inner stream's attribute qualified with '#' where the query does not read it",
    app: 'define stream A (x int);\npartition with (x of A) begin from A select x insert into #I; from A select #I.x insert into C; end;',
    message: "Id '#I' not defined within the current scope",
    line: 2,
    column: 77,
    length: 4,
  },
  {
    name: 'a stream partitioned twice',
    app: 'define stream A (x int);\npartition with (x of A, x of A) begin from A select x insert into C; end;',
    message: "stream 'A' is partitioned twice",
    line: 2,
    column: 25,
  },
  {
    name: '@purge with a zero interval',
    app: "define stream A (x int);\n@purge(enable='true', interval='0 sec', idle.period='1 sec')\npartition with (x of A) begin from A select x insert into C; end;",
    message: "@purge needs a positive 'interval' such as '1 sec', found '0 sec'",
    line: 2,
    column: 1,
  },
  {
    name: '@purge without idle.period',
    app: "define stream A (x int);\n@purge(enable='true', interval='1 sec')\npartition with (x of A) begin from A select x insert into C; end;",
    message: "@purge needs a positive 'idle.period' such as '15 sec', found none",
    line: 2,
    column: 1,
  },
  {
    name: 'a range partition whose condition is not bool',
    app: "define stream A (x int);\npartition with (x + 1 as 'a' or x < 1 as 'b' of A) begin from A select x insert into C; end;",
    message: 'range condition must be of type BOOL, found INT (Return type of the condition should be of type BOOL. Actual type: INT)',
    line: 2,
    column: 17,
  },
];
