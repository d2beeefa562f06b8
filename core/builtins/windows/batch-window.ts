import { EventKind, type StreamEvent } from '../../kernel/event';
import { jsonStateSpec } from '../../state/state-spec';
import { nullable, num } from '../../state/shape';
import { constant, optional, type WindowFunction } from '../descriptor';
import { atLeast } from './window-params';
import { eventListSpec, RESET_TEMPLATE } from './window-state';

/**
 * `batch([n])`: every incoming chunk of events (one request, one file record of several events) is
 * a batch; with n > 0 the chunk is cut into batches of n (and a shorter last one). Each batch goes
 * out as [RESET, CURRENT events]; the first one of a chunk is preceded by EXPIRED copies of the
 * whole previous chunk when expired events are needed.
 */
export const batchWindow: WindowFunction = {
  kind: 'window',
  name: 'batch',
  batch: true,
  signatures: [[optional('window.length', '0', constant('INT'))]],
  returns: 'batches of CURRENT events, preceded by RESET and EXPIRED copies of the previous chunk',
  description:
    'A batch window over the chunks events arrive in: the events that arrive together (one request or record holding several events) form a batch, and the previous chunk expires when the next one arrives. With window.length n > 0 a chunk is processed as batches of n events (the last one possibly shorter). Events sent one at a time are batches of one.',
  example: 'from S#window.batch() select sum(price) as total insert into Out;',
  plan(args) {
    const n = atLeast('batch', 'window.length', (args.constant('window.length') as number | undefined) ?? 0, 0);
    return {
      create(ctx) {
        const lastChunk = ctx.state('expired', eventListSpec);
        // The time of the RESET that precedes the next batch (Siddhi's reset event is a copy of
        // the previous batch's first event); null before the first batch.
        const resetAt = ctx.state<number | null>('reset', jsonStateSpec<number | null>(1, nullable(num()), () => null));
        return {
          contents: () => lastChunk.value,
          process(chunk, emit) {
            if (!chunk.length) return;
            const now = ctx.clock.now;
            const outs: StreamEvent[][] = [];
            let out: StreamEvent[] = [];
            if (ctx.expiredNeeded) {
              if (lastChunk.value.length) {
                for (const p of lastChunk.value) out.push({ timestamp: now, data: p.data, type: EventKind.EXPIRED });
                if (resetAt.value !== null) {
                  out.push(RESET_TEMPLATE(resetAt.value));
                  resetAt.value = null;
                }
              }
              lastChunk.value = chunk.slice();
            }
            const close = (piece: StreamEvent[]) => {
              if (resetAt.value !== null) out.push(RESET_TEMPLATE(resetAt.value));
              resetAt.value = piece[0].timestamp;
              for (const e of piece) out.push(e);
              outs.push(out);
              out = [];
            };
            if (n > 0) for (let i = 0; i < chunk.length; i += n) close(chunk.slice(i, i + n));
            else close(chunk);
            for (const o of outs) emit(o);
          },
        };
      },
    };
  },
};
