import { EventKind } from '../kernel/event';
import { decodeRow } from '../state/value-codec';
import type { OutputEvent } from './invocation-types';
import type { PublishedOutboxes } from './published-outboxes';
import type { StoredOutbox } from './source-units';

export interface PublishTarget {
  readonly publish?: (outputs: readonly OutputEvent[]) => Promise<void>;
  readonly published?: PublishedOutboxes;
}

/** Step 6: publishes what was committed as the outbox of version `version` of unit `unitKey`. */
export async function publishStep(target: PublishTarget, unitKey: string, outputs: readonly OutputEvent[], version: number): Promise<void> {
  if (!target.publish) return;
  await target.publish(outputs);
  target.published?.add(unitKey, version);
}

/**
 * Step 6 of the invocation that wrote the loaded unit may not have finished (a crash between
 * commit and publish): its outbox is published again unless this process knows it was.
 */
export async function republishOutbox(target: PublishTarget, unitKey: string, version: number, outbox: StoredOutbox): Promise<void> {
  if (!outbox.length || !target.publish || target.published?.has(unitKey, version)) return;
  const outputs = outbox.map(([id, stream, time, row]) => ({ id, stream, event: { timestamp: time, data: decodeRow(row), type: EventKind.CURRENT } }));
  await publishStep(target, unitKey, outputs, version);
}
