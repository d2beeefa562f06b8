/**
 * Real time for the retry loops of core's chunked stores: setTimeout and Math.random.
 *
 * @example
 *   new DynamoDBStateStore(client, { tableName, timing: nodeTiming }); // the default
 */
import type { RetryTiming } from '../../core';

export const nodeTiming: RetryTiming = {
  sleep: ms => new Promise<void>(resolve => setTimeout(resolve, ms)),
  random: () => Math.random(),
};
