import type { Logger } from '../io/logger';
import type { AppPlan } from '../plan/plan';
import type { StateStore } from '../state/state-store';
import type { InputRecord, InvocationRequest, OutputEvent } from './invocation-types';
import type { PublishedOutboxes } from './published-outboxes';
import { appUnitKey } from './unit-keys';

/** An invocation request with its defaults filled in. */
export interface InvocationContext {
  readonly plan: AppPlan;
  readonly store: StateStore;
  readonly unitKey: string;
  readonly records: readonly InputRecord[];
  readonly queries: readonly string[];
  readonly outputStreams: ReadonlySet<string>;
  readonly logger?: Logger;
  readonly publish?: (outputs: readonly OutputEvent[]) => Promise<void>;
  readonly published?: PublishedOutboxes;
  readonly progress?: (recordsDone: number, recordsTotal: number) => void;
  readonly rewind: readonly string[];
  readonly maxAttempts: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export const defaultSleep = (ms: number): Promise<void> => {
  const st = (globalThis as unknown as { setTimeout?: (f: () => void, ms: number) => unknown }).setTimeout;
  return new Promise(resolve => (st ? st(resolve, ms) : resolve()));
};

export function invocationContext(req: InvocationRequest): InvocationContext {
  return {
    ...req,
    unitKey: req.unitKey ?? appUnitKey(req.plan.name),
    queries: req.queries ?? [],
    rewind: req.rewind ?? [],
    maxAttempts: req.maxAttempts ?? 8,
    sleep: req.sleep ?? defaultSleep,
    random: req.random ?? Math.random,
  };
}
