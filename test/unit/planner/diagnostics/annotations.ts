import type { DiagnosticCase } from './case';

/** Diagnostics of annotations.ts: `@app:*` and `@store` (of tables and aggregations). */
export const annotationCases: DiagnosticCase[] = [
  {
    name: '@app:async',
    app: '@app:async\ndefine stream A (x int);',
    message: '@app:async is not supported: @Async not supported in SiddhiApp level, instead use @Async with streams',
    line: 1,
    column: 1,
  },
  {
    name: '@app:name without a value',
    app: "@app:description('d')\n@app:name()\ndefine stream A (x int);",
    message: "@app:name needs a value, e.g. @app:name('Orders')",
    line: 2,
    column: 1,
  },
  {
    name: "@app:playback with 'idle.time' but no 'increment'",
    app: "@app:playback(idle.time='1 sec')\ndefine stream A (x int);",
    message: "@app:playback needs both 'idle.time' and 'increment', or neither",
    line: 1,
    column: 1,
  },
  {
    name: "@app:playback with 'increment' but no 'idle.time'",
    app: "@app:name('P') @app:playback(increment='2 sec')\ndefine stream A (x int);",
    message: "@app:playback needs both 'idle.time' and 'increment', or neither",
    line: 1,
    column: 16,
  },
  {
    name: 'an unknown app annotation',
    app: "@app:foo('x')\ndefine stream A (x int);",
    message: 'unknown app annotation @app:foo',
    line: 1,
    column: 1,
  },
  {
    name: 'a @store option Millrace does not know',
    app: "@store(type='dynamodb', table.name='Orders', region='x') @PrimaryKey('x')\ndefine table T (x int);",
    message: "@store option 'region' is not known; Millrace takes 'type' and 'table.name'",
    line: 1,
    column: 46,
    length: 6,
  },
  {
    name: 'a @store option without a key',
    app: "@store(type='dynamodb', 'Orders') @PrimaryKey('x')\ndefine table Orders (x int);",
    message: "@store takes options as key='value' ('type', 'table.name')",
    line: 1,
    column: 25,
    length: 6,
  },
  {
    name: 'a @store table without a type',
    app: "@store(table.name='Orders') @PrimaryKey('x')\ndefine table T (x int);",
    message: "@store on table 'T' needs a type: 'dynamodb' or 'firestore'",
    line: 1,
    column: 1,
  },
  {
    name: 'a @store aggregation without a type',
    app: "define stream S (x int);\n@store(table.name='abc')\ndefine aggregation Agg from S select sum(x) as s aggregate every sec;",
    message: "@store on aggregation 'Agg' needs a type: 'dynamodb' or 'firestore'",
    line: 2,
    column: 1,
  },
  {
    name: 'a table @store type Millrace does not have',
    app: "@store(type='rdbms') @PrimaryKey('x')\ndefine table T (x int);",
    message: "@store(type='rdbms') is not available: Millrace keeps table rows in 'dynamodb' or 'firestore' (the backend of the app's state store)",
    line: 1,
    column: 1,
  },
  {
    name: 'an aggregation @store type Millrace does not have',
    app: "define stream S (x int);\n@store(type='mongodb')\ndefine aggregation Agg from S select sum(x) as s aggregate every sec;",
    message: "@store(type='mongodb') is not available: Millrace keeps aggregation rows in 'dynamodb' or 'firestore' (the backend of the app's state store)",
    line: 2,
    column: 1,
  },
  {
    name: 'a @store table.name no backend can hold',
    app: "@store(type='dynamodb', table.name='a b') @PrimaryKey('x')\ndefine table Tab (x int);",
    message: "@store table.name 'a b' cannot name both a DynamoDB table and a Firestore collection: use 3 to 255 of A-Z a-z 0-9 _ . -",
    line: 1,
    column: 1,
  },
  {
    name: 'a @store table whose own name is too short for a backend table',
    app: "@store(type='dynamodb') @PrimaryKey('x')\ndefine table T (x int);",
    message:
      "@store table.name 'T' (the table's name, by default) cannot name both a DynamoDB table and a Firestore collection: use 3 to 255 of A-Z a-z 0-9 _ . -, or give @store a table.name='...'",
    line: 1,
    column: 1,
  },
  {
    name: 'a @store aggregation whose own name is too short for a backend table',
    app: "define stream S (x int);\n@store(type='firestore')\ndefine aggregation G from S select sum(x) as s aggregate every sec;",
    message:
      "@store table.name 'G' (the aggregation's name, by default) cannot name both a DynamoDB table and a Firestore collection: use 3 to 255 of A-Z a-z 0-9 _ . -, or give @store a table.name='...'",
    line: 2,
    column: 1,
  },
];
