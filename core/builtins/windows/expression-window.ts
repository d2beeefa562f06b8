import type { StreamEvent } from '../../kernel/event';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { ProcessingError } from '../../errors/millrace-error';
import { attribute, constant, param, type WindowFunction } from '../descriptor';
import type { Aggregator } from '../../plan/operators';
import { EventQueue } from './event-queue';
import { bindEvents, compileWindowCondition, conditionCache, newConditionCtx, storedExpressionProblem, type WindowCondition } from './window-expression';
import { array, event, nullable, record, refine, str } from '../../state/shape';
import { decodeEvent, encodeEvent } from './window-params';
import { expiredCopy } from './window-state';

interface Held {
  /** The events held, oldest first. */
  q: EventQueue;
  /** The condition's aggregators over `q` (derived: rebuilt from `q` on restore). */
  aggs: Aggregator[];
  /** With an expression that arrives in events: the text in force (null before the first event). */
  expr: string | null;
}

/**
 * `expression('<expr>')`: a sliding window that keeps events while the expression holds. Each
 * arrival is added; while the expression is false the oldest events are expired (EXPIRED, before
 * the arrival in the chunk) until it holds again. The expression may come from a STRING attribute:
 * when its text changes, every held event is considered again under the new expression.
 */
export const expressionWindow: WindowFunction = {
  kind: 'window',
  name: 'expression',
  batch: false,
  signatures: [[param('expression', constant('STRING'), attribute('STRING'))]],
  returns: 'CURRENT and EXPIRED events',
  description:
    "A sliding window that grows and shrinks with an expression over its events: it keeps events while the expression holds and expires the oldest until it holds again. In the expression a plain attribute is the event being considered, first.<attr> the oldest event held and last.<attr> the newest; eventTimestamp(first) and eventTimestamp(last) are their timestamps; aggregates such as count() and sum(price) run over the events held. The expression can be a constant string or a STRING attribute (held events are reconsidered when its text changes).",
  example: "from S#window.expression('sum(price) < 100 and eventTimestamp(last) - eventTimestamp(first) < 3000') select sum(price) as total insert into Out;",
  plan(args, env) {
    const a = args.arg('expression')!;
    const fixed = a.constant ? compileWindowCondition('expression', a.constant.value as string, env) : null;
    const exprIndex = a.attributeIndex ?? -1;
    const exprName = env.attributes[exprIndex]?.name;
    const compile = fixed ? null : conditionCache('expression', env);
    return {
      create(ctx) {
        const x = newConditionCtx(ctx.clock);

        /** Adds `e` to the window and expires the oldest events while the condition fails. */
        const slide = (st: Held, cond: WindowCondition, e: StreamEvent, out: StreamEvent[], now: number) => {
          st.q.push(e);
          bindEvents(x, e, st.q.peek()!, e);
          cond.add(st.aggs, x);
          if (cond.holds(st.aggs, x)) return;
          for (let old = st.q.shift(); old; old = st.q.shift()) {
            const gone = expiredCopy(old, now);
            out.push(gone);
            bindEvents(x, gone, st.q.peek() ?? gone, e);
            cond.remove(st.aggs, x);
            if (cond.holds(st.aggs, x)) return;
          }
        };

        const spec: StateSpec<Held> = {
          version: 1,
          shape: refine(record({ e: array(event(env.attributes.map(a => a.type))), x: nullable(str()) }), (s: { x: string | null }) => storedExpressionProblem(s.x, fixed !== null, compile)),
          create: () => ({ q: new EventQueue(), aggs: fixed ? fixed.createAggregators() : [], expr: null }),
          snapshot: st => ({ e: st.q.toArray().map(encodeEvent), x: st.expr }),
          restore: j => {
            const s = j as { e: Json[]; x: string | null };
            const events = s.e.map(decodeEvent);
            let cond = fixed;
            let expr: string | null = null;
            if (!cond && s.x !== null) {
              try {
                cond = compile!(s.x);
                expr = s.x;
              } catch {
                // Left without a text: the next event's expression reconsiders every held event.
              }
            }
            const aggs = cond ? cond.createAggregators() : [];
            if (cond)
              for (const e of events) {
                bindEvents(x, e, e, e);
                cond.add(aggs, x);
              }
            return { q: EventQueue.from(events), aggs, expr };
          },
        };
        const held = ctx.state('window', spec);

        return {
          contents: () => held.value.q.toArray(),
          process(chunk, emit) {
            const st = held.value;
            const now = ctx.clock.now;
            const out: StreamEvent[] = [];
            for (const e of chunk) {
              let cond = fixed;
              if (!cond) {
                const text = e.data[exprIndex];
                if (typeof text !== 'string') throw new ProcessingError(`expression window: the expression attribute '${exprName}' is null`);
                cond = compile!(text);
                if (text !== st.expr) {
                  // A new expression: consider every held event again, as Siddhi does.
                  st.expr = text;
                  const before = st.q.toArray();
                  st.q = new EventQueue();
                  st.aggs = cond.createAggregators();
                  for (const h of before) slide(st, cond, h, out, now);
                }
              }
              slide(st, cond, e, out, now);
              out.push(e);
            }
            if (out.length) emit(out);
          },
        };
      },
    };
  },
};
