import type { StreamEvent } from '../../kernel/event';
import { constant, optional, param, type WindowFunction } from '../descriptor';
import { atLeast } from './window-params';
import { eventListSpec, expiredCopy, RESET_TEMPLATE } from './window-state';

/**
 * `lengthBatch(n [, stream.current.event])`: collects n events and releases them together:
 * EXPIRED copies of the previous batch (when needed), RESET, then the new batch.
 */
export const lengthBatchWindow: WindowFunction = {
  kind: 'window',
  name: 'lengthBatch',
  batch: true,
  signatures: [[param('window.length', constant('INT')), optional('stream.current.event', 'false', constant('BOOL'))]],
  returns: 'batches of CURRENT events, preceded by RESET and EXPIRED copies of the previous batch',
  description:
    'A batch window of n events. With stream.current.event=true, events pass through as they arrive and the window only expires and resets every n events. n=0 makes each incoming chunk a batch.',
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
            const expiring = streamCurrent ? batch : previous.value;
            for (const e of expiring) out.push(expiredCopy(e, now));
            if (!streamCurrent) previous.value = batch;
          }
          out.push(RESET_TEMPLATE(now));
          if (!streamCurrent) for (const e of batch) out.push(e);
          emit(out);
        };
        return {
          contents: () => (streamCurrent ? pending.value : previous.value),
          process(chunk, emit) {
            if (n === 0) {
              if (chunk.length) flush(chunk[chunk.length - 1].timestamp, chunk.slice(), emit);
              return;
            }
            let passed: StreamEvent[] = [];
            for (const e of chunk) {
              pending.value.push(e);
              if (streamCurrent) passed.push(e);
              if (pending.value.length === n) {
                if (passed.length) emit(passed);
                passed = [];
                const batch = pending.value;
                pending.value = [];
                flush(e.timestamp, batch, emit);
              }
            }
            if (passed.length) emit(passed);
          },
        };
      },
    };
  },
};
