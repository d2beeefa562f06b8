import { EventKind, type StreamEvent } from '../../kernel/event';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import type { EvalCtx } from '../../kernel/eval-context';
import { ProcessingError } from '../../errors/millrace-error';
import { attribute, constant, optional, param, type BoundArgs, type WindowFunction, type WindowPlanEnv } from '../descriptor';
import type { Aggregator } from '../../plan/operators';
import { attributeCondition, bindEvents, compileWindowCondition, conditionCache, newConditionCtx, storedExpressionProblem, type WindowCondition } from './window-expression';
import { array, event, nullable, record, refine, str } from '../../state/shape';
import { decodeEvent, encodeEvent } from './window-params';

interface Batch {
  /**
   * The batch being collected; with stream.current.event, the expirations still to be sent
   * (left by a change of expression, sent before the next arrival).
   */
  cur: StreamEvent[];
  /** The last batch, expired at the next flush; with stream.current.event, the events passed on so far. */
  exp: StreamEvent[];
  /**
   * An event the aggregators count although the window no longer holds it: after a flush that
   * sends the triggering event along (include.triggering.event, or an event that fails the
   * expression on its own) Siddhi keeps counting it in the next batch's aggregates.
   */
  ghost: StreamEvent | null;
  /** The condition's aggregators over `ghost` and the held events (derived: rebuilt on restore). */
  aggs: Aggregator[];
  /** With an expression that arrives in events: the text in force (null before the first event). */
  expr: string | null;
}

const at = (e: StreamEvent, timestamp: number, type: EventKind): StreamEvent => ({ timestamp, data: e.data, type });

/** What planning settles: the condition (or how to compile it from events) and the two flags. */
interface Setup {
  /** The condition when it does not come from events (a constant text or a BOOL attribute). */
  readonly fixed: WindowCondition | null;
  /** With a STRING attribute as the expression: its index and name, and the compiler of its texts. */
  readonly exprIndex: number;
  readonly exprName: string | undefined;
  readonly compile: ((text: string) => WindowCondition) | null;
  /** Whether the event that fails the condition ends the flushed batch (include.triggering.event). */
  readonly include: (e: StreamEvent) => boolean;
  readonly streamCurrent: boolean;
}

function setup(args: BoundArgs, env: WindowPlanEnv): Setup {
  const a = args.arg('expression')!;
  let fixed: WindowCondition | null = null;
  if (a.constant) fixed = compileWindowCondition('expressionBatch', a.constant.value as string, env);
  else if (a.type === 'BOOL') fixed = attributeCondition(env.attributes[a.attributeIndex!].name, a.attributeIndex!);
  const exprIndex = fixed ? -1 : a.attributeIndex!;
  const includeConst = args.constant('include.triggering.event') === true;
  const includeIndex = args.attribute('include.triggering.event') ?? -1;
  return {
    fixed,
    exprIndex,
    exprName: env.attributes[exprIndex]?.name,
    compile: fixed ? null : conditionCache('expressionBatch', env),
    include: e => includeConst || (includeIndex >= 0 && e.data[includeIndex] === true),
    streamCurrent: args.constant('stream.current.event') === true,
  };
}

/** Collects `e`, or flushes when the condition fails with it (one output chunk per flush). */
function collect(w: Setup, x: EvalCtx, st: Batch, cond: WindowCondition, e: StreamEvent, outs: StreamEvent[][], now: number): void {
  bindEvents(x, e, st.cur.length ? st.cur[0] : e, e);
  cond.add(st.aggs, x);
  if (cond.holds(st.aggs, x)) {
    st.cur.push(e);
    return;
  }
  for (const g of st.aggs) g.reset();
  cond.add(st.aggs, x);
  st.ghost = null;
  const out: StreamEvent[] = [];
  for (const p of st.exp) out.push(at(p, now, EventKind.EXPIRED));
  st.exp = [];
  if (st.cur.length) {
    const batch = st.cur.map(c => at(c, now, EventKind.CURRENT));
    for (const c of batch) out.push(c);
    st.exp = batch;
    st.cur = [];
    if (w.include(e)) {
      out.push(e);
      st.exp.push(at(e, now, EventKind.EXPIRED));
      st.ghost = e;
    } else st.cur.push(e);
  } else {
    out.push(at(e, now, EventKind.EXPIRED), at(e, now, EventKind.CURRENT));
    st.ghost = e;
  }
  outs.push(out);
}

/**
 * stream.current.event: passes `e` on, or flushes (expires what was passed on). With
 * `output` false (considering held events again after a change of expression) nothing is
 * sent: expirations wait in `cur` for the next arrival.
 */
function pass(w: Setup, x: EvalCtx, st: Batch, cond: WindowCondition, e: StreamEvent, outs: StreamEvent[][], now: number, output: boolean): void {
  bindEvents(x, e, st.exp.length ? st.exp[0] : e, e);
  const out: StreamEvent[] = [];
  if (output && st.cur.length) {
    for (const c of st.cur) out.push(at(c, c.timestamp, EventKind.EXPIRED));
    st.cur = [];
  }
  cond.add(st.aggs, x);
  if (cond.holds(st.aggs, x)) {
    st.exp.push(e);
    if (output) {
      out.push(e);
      outs.push(out);
    }
    return;
  }
  for (const g of st.aggs) g.reset();
  cond.add(st.aggs, x);
  st.ghost = null;
  if (st.exp.length) {
    const expired = st.exp.map(p => at(p, now, EventKind.EXPIRED));
    st.exp = [];
    if (w.include(e)) {
      if (output) {
        out.push(e);
        for (const p of expired) out.push(p);
        out.push(at(e, now, EventKind.EXPIRED));
      } else {
        for (const p of expired) st.cur.push(p);
        st.cur.push(at(e, e.timestamp, EventKind.EXPIRED));
      }
      st.ghost = e;
    } else {
      if (output) for (const p of expired) out.push(p);
      else for (const p of expired) st.cur.push(p);
      out.push(e);
      st.exp = [e];
    }
  } else if (output) {
    out.push(at(e, now, EventKind.EXPIRED), at(e, now, EventKind.CURRENT));
    st.ghost = e;
  } else {
    st.cur.push(e);
    st.ghost = e;
  }
  if (output) outs.push(out);
}

const fresh = (cond: WindowCondition | null): Batch => ({ cur: [], exp: [], ghost: null, aggs: cond ? cond.createAggregators() : [], expr: null });

/** The window's state; the aggregators are rebuilt from the held events on restore. */
function batchSpec(w: Setup, x: EvalCtx, types: readonly string[]): StateSpec<Batch> {
  return {
    version: 1,
    shape: refine(record({ c: array(event(types)), e: array(event(types)), g: nullable(event(types)), x: nullable(str()) }), (s: { x: string | null }) =>
      storedExpressionProblem(s.x, w.fixed !== null, w.compile),
    ),
    create: () => fresh(w.fixed),
    snapshot: st => ({ c: st.cur.map(encodeEvent), e: st.exp.map(encodeEvent), g: st.ghost && encodeEvent(st.ghost), x: st.expr }),
    restore: j => {
      const s = j as { c: Json[]; e: Json[]; g: Json; x: string | null };
      let cond = w.fixed;
      let expr: string | null = null;
      if (!cond && s.x !== null) {
        try {
          cond = w.compile!(s.x);
          expr = s.x;
        } catch {
          // Left without a text: the next event's expression reconsiders the held events.
        }
      }
      const st: Batch = { ...fresh(cond), cur: s.c.map(decodeEvent), exp: s.e.map(decodeEvent), ghost: s.g === null ? null : decodeEvent(s.g), expr };
      if (cond) {
        const counted = w.streamCurrent ? st.exp : st.cur;
        for (const e of st.ghost ? [st.ghost, ...counted] : counted) {
          bindEvents(x, e, e, e);
          cond.add(st.aggs, x);
        }
      }
      return st;
    },
  };
}

/** The condition for `e`: the fixed one, or the text `e` carries (a new text reconsiders the held events, as Siddhi does). */
function conditionFor(w: Setup, x: EvalCtx, st: Batch, e: StreamEvent, outs: StreamEvent[][], now: number): WindowCondition {
  if (w.fixed) return w.fixed;
  const text = e.data[w.exprIndex];
  if (typeof text !== 'string') throw new ProcessingError(`expressionBatch window: the expression attribute '${w.exprName}' is null`);
  const cond = w.compile!(text);
  if (text === st.expr) return cond;
  st.expr = text;
  st.aggs = cond.createAggregators();
  st.ghost = null;
  if (w.streamCurrent) {
    const before = st.exp;
    st.exp = [];
    for (const h of before) pass(w, x, st, cond, h, outs, now, false);
  } else {
    const before = st.cur;
    st.cur = [];
    for (const h of before) collect(w, x, st, cond, h, outs, now);
  }
  return cond;
}

/**
 * `expressionBatch('<expr>' | flag [, include.triggering.event] [, stream.current.event])`:
 * collects events while the expression holds; the first event for which it fails flushes the
 * batch: one chunk of [EXPIRED previous batch, CURRENT batch], all at the flush time (no RESET:
 * aggregates follow the expirations). The failing event starts the next batch, or with
 * include.triggering.event ends this one. With stream.current.event events pass on as they
 * arrive and a flush only expires them.
 */
export const expressionBatchWindow: WindowFunction = {
  kind: 'window',
  name: 'expressionBatch',
  batch: true,
  signatures: [
    [
      param('expression', constant('STRING'), attribute('STRING'), attribute('BOOL')),
      optional('include.triggering.event', 'false', constant('BOOL'), attribute('BOOL')),
      optional('stream.current.event', 'false', constant('BOOL')),
    ],
  ],
  returns: 'batches of CURRENT events, with EXPIRED events of the previous batch',
  description:
    "A batch window that collects events while an expression over them holds and flushes the batch when an arriving event makes it false (count() <= 20: batches of 20; last.symbol == first.symbol: a batch per run of one symbol). Names in the expression are those of the expression window (plain attribute: the arriving event; first./last.: the oldest/newest; eventTimestamp(first|last); aggregates over the batch). The expression is a constant string, a STRING attribute (a change of text reconsiders the batch) or a BOOL attribute (flush on an event where it is false). include.triggering.event (constant or BOOL attribute) puts the flushing event in the flushed batch instead of the next; stream.current.event passes events on as they arrive and only expires them at a flush.",
  example: "from S#window.expressionBatch('count() <= 20') select sum(price) as total insert into Out;",
  plan(args, env) {
    const w = setup(args, env);
    return {
      create(ctx) {
        const x = newConditionCtx(ctx.clock);
        const held = ctx.state('window', batchSpec(w, x, env.attributes.map(a => a.type)));
        return {
          contents: () => held.value.cur,
          process(chunk, emit) {
            const st = held.value;
            const now = ctx.clock.now;
            const outs: StreamEvent[][] = [];
            for (const e of chunk) {
              const cond = conditionFor(w, x, st, e, outs, now);
              if (w.streamCurrent) pass(w, x, st, cond, e, outs, now, true);
              else collect(w, x, st, cond, e, outs, now);
            }
            for (const out of outs) emit(out);
          },
        };
      },
    };
  },
};
