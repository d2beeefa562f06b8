import { EventKind } from '../kernel/event';
import { decodeRow } from '../state/value-codec';
import type { OutputEvent } from './invocation-types';
import type { GlobalUnit } from './global-unit';
import type { PublishedOutboxes } from './published-outboxes';

export interface PublishTarget {
  readonly unitKey: string;
  readonly publish?: (outputs: readonly OutputEvent[]) => Promise<void>;
  readonly published?: PublishedOutboxes;
}

/** Step 6: publishes what was committed in version `version` of the global unit. */
export async function publishStep(target: PublishTarget, outputs: readonly OutputEvent[], version: number): Promise<void> {
  if (!target.publish) return;
  await target.publish(outputs);
  target.published?.add(target.unitKey, version);
}

/**
 * Step 6 of the invocation that wrote the loaded unit may not have finished (a crash between
 * commit and publish): its outbox is published again unless this process knows it was.
 */
export async function republishOutbox(target: PublishTarget, version: number, unit: GlobalUnit): Promise<void> {
  if (!unit.outbox?.length || !target.publish || target.published?.has(target.unitKey, version)) return;
  const outputs = unit.outbox.map(([id, stream, time, row]) => ({ id, stream, event: { timestamp: time, data: decodeRow(row), type: EventKind.CURRENT } }));
  await publishStep(target, outputs, version);
}
