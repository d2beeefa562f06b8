import type { StreamEvent } from '../../kernel/event';
import { decodeRow, encodeRow } from '../../state/value-codec';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { array, event } from '../../state/shape';

/**
 * First-in first-out events with O(1) removal from the front (Array#shift is O(n) on large
 * windows). Snapshots hold each live event once, as `[timestamp, row]`.
 */
export class EventQueue {
  private items: StreamEvent[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(e: StreamEvent): void {
    this.items.push(e);
  }

  peek(): StreamEvent | undefined {
    return this.items[this.head];
  }

  shift(): StreamEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head];
    this.items[this.head++] = undefined as unknown as StreamEvent;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  toArray(): StreamEvent[] {
    return this.items.slice(this.head);
  }

  static from(events: StreamEvent[]): EventQueue {
    const q = new EventQueue();
    q.items = events;
    return q;
  }
}

export const eventQueueSpec: StateSpec<EventQueue> = {
  version: 1,
  shape: array(event()),
  create: () => new EventQueue(),
  snapshot: q => q.toArray().map(e => [e.timestamp, encodeRow(e.data)]) as Json,
  restore: j => EventQueue.from((j as [number, Json[]][]).map(([t, d]) => ({ timestamp: t, data: decodeRow(d), type: 0 }))),
};
