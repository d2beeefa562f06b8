import type { StreamEvent } from '../kernel/event';
import type { StreamSchema } from '../plan/schema';

/** Takes a chunk of events: the one shape every stage of a pipeline has to the stage before it. */
export type Receiver = (chunk: StreamEvent[]) => void;

/**
 * A stream's bus (Siddhi's StreamJunction): every chunk sent on it goes to each receiver in the
 * order they subscribed. A receiver that throws has failed on those events: the failure goes to
 * `onError` (the stream's `@OnError` handling) and the other receivers still get the chunk.
 */
export class Junction {
  readonly receivers: Receiver[] = [];

  constructor(
    readonly schema: StreamSchema,
    private readonly onError: (j: Junction, chunk: StreamEvent[], err: unknown) => void,
  ) {}

  send(chunk: StreamEvent[]): void {
    const rs = this.receivers;
    for (let i = 0; i < rs.length; i++) {
      try {
        rs[i](chunk);
      } catch (err) {
        this.onError(this, chunk, err);
      }
    }
  }
}
