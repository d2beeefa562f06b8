/**
 * Which committed outboxes this process has published (per unit and version), so that a warm
 * function does not publish them again; after a cold start the outbox is published again.
 */
export class PublishedOutboxes {
  private readonly done = new Map<string, number>();
  has(unitKey: string, version: number): boolean {
    return this.done.get(unitKey) === version;
  }
  add(unitKey: string, version: number): void {
    this.done.set(unitKey, version);
  }
}
