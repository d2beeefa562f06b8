import { EventKind, type StreamEvent } from '../../kernel/event';
import { BuiltinArgError, ProcessingError } from '../../errors/millrace-error';
import { jsonStateSpec } from '../../state/state-spec';
import { bool, num, record } from '../../state/shape';
import type { WindowContext } from '../../plan/operators';
import { attribute, constant, optional, param, PERIOD, type BoundArgs, type WindowFunction, type WindowPlanEnv } from '../descriptor';
import { eventListSpec, RESET_TEMPLATE } from './window-state';

/** Where the batches stand. */
type Timing = {
  /** End (exclusive) of the open batch; -1 before the first event. */
  end: number;
  /** What batch ends are aligned to. */
  start: number;
  /** The timeout timer that counts (earlier ones are stale). */
  scheduled: number;
  /** The largest timestamp attribute seen. */
  last: number;
  /** Whether the timeout already sent the open batch. */
  flushed: boolean;
};

const TIMING = record({ end: num(), start: num(), scheduled: num(), last: num(), flushed: bool() });

/** The parameters, read. */
interface Setup {
  readonly tsIndex: number;
  readonly tsName: string;
  readonly span: number;
  /** start.time as a constant (null: none), or the index of the LONG attribute giving it (-1: none). */
  readonly startConst: number | null;
  readonly startIndex: number;
  readonly startName: string | undefined;
  /** 0: no timeout. */
  readonly timeout: number;
  readonly replace: boolean;
}

function setup(args: BoundArgs, env: WindowPlanEnv): Setup {
  const tsIndex = args.attribute('timestamp')!;
  const span = args.constant('window.time') as number;
  if (span <= 0) throw new BuiltinArgError(`externalTimeBatch window's 'window.time' must be positive, found ${span}`);
  const startIndex = args.attribute('start.time') ?? -1;
  return {
    tsIndex,
    tsName: env.attributes[tsIndex].name,
    span,
    startConst: (args.constant('start.time') as number | undefined) ?? null,
    startIndex,
    startName: env.attributes[startIndex]?.name,
    timeout: (args.constant('timeout') as number | undefined) ?? 0,
    replace: args.constant('replace.with.batchtime') === true,
  };
}

/** One window instance: its state and the steps that send batches. */
function batches(ctx: WindowContext, w: Setup) {
  // Siddhi keeps the last batch when the output or a timeout needs it (and for joins).
  const keepLast = ctx.expiredNeeded || w.timeout > 0;
  const current = ctx.state('current', eventListSpec);
  const lastBatch = ctx.state('last', eventListSpec);
  const timing = ctx.state<Timing>('timing', jsonStateSpec<Timing>(1, TIMING, () => ({ end: -1, start: w.startConst ?? 0, scheduled: 0, last: 0, flushed: false })));

  const expire = (events: readonly StreamEvent[], t: Timing, out: StreamEvent[]) => {
    if (ctx.expiredNeeded) for (const p of events) out.push({ timestamp: t.last, data: p.data, type: EventKind.EXPIRED });
  };
  return {
    current,
    lastBatch,
    timing,
    schedule(t: Timing) {
      t.scheduled = ctx.clock.now + w.timeout;
      ctx.schedule(t.scheduled);
    },
    /** Sends the open batch, expiring the previous one. */
    flush(t: Timing, keep: boolean, outs: StreamEvent[][]) {
      const out: StreamEvent[] = [];
      expire(lastBatch.value, t, out);
      if (keepLast) lastBatch.value = [];
      const batch = current.value;
      if (batch.length) {
        out.push(RESET_TEMPLATE(t.last));
        if (keep || keepLast) lastBatch.value = batch.slice();
        for (const e of batch) out.push(e);
      }
      current.value = [];
      if (out.length) outs.push(out);
    },
    /** After a timeout sent the batch: sends it again with the events that arrived since. */
    resend(t: Timing, outs: StreamEvent[][]) {
      const batch = current.value;
      if (!batch.length) return;
      const out: StreamEvent[] = [];
      const sent = lastBatch.value;
      expire(sent, t, out);
      out.push(RESET_TEMPLATE(t.last));
      for (const p of sent) out.push({ timestamp: p.timestamp, data: p.data, type: EventKind.CURRENT });
      if (keepLast) lastBatch.value = sent.concat(batch);
      for (const e of batch) out.push(e);
      current.value = [];
      outs.push(out);
    },
    append(t: Timing, e: StreamEvent) {
      if (w.replace) {
        const data = e.data.slice();
        data[w.tsIndex] = t.end;
        current.value.push({ timestamp: e.timestamp, data, type: EventKind.CURRENT });
      } else current.value.push(e);
    },
  };
}

/** The first chunk fixes the periods: aligned to start.time, or starting at the first timestamp. */
function firstPeriod(w: Setup, t: Timing, first: StreamEvent, endOf: (ts: number, start: number) => number): void {
  const ts = first.data[w.tsIndex] as number;
  if (w.startConst !== null) t.end = endOf(ts, t.start);
  else {
    t.start = w.startIndex >= 0 ? (first.data[w.startIndex] as number) : ts;
    t.end = t.start + w.span;
  }
}

/**
 * `externalTimeBatch(ts, t [, start.time] [, timeout] [, replace.with.batchtime])`: batches by the
 * time a LONG attribute carries, in periods of `t` aligned to the first event (or to start.time).
 * The first arrival at or past the end of the open batch flushes it: one chunk of [EXPIRED copies
 * of the previous batch (when needed), RESET, CURRENT events of the batch], the RESET and
 * EXPIRED events stamped with the largest timestamp attribute seen. With a timeout, a batch that
 * no later event closes is sent `timeout` after the last flush (on the event clock); events of
 * the same period arriving after that are sent again with the ones already sent.
 */
export const externalTimeBatchWindow: WindowFunction = {
  kind: 'window',
  name: 'externalTimeBatch',
  batch: true,
  signatures: [
    [
      param('timestamp', attribute('LONG')),
      param('window.time', PERIOD),
      optional('start.time', 'first timestamp', constant('INT', 'LONG'), attribute('LONG')),
      optional('timeout', 'none', PERIOD),
      optional('replace.with.batchtime', 'false', constant('BOOL')),
    ],
  ],
  returns: 'batches of CURRENT events, preceded by RESET and EXPIRED copies of the previous batch',
  description:
    "A tumbling window on the time given by a LONG attribute: periods of window.time starting at the first event's timestamp, or aligned to start.time (a constant, or a LONG attribute whose value in the first event is the start). An event whose timestamp reaches the end of the open period flushes it as one batch. timeout sends a batch that no later event closes, timeout ms of event time after the last flush. replace.with.batchtime=true replaces the timestamp attribute of each event with the end of its batch.",
  example: 'from S#window.externalTimeBatch(eventTime, 1 sec) select count() as n insert into Out;',
  plan(args, env) {
    const w = setup(args, env);
    /** The end of the period that `t` falls in, periods aligned to `start` (Java long remainder). */
    const endOf = (t: number, start: number) => t + (w.span - ((t - start) % w.span));
    return {
      create(ctx) {
        const b = batches(ctx, w);
        return {
          contents: () => b.lastBatch.value,
          process(chunk, emit) {
            if (!chunk.length) return;
            for (const e of chunk) if (e.data[w.tsIndex] === null) throw new ProcessingError(`externalTimeBatch window: the timestamp attribute '${w.tsName}' is null`);
            if (w.startIndex >= 0 && b.timing.value.end < 0 && chunk[0].data[w.startIndex] === null)
              throw new ProcessingError(`externalTimeBatch window: the start.time attribute '${w.startName}' is null`);
            const t = b.timing.value;
            const outs: StreamEvent[][] = [];
            if (t.end < 0) {
              firstPeriod(w, t, chunk[0], endOf);
              if (w.timeout > 0) b.schedule(t);
            }
            for (const e of chunk) {
              const ts = e.data[w.tsIndex] as number;
              if (t.last < ts) t.last = ts;
              if (ts < t.end) {
                b.append(t, e);
                continue;
              }
              if (t.flushed) {
                b.resend(t, outs);
                t.flushed = false;
              } else b.flush(t, false, outs);
              t.end = endOf(t.last, t.start);
              b.append(t, e);
              if (w.timeout > 0) b.schedule(t);
            }
            for (const out of outs) emit(out);
          },
          onTimer(_now, emit, due) {
            const t = b.timing.value;
            if (t.scheduled > due) return;
            const outs: StreamEvent[][] = [];
            if (!t.flushed) {
              b.flush(t, true, outs);
              t.flushed = true;
            } else b.resend(t, outs);
            b.schedule(t);
            for (const out of outs) emit(out);
          },
        };
      },
    };
  },
};
