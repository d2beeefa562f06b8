import type { StreamEvent } from '../../kernel/event';
import { constant, optional, param, type WindowFunction } from '../descriptor';
import { atLeast } from './window-params';
import { eventListSpec, expiredCopy, RESET_TEMPLATE } from './window-state';

/**
 * `lengthBatch(n [, stream.current.event])`: collects n events and releases them together:
 * EXPIRED copies of the previous batch (when needed), RESET, then the new batch. With
 * stream.current.event each event passes at once, and the one after a full batch comes after
 * that batch's EXPIRED copies and a RESET. n=0: each event is a batch of its own.
 */
export const lengthBatchWindow: WindowFunction = {
  kind: 'window',
  name: 'lengthBatch',
  batch: true,
  signatures: [[param('window.length', constant('INT')), optional('stream.current.event', 'false', constant('BOOL'))]],
  returns: 'batches of CURRENT events, preceded by RESET and EXPIRED copies of the previous batch',
  description:
    'A batch window of n events. With stream.current.event=true, events pass through as they arrive and the event after every n-th expires the batch and resets the aggregates first. n=0 makes each event a batch of its own.',
  example: 'from S#window.lengthBatch(100) select sum(v) as total insert into Out;',
  plan(args) {
    const n = atLeast('lengthBatch', 'window.length', args.constant('window.length') as number, 0);
    const streamCurrent = args.constant('stream.current.event') === true;
    return {
      create(ctx) {
        const pending = ctx.state('pending', eventListSpec);
        const previous = ctx.state('previous', eventListSpec);
        const flush = (now: number, batch: StreamEvent[], emit: (c: StreamEvent[]) => void) => {
          const out: StreamEvent[] = [];
          if (ctx.expiredNeeded) {
            for (const e of previous.value) out.push(expiredCopy(e, now));
            previous.value = batch;
          }
          out.push(RESET_TEMPLATE(now));
          for (const e of batch) out.push(e);
          emit(out);
        };
        return {
          contents: () => (streamCurrent ? pending.value : previous.value),
          process(chunk, emit) {
            if (n === 0) {
              // Siddhi: every event is a batch of its own, out at once and expired at once.
              for (const e of chunk) emit(ctx.expiredNeeded ? [e, expiredCopy(e, e.timestamp), RESET_TEMPLATE(e.timestamp)] : [e, RESET_TEMPLATE(e.timestamp)]);
              return;
            }
            if (streamCurrent) {
              // Siddhi: each event goes out in a chunk of its own; the event after a full batch
              // first expires that batch and resets, in the same chunk ([EXPIRED..., RESET, event]),
              // so a batching selector reports the new event over the fresh aggregates.
              for (const e of chunk) {
                const out: StreamEvent[] = [];
                if (pending.value.length === n) {
                  if (ctx.expiredNeeded) for (const x of pending.value) out.push(expiredCopy(x, e.timestamp));
                  out.push(RESET_TEMPLATE(e.timestamp));
                  pending.value = [];
                }
                pending.value.push(e);
                out.push(e);
                emit(out);
              }
              return;
            }
            for (const e of chunk) {
              pending.value.push(e);
              if (pending.value.length === n) {
                const batch = pending.value;
                pending.value = [];
                flush(e.timestamp, batch, emit);
              }
            }
          },
        };
      },
    };
  },
};
