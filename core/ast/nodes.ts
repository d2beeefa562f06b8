/**
 * The SiddhiQL abstract syntax tree. Every node is immutable, tagged by `kind` and carries the
 * position of its first character in the app text.
 *
 * @example
 *   const app: App = parseApp('define stream S (a int); from S select a insert into T;');
 *   app.elements[0].kind === 'Query';
 */

/** 1-based line and column, 0-based offset into the source text. */
export interface Pos {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export const ATTR_TYPES = ['STRING', 'INT', 'LONG', 'FLOAT', 'DOUBLE', 'BOOL', 'OBJECT'] as const;
export type AttrType = (typeof ATTR_TYPES)[number];

export type EventType = 'CURRENT' | 'EXPIRED' | 'ALL';

// ---------------------------------------------------------------------------------------------
// Annotations

/** `key='value'` or a positional `'value'` inside an annotation. */
export interface AnnotationElement {
  readonly kind: 'AnnotationElement';
  readonly pos: Pos;
  /** Dotted keys keep their dots: `receiver.url`. Undefined for positional values. */
  readonly key?: string;
  readonly value: string;
}

/** `@name(...)` or `@ns:name(...)`; nested annotations such as `@map` inside `@source`. */
export interface Annotation {
  readonly kind: 'Annotation';
  readonly pos: Pos;
  /** As written, including the namespace: `app:name`, `source`, `PrimaryKey`. */
  readonly name: string;
  readonly elements: readonly AnnotationElement[];
  readonly annotations: readonly Annotation[];
}

// ---------------------------------------------------------------------------------------------
// Expressions

export interface Constant {
  readonly kind: 'Constant';
  readonly pos: Pos;
  readonly type: AttrType;
  /** number for every numeric type, except a LONG beyond 2^53: a bigint (exact); string, boolean. */
  readonly value: number | bigint | string | boolean;
  /** Set when the literal was a time value such as `1 hour 25 min` (type LONG, value in ms). */
  readonly isTime?: boolean;
}

/** `last`, `last - 2` as an index into a counted pattern reference. */
export interface LastIndex {
  readonly kind: 'LastIndex';
  readonly minus: number;
}
export type EventIndex = number | LastIndex;

/**
 * A reference to an attribute: `price`, `S.price`, `e1.price`, `e1[0].price`, `e2[last].price`,
 * `#Inner.price`, `T.price` (table).
 */
export interface Variable {
  readonly kind: 'Variable';
  readonly pos: Pos;
  readonly attribute: string;
  /** The stream id, alias, pattern reference or table the attribute is qualified with. */
  readonly streamRef?: string;
  readonly index?: EventIndex;
  readonly isInner?: boolean;
  readonly isFault?: boolean;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';

export interface Binary {
  readonly kind: 'Binary';
  readonly pos: Pos;
  readonly op: BinaryOp;
  readonly left: Expression;
  readonly right: Expression;
}

export interface Not {
  readonly kind: 'Not';
  readonly pos: Pos;
  readonly operand: Expression;
}

/** `expr is null`. */
export interface IsNull {
  readonly kind: 'IsNull';
  readonly pos: Pos;
  readonly operand: Expression;
}

/** `e1 is null`, `e1[0] is null`, `S is null`: whether a pattern or join side is present. */
export interface IsNullStream {
  readonly kind: 'IsNullStream';
  readonly pos: Pos;
  readonly streamRef: string;
  readonly index?: EventIndex;
  readonly isInner?: boolean;
  readonly isFault?: boolean;
}

/** `expr in T`. */
export interface In {
  readonly kind: 'In';
  readonly pos: Pos;
  readonly operand: Expression;
  readonly table: string;
}

/** `name(args)` or `ns:name(args)`; also aggregate functions such as `sum(x)` and `count()`. */
export interface FunctionCall {
  readonly kind: 'FunctionCall';
  readonly pos: Pos;
  readonly namespace?: string;
  readonly name: string;
  readonly args: readonly Expression[];
}

export type Expression = Constant | Variable | Binary | Not | IsNull | IsNullStream | In | FunctionCall;

// ---------------------------------------------------------------------------------------------
// Definitions

export interface AttributeDef {
  readonly kind: 'AttributeDef';
  readonly pos: Pos;
  readonly name: string;
  readonly type: AttrType;
}

export interface StreamDefinition {
  readonly kind: 'StreamDefinition';
  readonly pos: Pos;
  readonly id: string;
  readonly attributes: readonly AttributeDef[];
  readonly annotations: readonly Annotation[];
}

export interface TableDefinition {
  readonly kind: 'TableDefinition';
  readonly pos: Pos;
  readonly id: string;
  readonly attributes: readonly AttributeDef[];
  readonly annotations: readonly Annotation[];
}

/** A window handler `#window.name(args)` or `#window.ns:name(args)`. */
export interface WindowHandler {
  readonly kind: 'Window';
  readonly pos: Pos;
  readonly namespace?: string;
  readonly name: string;
  readonly args: readonly Expression[];
}

export interface WindowDefinition {
  readonly kind: 'WindowDefinition';
  readonly pos: Pos;
  readonly id: string;
  readonly attributes: readonly AttributeDef[];
  readonly annotations: readonly Annotation[];
  readonly window: WindowHandler;
  /** `output all|current|expired events`; undefined means the default (all). */
  readonly outputEventType?: EventType;
}

export type TriggerAt =
  | { readonly kind: 'start' }
  | { readonly kind: 'every'; readonly millis: number }
  | { readonly kind: 'cron'; readonly expression: string };

export interface TriggerDefinition {
  readonly kind: 'TriggerDefinition';
  readonly pos: Pos;
  readonly id: string;
  readonly annotations: readonly Annotation[];
  readonly at: TriggerAt;
}

export interface FunctionDefinition {
  readonly kind: 'FunctionDefinition';
  readonly pos: Pos;
  readonly id: string;
  /** As written in `[lang]`, e.g. `javascript`. */
  readonly language: string;
  readonly returnType: AttrType;
  /** The text between the outer braces, verbatim. */
  readonly body: string;
  readonly annotations: readonly Annotation[];
}

export const TIME_UNITS = ['SECONDS', 'MINUTES', 'HOURS', 'DAYS', 'WEEKS', 'MONTHS', 'YEARS'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

export type AggregationPeriods =
  | { readonly kind: 'range'; readonly from: TimeUnit; readonly to: TimeUnit }
  | { readonly kind: 'list'; readonly units: readonly TimeUnit[] };

export interface AggregationDefinition {
  readonly kind: 'AggregationDefinition';
  readonly pos: Pos;
  readonly id: string;
  readonly annotations: readonly Annotation[];
  readonly input: SingleInput;
  readonly selector: Selector;
  /** `aggregate by ts`: the attribute holding event time; undefined means the event timestamp. */
  readonly aggregateBy?: Variable;
  readonly periods: AggregationPeriods;
  /** Position of the `every` clause, for errors about the periods. */
  readonly periodsPos: Pos;
}

export type Definition =
  | StreamDefinition
  | TableDefinition
  | WindowDefinition
  | TriggerDefinition
  | FunctionDefinition
  | AggregationDefinition;

// ---------------------------------------------------------------------------------------------
// Query input

export interface StreamId {
  readonly kind: 'StreamId';
  readonly pos: Pos;
  readonly id: string;
  readonly isInner: boolean;
  readonly isFault: boolean;
}

export interface FilterHandler {
  readonly kind: 'Filter';
  readonly pos: Pos;
  readonly condition: Expression;
}

/** `#name(args)` or `#ns:name(args)`: a stream function such as `#log(...)`. */
export interface StreamFunctionHandler {
  readonly kind: 'StreamFunction';
  readonly pos: Pos;
  readonly namespace?: string;
  readonly name: string;
  readonly args: readonly Expression[];
}

export type StreamHandler = FilterHandler | StreamFunctionHandler | WindowHandler;

/** `S[f]#fn()#window.w()[g] as s`, as a query input, a join side or a pattern element source. */
export interface SingleInput {
  readonly kind: 'SingleInput';
  readonly pos: Pos;
  readonly stream: StreamId;
  readonly alias?: string;
  readonly handlers: readonly StreamHandler[];
  /** Set on a join side marked `unidirectional`. */
  readonly unidirectional?: boolean;
}

export type JoinType = 'INNER' | 'LEFT_OUTER' | 'RIGHT_OUTER' | 'FULL_OUTER';

/** `within a, b` or `within 'pattern'` on aggregation reads. */
export interface WithinRange {
  readonly kind: 'WithinRange';
  readonly pos: Pos;
  readonly start: Expression;
  readonly end?: Expression;
}

export interface JoinInput {
  readonly kind: 'JoinInput';
  readonly pos: Pos;
  readonly left: SingleInput;
  readonly right: SingleInput;
  readonly joinType: JoinType;
  readonly on?: Expression;
  readonly within?: WithinRange;
  readonly per?: Expression;
}

/** `e1=S[cond]`: one stream element of a pattern or sequence. */
export interface StreamState {
  readonly kind: 'StreamState';
  readonly pos: Pos;
  readonly ref?: string;
  readonly input: SingleInput;
  readonly within?: Constant;
}

/** `not S[cond] [for t]`. */
export interface AbsentState {
  readonly kind: 'AbsentState';
  readonly pos: Pos;
  readonly input: SingleInput;
  readonly waitingTime?: Constant;
  readonly within?: Constant;
}

/**
 * `e=S<n:m>` (patterns and sequences) and `e=S+`, `e=S*`, `e=S?` (sequences). `max` undefined
 * means unbounded; `min` 0 allows none.
 */
export interface CountState {
  readonly kind: 'CountState';
  readonly pos: Pos;
  readonly element: StreamState;
  readonly min: number;
  readonly max?: number;
  /** How it was written, for messages: `<2:5>`, `+`, `*`, `?`. */
  readonly written: string;
  readonly within?: Constant;
}

export interface LogicalState {
  readonly kind: 'LogicalState';
  readonly pos: Pos;
  readonly op: 'and' | 'or';
  readonly left: StreamState | AbsentState;
  readonly right: StreamState | AbsentState;
  readonly within?: Constant;
}

/** `a -> b` in patterns, `a, b` in sequences. */
export interface NextState {
  readonly kind: 'NextState';
  readonly pos: Pos;
  readonly first: StateElement;
  readonly next: StateElement;
  readonly within?: Constant;
}

export interface EveryState {
  readonly kind: 'EveryState';
  readonly pos: Pos;
  readonly element: StateElement;
  readonly within?: Constant;
}

export type StateElement = StreamState | AbsentState | CountState | LogicalState | NextState | EveryState;

export interface StateInput {
  readonly kind: 'StateInput';
  readonly pos: Pos;
  readonly type: 'pattern' | 'sequence';
  readonly element: StateElement;
  /** A trailing `within t` that applies to the whole pattern. */
  readonly within?: Constant;
}

/** `from (from S ... return) ...`: parsed, but Siddhi has no runtime for it. */
export interface AnonymousInput {
  readonly kind: 'AnonymousInput';
  readonly pos: Pos;
  readonly query: Query;
  readonly alias?: string;
  readonly handlers: readonly StreamHandler[];
}

export type InputStream = SingleInput | JoinInput | StateInput | AnonymousInput;

// ---------------------------------------------------------------------------------------------
// Selection, rate limiting, output

export interface OutputAttribute {
  readonly kind: 'OutputAttribute';
  readonly pos: Pos;
  /** The `as` name; undefined when the expression is a plain attribute reference. */
  readonly alias?: string;
  readonly expression: Expression;
}

export interface OrderByItem {
  readonly kind: 'OrderByItem';
  readonly pos: Pos;
  readonly variable: Variable;
  readonly order: 'asc' | 'desc';
}

export interface Selector {
  readonly kind: 'Selector';
  readonly pos: Pos;
  /** `select *` or an omitted select clause. */
  readonly star: boolean;
  readonly attributes: readonly OutputAttribute[];
  readonly groupBy: readonly Variable[];
  readonly having?: Expression;
  readonly orderBy: readonly OrderByItem[];
  readonly limit?: Expression;
  readonly offset?: Expression;
}

export type OutputRate =
  | { readonly kind: 'EventsRate'; readonly pos: Pos; readonly type: 'ALL' | 'FIRST' | 'LAST'; readonly count: number }
  | { readonly kind: 'TimeRate'; readonly pos: Pos; readonly type: 'ALL' | 'FIRST' | 'LAST'; readonly millis: number }
  | { readonly kind: 'SnapshotRate'; readonly pos: Pos; readonly millis: number };

/** `T.a = expr` in `set` clauses. */
export interface SetAssignment {
  readonly kind: 'SetAssignment';
  readonly pos: Pos;
  readonly target: Variable;
  readonly value: Expression;
}

export interface InsertOutput {
  readonly kind: 'InsertOutput';
  readonly pos: Pos;
  readonly target: StreamId;
  readonly eventType?: EventType;
}

export interface DeleteOutput {
  readonly kind: 'DeleteOutput';
  readonly pos: Pos;
  readonly table: string;
  readonly eventType?: EventType;
  readonly on: Expression;
}

export interface UpdateOutput {
  readonly kind: 'UpdateOutput';
  readonly pos: Pos;
  readonly table: string;
  readonly eventType?: EventType;
  readonly set?: readonly SetAssignment[];
  readonly on: Expression;
}

export interface UpdateOrInsertOutput {
  readonly kind: 'UpdateOrInsertOutput';
  readonly pos: Pos;
  readonly table: string;
  readonly eventType?: EventType;
  readonly set?: readonly SetAssignment[];
  readonly on: Expression;
}

export interface ReturnOutput {
  readonly kind: 'ReturnOutput';
  readonly pos: Pos;
  readonly eventType?: EventType;
}

export type OutputAction = InsertOutput | DeleteOutput | UpdateOutput | UpdateOrInsertOutput | ReturnOutput;

export interface Query {
  readonly kind: 'Query';
  readonly pos: Pos;
  readonly annotations: readonly Annotation[];
  readonly input: InputStream;
  readonly selector: Selector;
  readonly outputRate?: OutputRate;
  readonly output: OutputAction;
}

// ---------------------------------------------------------------------------------------------
// Partitions

export interface ValuePartition {
  readonly kind: 'ValuePartition';
  readonly pos: Pos;
  readonly expression: Expression;
  readonly stream: string;
}

export interface RangePartition {
  readonly kind: 'RangePartition';
  readonly pos: Pos;
  readonly ranges: readonly { readonly condition: Expression; readonly label: string; readonly pos: Pos }[];
  readonly stream: string;
}

export interface Partition {
  readonly kind: 'Partition';
  readonly pos: Pos;
  readonly annotations: readonly Annotation[];
  readonly with: readonly (ValuePartition | RangePartition)[];
  readonly queries: readonly Query[];
}

export type ExecutionElement = Query | Partition;

export interface App {
  readonly kind: 'App';
  readonly pos: Pos;
  /** `@app:*` annotations. */
  readonly annotations: readonly Annotation[];
  readonly definitions: readonly Definition[];
  readonly elements: readonly ExecutionElement[];
}

// ---------------------------------------------------------------------------------------------
// On-demand (store) queries

/** `from T [as t] [on cond] [within ... per ...]`. */
export interface StoreInput {
  readonly kind: 'StoreInput';
  readonly pos: Pos;
  readonly store: string;
  readonly alias?: string;
  readonly on?: Expression;
  readonly within?: WithinRange;
  readonly per?: Expression;
}

export interface OnDemandQuery {
  readonly kind: 'OnDemandQuery';
  readonly pos: Pos;
  /** Absent for the write forms without `from`, e.g. `select 1 as a insert into T`. */
  readonly input?: StoreInput;
  /** Absent for `delete T on ...` without a select clause. */
  readonly selector?: Selector;
  /** Absent for reads (`from T select ...`). */
  readonly output?: InsertOutput | DeleteOutput | UpdateOutput | UpdateOrInsertOutput;
}
