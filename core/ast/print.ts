/**
 * AST → SiddhiQL text. The text parses back to an equal AST (equal but for positions): every
 * node kind is printed, expressions get exactly the parentheses their precedence needs, names
 * that are keywords (or not plain identifiers) are back-ticked, strings take the quotes their
 * content allows, numbers keep their type (`5`, `5L`, `5.0F`, `5.0`) and time values print in
 * units (`1 hour 25 min`).
 *
 * Output is one statement per line, each ending in `;`; a partition's queries are indented
 * between `begin` and `end`.
 *
 * Limits: SiddhiQL strings have no escapes and only triple quotes hold a `"`, so a string holding
 * `"""`, or holding a `"` and ending in one, has no literal; such a string (never produced by the
 * parser) is printed triple-quoted and will not read back the same. An `IsNullStream` with
 * neither an index nor `#`/`!` prints as `e1 is null`, which the parser reads as `IsNull` of a
 * variable (and never produces otherwise).
 *
 * @example
 *   const app = parseApp("define stream S (a int); from S[a > 1 and not (a == 3)] select a * 2 as b insert into T;");
 *   printApp(app);
 *   // define stream S (a int);
 *   // from S[a > 1 and not (a == 3)] select a * 2 as b insert into T;
 */
import type {
  AbsentState,
  AggregationDefinition,
  Annotation,
  App,
  AttributeDef,
  Binary,
  BinaryOp,
  Constant,
  CountState,
  Definition,
  EventIndex,
  EventType,
  Expression,
  InputStream,
  JoinInput,
  OnDemandQuery,
  OutputAction,
  OutputRate,
  Partition,
  Query,
  Selector,
  SetAssignment,
  SingleInput,
  StateElement,
  StateInput,
  StoreInput,
  StreamHandler,
  StreamId,
  StreamState,
  TimeUnit,
  WithinRange,
} from './nodes';

/** Prints a whole app: `@app:` annotations, then definitions, then queries and partitions. */
export function printApp(app: App): string {
  const lines: string[] = [];
  for (const a of app.annotations) lines.push(printAnnotation(a));
  for (const d of app.definitions) lines.push(`${printDefinition(d)};`);
  for (const e of app.elements) {
    if (e.kind === 'Query') lines.push(`${printQuery(e)};`);
    else lines.push(...printPartition(e));
  }
  return lines.join('\n') + '\n';
}

/** Prints one query (with its annotations, without the `;`), e.g. `from S select a insert into T`. */
export function printQuery(q: Query): string {
  const parts = [...q.annotations.map(printAnnotation), 'from', printInput(q.input), printSelector(q.selector)];
  if (q.outputRate) parts.push(printOutputRate(q.outputRate));
  parts.push(printOutput(q.output));
  return parts.join(' ');
}

/** Prints an on-demand (store) query, e.g. `from T on T.a > 1 select a`. */
export function printOnDemandQuery(q: OnDemandQuery): string {
  const parts: string[] = [];
  if (q.input) parts.push('from', printStoreInput(q.input));
  if (q.selector) parts.push(printSelector(q.selector));
  if (q.output) parts.push(printOutput(q.output));
  return parts.join(' ');
}

/** Prints an expression with only the parentheses its precedence needs: `(a + b) * c`. */
export function printExpression(e: Expression): string {
  switch (e.kind) {
    case 'Constant':
      return printConstant(e);
    case 'Variable':
      return printVariable(e.attribute, e.streamRef, e.index, e.isInner, e.isFault);
    case 'Binary':
      return printBinary(e);
    case 'In':
      return `${operand(e.operand, IN_PREC, false)} in ${printName(e.table)}`;
    case 'Not':
      return `not ${operand(e.operand, UNARY_PREC, false)}`;
    case 'IsNull':
      return `${operand(e.operand, PRIMARY_PREC, false)} is null`;
    case 'IsNullStream':
      return `${streamPrefix(e.isInner, e.isFault)}${printName(e.streamRef)}${printIndex(e.index)} is null`;
    case 'FunctionCall':
      return `${printFunctionName(e.namespace, e.name)}(${e.args.map(printExpression).join(', ')})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Names and literals

/** Every word the lexer turns into a keyword (any case): as names they are back-ticked. */
const KEYWORDS = new Set(
  (
    'define stream table window trigger function aggregation aggregate by every at return from select insert into ' +
    'delete update set on for events current expired all first last output snapshot group having order asc desc ' +
    'limit offset as join inner left right full outer unidirectional within per partition with of begin end not and ' +
    'or is null in true false string int long float double bool object year years month months week weeks day days ' +
    'hour hours min minute minutes sec second seconds millisec millisecond milliseconds'
  ).split(' '),
);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A name as written in SiddhiQL: bare when it lexes as an identifier, else back-ticked. */
function printName(name: string): string {
  return IDENTIFIER.test(name) && !KEYWORDS.has(name.toLowerCase()) ? name : `\`${name}\``;
}

function printFunctionName(namespace: string | undefined, name: string): string {
  return namespace === undefined ? printName(name) : `${printName(namespace)}:${printName(name)}`;
}

/** A string literal: single quotes when possible, then double quotes, then triple quotes. */
function printString(s: string): string {
  const control = /[\x00-\x1F]/.test(s);
  if (!control && !s.includes("'") && !s.includes('"')) return `'${s}'`;
  if (!control && !s.includes('"')) return `"${s}"`;
  return `"""${s}"""`;
}

const TIME_UNITS_MS: readonly (readonly [string, string, number])[] = [
  ['day', 'days', 86_400_000],
  ['hour', 'hours', 3_600_000],
  ['min', 'min', 60_000],
  ['sec', 'sec', 1000],
  ['millisec', 'millisec', 1],
];

/**
 * Milliseconds as a time value, greedily from days down: `1 hour 25 min`, `2 days`. Weeks, months
 * and years (7, 30 and 365 days) are never chosen, so `30 days` stays `30 days`.
 */
function printTime(ms: number): string {
  if (ms === 0) return '0 sec';
  const out: string[] = [];
  let rest = ms;
  for (const [one, many, size] of TIME_UNITS_MS) {
    const amount = Math.floor(rest / size);
    if (amount === 0) continue;
    out.push(`${amount} ${amount === 1 ? one : many}`);
    rest -= amount * size;
  }
  return out.join(' ');
}

function printConstant(c: Constant): string {
  if (c.type === 'STRING') return printString(String(c.value));
  if (c.type === 'BOOL') return c.value ? 'true' : 'false';
  if (typeof c.value === 'bigint') return `${c.value}L`;
  const v = Number(c.value);
  const sign = v < 0 || Object.is(v, -0) ? '-' : '';
  const abs = Math.abs(v);
  if (c.isTime) return sign + printTime(abs);
  switch (c.type) {
    case 'INT':
      return sign + String(abs);
    case 'LONG':
      return `${sign}${printLong(abs, sign !== '')}L`;
    case 'FLOAT':
      return `${sign}${printFloat(abs)}F`;
    default:
      return sign + printDouble(abs);
  }
}

const LONG_MAX = 9223372036854775807n;

/** Digits only (no exponent); 2^63 (what `9223372036854775807L` reads as) prints as that literal. */
function printLong(abs: number, negative: boolean): string {
  if (!Number.isInteger(abs)) return String(Math.trunc(abs));
  const big = BigInt(abs);
  return (big > LONG_MAX + (negative ? 1n : 0n) ? LONG_MAX : big).toString();
}

/** The shortest decimal that reads back as the same 32-bit float. */
function printFloat(abs: number): string {
  if (!Number.isFinite(abs)) return '1e39';
  for (let p = 1; p <= 9; p++) {
    const s = Number(abs.toPrecision(p)).toString();
    if (Math.fround(parseFloat(s)) === abs) return s;
  }
  return String(abs);
}

function printDouble(abs: number): string {
  if (!Number.isFinite(abs)) return '1e999';
  const s = String(abs);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** The parser's precedence levels (core/parser): higher binds tighter. */
const BIN_PREC: Record<BinaryOp, number> = {
  or: 1,
  and: 2,
  '==': 4,
  '!=': 4,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};
const IN_PREC = 3;
const UNARY_PREC = 8;
const PRIMARY_PREC = 9;

function precedence(e: Expression): number {
  if (e.kind === 'Binary') return BIN_PREC[e.op];
  if (e.kind === 'In') return IN_PREC;
  // `e1 is null` is complete: another `is null` or a `not` around it needs parentheses like `a is null`.
  if (e.kind === 'Not' || e.kind === 'IsNull' || e.kind === 'IsNullStream') return UNARY_PREC;
  return PRIMARY_PREC;
}

/**
 * A chain of binary operators, left-deep in the AST (`((a + b) + c) + d`): printed along its left
 * spine in a loop, since a chain may have thousands of terms.
 */
function printBinary(top: Binary): string {
  const spine: Binary[] = [];
  let bottom: Expression = top;
  for (; bottom.kind === 'Binary'; bottom = bottom.left) spine.push(bottom);
  let text = operand(bottom, BIN_PREC[spine[spine.length - 1]!.op], false);
  for (let i = spine.length - 1; i >= 0; i--) {
    const e = spine[i]!;
    const prec = BIN_PREC[e.op];
    if (i < spine.length - 1 && BIN_PREC[spine[i + 1]!.op] < prec) text = `(${text})`;
    text = `${text} ${e.op} ${operand(e.right, prec, true)}`;
  }
  return text;
}

/**
 * An operand of an operator of precedence `prec`. Operators are left-associative, so a right
 * operand of the same precedence needs parentheses; `is null` applies to a primary only.
 */
function operand(e: Expression, prec: number, right: boolean): string {
  const p = precedence(e);
  const text = printExpression(e);
  return p < prec || (right && p === prec) || (prec === PRIMARY_PREC && p <= UNARY_PREC) ? `(${text})` : text;
}

function streamPrefix(isInner: boolean | undefined, isFault: boolean | undefined): string {
  return isInner ? '#' : isFault ? '!' : '';
}

function printIndex(index: EventIndex | undefined): string {
  if (index === undefined) return '';
  if (typeof index === 'number') return `[${index}]`;
  return index.minus ? `[last - ${index.minus}]` : '[last]';
}

function printVariable(attribute: string, streamRef: string | undefined, index: EventIndex | undefined, isInner?: boolean, isFault?: boolean): string {
  if (streamRef === undefined) return printName(attribute);
  return `${streamPrefix(isInner, isFault)}${printName(streamRef)}${printIndex(index)}.${printName(attribute)}`;
}

// ---------------------------------------------------------------------------------------------
// Annotations and definitions

function printAnnotation(a: Annotation): string {
  const name = a.name.split(':').map(printName).join(':');
  const items = [
    ...a.elements.map(e => (e.key === undefined ? printString(e.value) : `${printKey(e.key)}=${printString(e.value)}`)),
    ...a.annotations.map(printAnnotation),
  ];
  return items.length === 0 ? `@${name}` : `@${name}(${items.join(', ')})`;
}

/** `receiver.url`, `idle-time`: bare when every part is a plain identifier, else back-ticked whole. */
function printKey(key: string): string {
  const parts = key.split(/[.:-]/);
  return parts.every(p => IDENTIFIER.test(p) && p.toLowerCase() !== 'every' && p.toLowerCase() !== 'not' && p.toLowerCase() !== 'true' && p.toLowerCase() !== 'false')
    ? key
    : `\`${key}\``;
}

function printAttributes(attrs: readonly AttributeDef[]): string {
  return `(${attrs.map(a => `${printName(a.name)} ${a.type.toLowerCase()}`).join(', ')})`;
}

function withAnnotations(annotations: readonly Annotation[], text: string): string {
  return [...annotations.map(printAnnotation), text].join(' ');
}

function printDefinition(d: Definition): string {
  switch (d.kind) {
    case 'StreamDefinition':
      return withAnnotations(d.annotations, `define stream ${printName(d.id)} ${printAttributes(d.attributes)}`);
    case 'TableDefinition':
      return withAnnotations(d.annotations, `define table ${printName(d.id)} ${printAttributes(d.attributes)}`);
    case 'WindowDefinition': {
      const w = d.window;
      const out = d.outputEventType ? ` output ${printEventType(d.outputEventType)}` : '';
      const fn = `${printFunctionName(w.namespace, w.name)}(${w.args.map(printExpression).join(', ')})`;
      return withAnnotations(d.annotations, `define window ${printName(d.id)} ${printAttributes(d.attributes)} ${fn}${out}`);
    }
    case 'TriggerDefinition': {
      const at = d.at.kind === 'every' ? `every ${printTime(d.at.millis)}` : printString(d.at.kind === 'start' ? 'start' : d.at.expression);
      return withAnnotations(d.annotations, `define trigger ${printName(d.id)} at ${at}`);
    }
    case 'FunctionDefinition':
      return withAnnotations(
        d.annotations,
        `define function ${printName(d.id)}[${printName(d.language)}] return ${d.returnType.toLowerCase()} {${d.body}}`,
      );
    case 'AggregationDefinition':
      return withAnnotations(d.annotations, printAggregation(d));
  }
}

const UNIT_WORD: Record<TimeUnit, string> = {
  SECONDS: 'sec',
  MINUTES: 'min',
  HOURS: 'hour',
  DAYS: 'day',
  WEEKS: 'week',
  MONTHS: 'month',
  YEARS: 'year',
};

function printAggregation(d: AggregationDefinition): string {
  const by = d.aggregateBy ? ` by ${printExpression(d.aggregateBy)}` : '';
  const p = d.periods;
  const every = p.kind === 'range' ? `${UNIT_WORD[p.from]} ... ${UNIT_WORD[p.to]}` : p.units.map(u => UNIT_WORD[u]).join(', ');
  return `define aggregation ${printName(d.id)} from ${printSingleInput(d.input)} ${printSelector(d.selector)} aggregate${by} every ${every}`;
}

// ---------------------------------------------------------------------------------------------
// Query inputs

function printStreamId(s: StreamId): string {
  return streamPrefix(s.isInner, s.isFault) + printName(s.id);
}

function printHandler(h: StreamHandler): string {
  const args = (as: readonly Expression[]): string => `(${as.map(printExpression).join(', ')})`;
  if (h.kind === 'Filter') return `[${printExpression(h.condition)}]`;
  if (h.kind === 'Window') return `#window.${printFunctionName(h.namespace, h.name)}${args(h.args)}`;
  return `#${printFunctionName(h.namespace, h.name)}${args(h.args)}`;
}

function printSingleInput(s: SingleInput): string {
  const alias = s.alias !== undefined ? ` as ${printName(s.alias)}` : '';
  return `${printStreamId(s.stream)}${s.handlers.map(printHandler).join('')}${alias}${s.unidirectional ? ' unidirectional' : ''}`;
}

const JOIN_WORDS = { INNER: 'join', LEFT_OUTER: 'left outer join', RIGHT_OUTER: 'right outer join', FULL_OUTER: 'full outer join' } as const;

function printWithin(w: WithinRange): string {
  return `within ${printExpression(w.start)}${w.end ? `, ${printExpression(w.end)}` : ''}`;
}

/** `on ...`, `within ...`, `per ...` of a join or a store input. */
function joinTail(j: { readonly on?: Expression; readonly within?: WithinRange; readonly per?: Expression }): string {
  const parts: string[] = [];
  if (j.on) parts.push(`on ${printExpression(j.on)}`);
  if (j.within) parts.push(printWithin(j.within));
  if (j.per) parts.push(`per ${printExpression(j.per)}`);
  return parts.map(p => ` ${p}`).join('');
}

function printJoin(j: JoinInput): string {
  return `${printSingleInput(j.left)} ${JOIN_WORDS[j.joinType]} ${printSingleInput(j.right)}${joinTail(j)}`;
}

function printStoreInput(s: StoreInput): string {
  return `${printName(s.store)}${s.alias !== undefined ? ` as ${printName(s.alias)}` : ''}${joinTail(s)}`;
}

function printInput(input: InputStream): string {
  switch (input.kind) {
    case 'SingleInput':
      return printSingleInput(input);
    case 'JoinInput':
      return printJoin(input);
    case 'StateInput':
      return printStateInput(input);
    case 'AnonymousInput': {
      const alias = input.alias !== undefined ? ` as ${printName(input.alias)}` : '';
      return `(${printQuery(input.query)})${input.handlers.map(printHandler).join('')}${alias}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Patterns and sequences

/**
 * The grammar (core/parser): a chain is terms joined by `->` or `,` (left-associative); a term is
 * `[every] (group | a [and|or b]) [within t]`, where a group is a parenthesised chain. The
 * `within` of the last top-level term belongs to the whole input, so a last term with a `within`
 * of its own is put in parentheses.
 */
function printStateInput(s: StateInput): string {
  const sep = s.type === 'pattern' ? ' -> ' : ', ';
  let text = printChain(s.element, sep, true);
  if (s.within) text += ` within ${printTime(Number(s.within.value))}`;
  // A lone `A` would read as a plain stream input: a group keeps it a pattern.
  else if (s.element.kind === 'StreamState' && s.element.ref === undefined && !s.element.within) text = `(${text})`;
  return text;
}

function printChain(e: StateElement, sep: string, topLast: boolean): string {
  if (e.kind === 'NextState' && !e.within) return printChain(e.first, sep, false) + sep + printTermAt(e.next, sep, topLast);
  return printTermAt(e, sep, topLast);
}

function printTermAt(e: StateElement, sep: string, topLast: boolean): string {
  const text = printTerm(e, sep);
  return topLast && e.within ? `(${text})` : text;
}

function printTerm(e: StateElement, sep: string): string {
  const within = e.within ? ` within ${printTime(Number(e.within.value))}` : '';
  switch (e.kind) {
    case 'EveryState': {
      const inner = e.element;
      const logical = (inner.kind === 'StreamState' || inner.kind === 'AbsentState' || inner.kind === 'CountState' || inner.kind === 'LogicalState') && !inner.within;
      return `every ${logical ? printLogical(inner, sep) : `(${printChain(inner, sep, false)})`}${within}`;
    }
    case 'NextState':
      return `(${printChain({ ...e, within: undefined } as StateElement, sep, false)})${within}`;
    default:
      return printLogical(e, sep) + within;
  }
}

/** A term without `every` and `within`: an operand or `a and b` / `a or b`. */
function printLogical(e: StateElement, sep: string): string {
  switch (e.kind) {
    case 'LogicalState':
      return `${printStateOperand(e.left)} ${e.op} ${printStateOperand(e.right)}`;
    case 'StreamState':
    case 'AbsentState':
    case 'CountState':
      return printStateOperand(e);
    default:
      return `(${printChain(e, sep, false)})`;
  }
}

function printStateOperand(e: StreamState | AbsentState | CountState): string {
  const source = (s: SingleInput): string => printStreamId(s.stream) + s.handlers.map(printHandler).join('');
  if (e.kind === 'AbsentState') return `not ${source(e.input)}${e.waitingTime ? ` for ${printTime(Number(e.waitingTime.value))}` : ''}`;
  const stream = e.kind === 'CountState' ? e.element : e;
  const text = `${stream.ref !== undefined ? `${printName(stream.ref)}=` : ''}${source(stream.input)}`;
  return e.kind === 'CountState' ? text + printCount(e) : text;
}

/** The count as written when that agrees with min and max, else `<min:max>`. */
function printCount(c: CountState): string {
  const written: Record<string, [number, number | undefined]> = { '+': [1, undefined], '*': [0, undefined], '?': [0, 1] };
  const q = written[c.written];
  if (q && q[0] === c.min && q[1] === c.max) return c.written;
  const m = /^<(\d*)(:?)(\d*)>$/.exec(c.written);
  if (m && (m[1] !== '' || m[3] !== '')) {
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[3] !== '' ? Number(m[3]) : m[2] ? undefined : min;
    if (min === c.min && max === c.max) return c.written;
  }
  return c.max === c.min ? `<${c.min}>` : `<${c.min}:${c.max ?? ''}>`;
}

// ---------------------------------------------------------------------------------------------
// Selection, rate limiting, output

function printSelector(s: Selector): string {
  const parts = [`select ${s.star ? '*' : s.attributes.map(a => printExpression(a.expression) + (a.alias !== undefined ? ` as ${printName(a.alias)}` : '')).join(', ')}`];
  if (s.groupBy.length > 0) parts.push(`group by ${s.groupBy.map(printExpression).join(', ')}`);
  if (s.having) parts.push(`having ${printExpression(s.having)}`);
  if (s.orderBy.length > 0) parts.push(`order by ${s.orderBy.map(o => printExpression(o.variable) + (o.order === 'desc' ? ' desc' : '')).join(', ')}`);
  if (s.limit) parts.push(`limit ${printExpression(s.limit)}`);
  if (s.offset) parts.push(`offset ${printExpression(s.offset)}`);
  return parts.join(' ');
}

function printOutputRate(r: OutputRate): string {
  if (r.kind === 'SnapshotRate') return `output snapshot every ${printTime(r.millis)}`;
  const type = r.type === 'ALL' ? '' : `${r.type.toLowerCase()} `;
  return `output ${type}every ${r.kind === 'EventsRate' ? `${r.count} events` : printTime(r.millis)}`;
}

function printEventType(t: EventType): string {
  return `${t.toLowerCase()} events`;
}

function printSet(set: readonly SetAssignment[] | undefined): string {
  if (!set || set.length === 0) return '';
  return ` set ${set.map(a => `${printExpression(a.target)} = ${printExpression(a.value)}`).join(', ')}`;
}

function printOutput(o: OutputAction): string {
  const forEvents = 'table' in o && o.eventType ? ` for ${printEventType(o.eventType)}` : '';
  switch (o.kind) {
    case 'InsertOutput':
      return `insert ${o.eventType ? `${printEventType(o.eventType)} ` : ''}into ${printStreamId(o.target)}`;
    case 'ReturnOutput':
      return o.eventType ? `return ${printEventType(o.eventType)}` : 'return';
    case 'DeleteOutput':
      return `delete ${printName(o.table)}${forEvents} on ${printExpression(o.on)}`;
    case 'UpdateOutput':
      return `update ${printName(o.table)}${forEvents}${printSet(o.set)} on ${printExpression(o.on)}`;
    case 'UpdateOrInsertOutput':
      return `update or insert into ${printName(o.table)}${forEvents}${printSet(o.set)} on ${printExpression(o.on)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Partitions

function printPartition(p: Partition): string[] {
  const withs = p.with.map(w =>
    w.kind === 'ValuePartition'
      ? `${printExpression(w.expression)} of ${printName(w.stream)}`
      : `${w.ranges.map(r => `${printExpression(r.condition)} as ${printString(r.label)}`).join(' or ')} of ${printName(w.stream)}`,
  );
  const head = withAnnotations(p.annotations, `partition with (${withs.join(', ')})`);
  return [head, 'begin', ...p.queries.map(q => `  ${printQuery(q)};`), 'end;'];
}
