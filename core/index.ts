// The portable engine's public surface. Adapters and functions import from here only.
export type * from './ast/nodes';
export * from './errors/millrace-error';
export { parseApp, parseOnDemandQuery, parseExpression } from './parser';
export { compileApp, type CompileOptions } from './compile';
export { planApp, planOnDemand } from './planner/plan-app';
export type { AppPlan, QueryPlan, OutputPlan, OnDemandPlan, SinkPlan } from './plan/plan';
export type { StreamSchema, AttributeSchema } from './plan/schema';
export { AppRuntime, type SplitSnapshot, type QueryResult, type RuntimeSnapshot, type StreamListener, type RuntimeOptions, type MissingState } from './runtime/app-runtime';
export { EventKind, type StreamEvent, type Value } from './kernel/event';
export { toOutputJson, jsonText } from './state/value-codec';
export * from './state';
export { StateRegistry, type StateSpec, type StateCell, type RestoreReport } from './state/state-spec';
export {
  runInvocation,
  runReadQuery,
  type ReadQueryRequest,
  type ReadQueryResult,
  runBatches,
  DEFAULT_BATCH_RECORDS,
  DEFAULT_CONFLICT_DEADLINE_MS,
  appUnitKey,
  subUnitKey,
  sourceUnitKey,
  type SourceUnit,
  PublishedOutboxes,
  MESSAGE_ID_WINDOW,
  type InputRecord,
  type RecordSource,
  type OutputEvent,
  type InvocationRequest,
  type InvocationResult,
  type BatchRunRequest,
  type BatchRunResult,
} from './invocation';
export { silentLogger, memoryLogger, type Logger } from './io/logger';
export { parseJsonExact } from './io/json-exact';
export * from './io/mappers';
export { recordsOfPayload, recordsOfDecoded, MappingError, type PayloadContext } from './invocation/payload-records';
export { sinkPayloads, type SinkPayload } from './invocation/sink-payloads';
export { parseJavaLong } from './kernel/java-text';
export { JAVA_LIMITS } from './kernel/java-num';
export { scalarFunctions, aggregateFunctions, streamFunctions, windowFunctions } from './builtins';
