import { EventKind, type StreamEvent } from '../../kernel/event';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { BuiltinArgError, type WindowFunction } from '../descriptor';
import type { Aggregator } from '../../plan/operators';
import { attributeCondition, bindEvents, compileWindowCondition, conditionCache, newConditionCtx, type WindowCondition } from './window-expression';
import { decodeEvent, describeArg, encodeEvent } from './window-params';
import { arityCheck, boolParam } from './window-state';

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

/**
 * `expressionBatch('<expr>' | flag [, include.triggering.event] [, stream.current.event])`:
 * collects events while the expression holds; the first event for which it fails flushes the
 * batch: one chunk of [EXPIRED previous batch, CURRENT batch], all at the flush time (no RESET:
 * aggregates follow the expirations). The failing event starts the next batch, or with
 * include.triggering.event ends this one. With stream.current.event events pass on as they
 * arrive and a flush only expires them.
 */
export const expressionBatchWindow: WindowFunction = {
  name: 'expressionBatch',
  batch: true,
  signature: '(expression STRING|BOOL, include.triggering.event BOOL = false, stream.current.event BOOL = false)',
  returns: 'batches of CURRENT events, with EXPIRED events of the previous batch',
  description:
    "A batch window that collects events while an expression over them holds and flushes the batch when an arriving event makes it false (count() <= 20: batches of 20; last.symbol == first.symbol: a batch per run of one symbol). Names in the expression are those of the expression window (plain attribute: the arriving event; first./last.: the oldest/newest; eventTimestamp(first|last); aggregates over the batch). The expression is a constant string, a STRING attribute (a change of text reconsiders the batch) or a BOOL attribute (flush on an event where it is false). include.triggering.event (constant or BOOL attribute) puts the flushing event in the flushed batch instead of the next; stream.current.event passes events on as they arrive and only expires them at a flush.",
  example: "from S#window.expressionBatch('count() <= 20') select sum(price) as total insert into Out;",
  plan(args, env) {
    arityCheck('expressionBatch', args, 1, 3);
    const a = args[0];
    let constant: WindowCondition | null = null;
    if (a.type === 'STRING' && a.constant) constant = compileWindowCondition('expressionBatch', a.constant.value as string, env);
    else if (a.type === 'BOOL' && a.attributeIndex !== undefined) constant = attributeCondition(env.attributes[a.attributeIndex].name, a.attributeIndex);
    else if (a.type !== 'STRING' || a.attributeIndex === undefined)
      throw new BuiltinArgError(`expressionBatch window's 'expression' parameter must be a constant string, a string attribute or a bool attribute, found ${describeArg(a)}`);
    const exprIndex = constant ? -1 : a.attributeIndex!;
    const exprName = env.attributes[exprIndex]?.name;
    const compile = constant ? null : conditionCache('expressionBatch', env);

    const inc = args[1];
    let includeConst = false;
    let includeIndex = -1;
    if (inc) {
      if (inc.type === 'BOOL' && inc.attributeIndex !== undefined) includeIndex = inc.attributeIndex;
      else if (inc.type === 'BOOL' && inc.constant) includeConst = inc.constant.value as boolean;
      else throw new BuiltinArgError(`expressionBatch window's 'include.triggering.event' parameter must be a constant bool or a bool attribute, found ${describeArg(inc)}`);
    }
    const include = (e: StreamEvent) => includeConst || (includeIndex >= 0 && e.data[includeIndex] === true);
    const streamCurrent = boolParam('expressionBatch', 'stream.current.event', args[2], false);

    return {
      create(ctx) {
        const x = newConditionCtx(ctx.clock);

        /** Collects `e`, or flushes when the condition fails with it (one output chunk per flush). */
        const collect = (st: Batch, cond: WindowCondition, e: StreamEvent, outs: StreamEvent[][], now: number) => {
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
            if (include(e)) {
              out.push(e);
              st.exp.push(at(e, now, EventKind.EXPIRED));
              st.ghost = e;
            } else st.cur.push(e);
          } else {
            out.push(at(e, now, EventKind.EXPIRED), at(e, now, EventKind.CURRENT));
            st.ghost = e;
          }
          outs.push(out);
        };

        /**
         * stream.current.event: passes `e` on, or flushes (expires what was passed on). With
         * `output` false (considering held events again after a change of expression) nothing is
         * sent: expirations wait in `cur` for the next arrival.
         */
        const pass = (st: Batch, cond: WindowCondition, e: StreamEvent, outs: StreamEvent[][], now: number, output: boolean) => {
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
            if (include(e)) {
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
        };

        const fresh = (cond: WindowCondition | null): Batch => ({ cur: [], exp: [], ghost: null, aggs: cond ? cond.createAggregators() : [], expr: null });
        const spec: StateSpec<Batch> = {
          version: 1,
          create: () => fresh(constant),
          snapshot: st => ({ c: st.cur.map(encodeEvent), e: st.exp.map(encodeEvent), g: st.ghost && encodeEvent(st.ghost), x: st.expr }),
          restore: j => {
            const s = j as { c: Json[]; e: Json[]; g: Json; x: string | null };
            let cond = constant;
            let expr: string | null = null;
            if (!cond && s.x !== null) {
              try {
                cond = compile!(s.x);
                expr = s.x;
              } catch {
                // Left without a text: the next event's expression reconsiders the held events.
              }
            }
            const st: Batch = { ...fresh(cond), cur: s.c.map(decodeEvent), exp: s.e.map(decodeEvent), ghost: s.g === null ? null : decodeEvent(s.g), expr };
            if (cond) {
              const counted = streamCurrent ? st.exp : st.cur;
              for (const e of st.ghost ? [st.ghost, ...counted] : counted) {
                bindEvents(x, e, e, e);
                cond.add(st.aggs, x);
              }
            }
            return st;
          },
        };
        const held = ctx.state('window', spec);

        return {
          contents: () => held.value.cur,
          process(chunk, emit) {
            const st = held.value;
            const now = ctx.clock.now;
            const outs: StreamEvent[][] = [];
            for (const e of chunk) {
              let cond = constant;
              if (!cond) {
                const text = e.data[exprIndex];
                if (typeof text !== 'string') throw new Error(`expressionBatch window: the expression attribute '${exprName}' is null`);
                cond = compile!(text);
                if (text !== st.expr) {
                  // A new expression: consider the held events again, as Siddhi does.
                  st.expr = text;
                  st.aggs = cond.createAggregators();
                  st.ghost = null;
                  if (streamCurrent) {
                    const before = st.exp;
                    st.exp = [];
                    for (const h of before) pass(st, cond, h, outs, now, false);
                  } else {
                    const before = st.cur;
                    st.cur = [];
                    for (const h of before) collect(st, cond, h, outs, now);
                  }
                }
              }
              if (streamCurrent) pass(st, cond, e, outs, now, true);
              else collect(st, cond, e, outs, now);
            }
            for (const out of outs) emit(out);
          },
        };
      },
    };
  },
};
