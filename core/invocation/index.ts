/**
 * One invocation of an app (DESIGN.md section 3): the entry point every function calls, with the
 * names of the app's state units and the redelivery loop of a local run.
 */
export { runInvocation } from './invocation-runner';
export { runReadQuery, type ReadQueryRequest, type ReadQueryResult } from './read-query';
export { DEFAULT_BATCH_RECORDS, DEFAULT_CONFLICT_DEADLINE_MS, runBatches, type BatchRunRequest, type BatchRunResult } from './run-batches';
export { PublishedOutboxes } from './published-outboxes';
export { MESSAGE_ID_WINDOW } from './checkpoints';
export { appUnitKey, subUnitKey } from './unit-keys';
export { sourceUnitKey, type SourceUnit } from './source-units';
export type { InputRecord, RecordSource, OutputEvent, InvocationRequest, InvocationResult } from './invocation-types';
