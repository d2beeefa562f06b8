import type { StreamEvent } from '../../kernel/event';
import { decodeRow, encodeRow } from '../../state/value-codec';
import type { Json } from '../../state/json';
import type { StateSpec } from '../../state/state-spec';
import { array, event } from '../../state/shape';

/** Events held by a window, stored once each as `[timestamp, row]`. */
export const eventListSpec: StateSpec<StreamEvent[]> = {
  version: 1,
  shape: array(event()),
  create: () => [],
  snapshot: es => es.map(e => [e.timestamp, encodeRow(e.data)]) as Json,
  restore: j => (j as [number, Json[]][]).map(([t, d]) => ({ timestamp: t, data: decodeRow(d), type: 0 })),
};

export function expiredCopy(e: StreamEvent, timestamp: number): StreamEvent {
  return { timestamp, data: e.data, type: 1 };
}

export const RESET_TEMPLATE = (timestamp: number): StreamEvent => ({ timestamp, data: [], type: 2 });
