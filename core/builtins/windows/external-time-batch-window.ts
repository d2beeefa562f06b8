import { EventKind, type StreamEvent } from '../../kernel/event';
import { jsonStateSpec } from '../../state/state-spec';
import { BuiltinArgError, type WindowFunction } from '../descriptor';
import { attributeParam, describeArg, intOrLongParam } from './window-params';
import { arityCheck, boolParam, eventListSpec, RESET_TEMPLATE } from './window-state';

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
  name: 'externalTimeBatch',
  batch: true,
  signature: '(timestamp LONG, window.time INT|LONG|TIME, start.time INT|LONG|TIME = first timestamp, timeout INT|LONG|TIME = none, replace.with.batchtime BOOL = false)',
  returns: 'batches of CURRENT events, preceded by RESET and EXPIRED copies of the previous batch',
  description:
    "A tumbling window on the time given by a LONG attribute: periods of window.time starting at the first event's timestamp, or aligned to start.time (a constant, or a LONG attribute whose value in the first event is the start). An event whose timestamp reaches the end of the open period flushes it as one batch. timeout sends a batch that no later event closes, timeout ms of event time after the last flush. replace.with.batchtime=true replaces the timestamp attribute of each event with the end of its batch.",
  example: 'from S#window.externalTimeBatch(eventTime, 1 sec) select count() as n insert into Out;',
  plan(args, env) {
    const name = 'externalTimeBatch';
    arityCheck(name, args, 2, 5);
    const tsIndex = attributeParam(name, 'timestamp', args[0], ['LONG'], env);
    const tsName = env.attributes[tsIndex].name;
    const span = intOrLongParam(name, 'window.time', args[1]);
    if (span <= 0) throw new BuiltinArgError(`${name} window's 'window.time' must be positive, found ${span}`);
    let startConst: number | null = null;
    let startIndex = -1;
    const s = args[2];
    if (s) {
      if ((s.type === 'INT' || s.type === 'LONG') && s.constant) startConst = s.constant.value as number;
      else if (s.type === 'LONG' && s.attributeIndex !== undefined) startIndex = s.attributeIndex;
      else throw new BuiltinArgError(`${name} window's 'start.time' parameter must be a constant int or long, or a long attribute, found ${describeArg(s)}`);
    }
    const timeout = args[3] ? intOrLongParam(name, 'timeout', args[3]) : 0;
    const replace = boolParam(name, 'replace.with.batchtime', args[4], false);

    /** The end of the period that `t` falls in, periods aligned to `start` (Java long remainder). */
    const endOf = (t: number, start: number) => t + (span - ((t - start) % span));

    return {
      create(ctx) {
        // Siddhi keeps the last batch when the output or a timeout needs it (and for joins).
        const keepLast = ctx.expiredNeeded || timeout > 0;
        const current = ctx.state('current', eventListSpec);
        const lastBatch = ctx.state('last', eventListSpec);
        const timing = ctx.state<Timing>('timing', jsonStateSpec<Timing>(1, () => ({ end: -1, start: startConst ?? 0, scheduled: 0, last: 0, flushed: false })));

        const schedule = (t: Timing) => {
          t.scheduled = ctx.clock.now + timeout;
          ctx.schedule(t.scheduled);
        };

        /** Sends the open batch, expiring the previous one. */
        const flush = (t: Timing, keep: boolean, outs: StreamEvent[][]) => {
          const out: StreamEvent[] = [];
          if (ctx.expiredNeeded) for (const p of lastBatch.value) out.push({ timestamp: t.last, data: p.data, type: EventKind.EXPIRED });
          if (keepLast) lastBatch.value = [];
          const batch = current.value;
          if (batch.length) {
            out.push(RESET_TEMPLATE(t.last));
            if (keep || keepLast) lastBatch.value = batch.slice();
            for (const e of batch) out.push(e);
          }
          current.value = [];
          if (out.length) outs.push(out);
        };

        /** After a timeout sent the batch: sends it again with the events that arrived since. */
        const resend = (t: Timing, outs: StreamEvent[][]) => {
          const batch = current.value;
          if (!batch.length) return;
          const out: StreamEvent[] = [];
          const sent = lastBatch.value;
          if (ctx.expiredNeeded) for (const p of sent) out.push({ timestamp: t.last, data: p.data, type: EventKind.EXPIRED });
          out.push(RESET_TEMPLATE(t.last));
          for (const p of sent) out.push({ timestamp: p.timestamp, data: p.data, type: EventKind.CURRENT });
          if (keepLast) lastBatch.value = sent.concat(batch);
          for (const e of batch) out.push(e);
          current.value = [];
          outs.push(out);
        };

        const append = (t: Timing, e: StreamEvent) => {
          if (replace) {
            const data = e.data.slice();
            data[tsIndex] = t.end;
            current.value.push({ timestamp: e.timestamp, data, type: EventKind.CURRENT });
          } else current.value.push(e);
        };

        return {
          contents: () => lastBatch.value,
          process(chunk, emit) {
            if (!chunk.length) return;
            for (const e of chunk) if (e.data[tsIndex] === null) throw new Error(`externalTimeBatch window: the timestamp attribute '${tsName}' is null`);
            if (startIndex >= 0 && timing.value.end < 0 && chunk[0].data[startIndex] === null)
              throw new Error(`externalTimeBatch window: the start.time attribute '${env.attributes[startIndex].name}' is null`);
            const t = timing.value;
            const outs: StreamEvent[][] = [];
            if (t.end < 0) {
              const first = chunk[0].data[tsIndex] as number;
              if (startConst !== null) t.end = endOf(first, t.start);
              else {
                t.start = startIndex >= 0 ? (chunk[0].data[startIndex] as number) : first;
                t.end = t.start + span;
              }
              if (timeout > 0) schedule(t);
            }
            for (const e of chunk) {
              const ts = e.data[tsIndex] as number;
              if (t.last < ts) t.last = ts;
              if (ts < t.end) {
                append(t, e);
                continue;
              }
              if (t.flushed) {
                resend(t, outs);
                t.flushed = false;
              } else flush(t, false, outs);
              t.end = endOf(t.last, t.start);
              append(t, e);
              if (timeout > 0) schedule(t);
            }
            for (const out of outs) emit(out);
          },
          onTimer(_now, emit, due) {
            const t = timing.value;
            if (t.scheduled > due) return;
            const outs: StreamEvent[][] = [];
            if (!t.flushed) {
              flush(t, true, outs);
              t.flushed = true;
            } else resend(t, outs);
            schedule(t);
            for (const out of outs) emit(out);
          },
        };
      },
    };
  },
};
