/**
 * State storage: the StateStore port, the snapshot codec and the in-memory store. Stores that
 * need the platform (files, databases) live in adapters/.
 *
 * @example
 *   import { MemoryStateStore, encodeUnit, type StateStore } from '../state';
 */
export type { Json } from './json';
export type { RowWrite, StateStore, StateStoreStats, StoredRow, StoredUnit, UnitWrite } from './state-store';
export { checkDueQuery, checkRowWrites, checkUnitWrites, ROW_KEY } from './state-store';
export { decodeUnit, encodeUnit } from './snapshot-codec';
export { MemoryStateStore } from './memory-state-store';
export type { ChunkRecord, ChunkedStoreOptions, Compression, Known, PlannedCommit, RecordId, RetryTiming, StoreNames, UnitRead, UnitRecord } from './chunked-store';
export { ChunkedStateStore, escapeKey, hashedId, keyOfId, KnownVersions, splitBytes, storeError, unescapeKey } from './chunked-store';
export { sha256Hex, utf8Decode, utf8Encode } from './bytes';
