import type { WindowFunction } from '../descriptor';
import { registry } from '../registry';
import { batchWindow } from './batch-window';
import { expressionBatchWindow } from './expression-batch-window';
import { expressionWindow } from './expression-window';
import { externalTimeBatchWindow } from './external-time-batch-window';
import { externalTimeWindow } from './external-time-window';
import { frequentWindow } from './frequent-window';
import { lengthBatchWindow } from './length-batch-window';
import { lengthWindow } from './length-window';
import { lossyFrequentWindow } from './lossy-frequent-window';
import { sortWindow } from './sort-window';
import { delayWindow } from './delay-window';
import { sessionWindow } from './session-window';
import { cronWindow } from './cron-window';
import { timeBatchWindow } from './time-batch-window';
import { timeLengthWindow } from './time-length-window';
import { timeWindow } from './time-window';

/** Core windows by name. */
export const windowFunctions: ReadonlyMap<string, WindowFunction> = registry([
  lengthWindow,
  lengthBatchWindow,
  externalTimeWindow,
  externalTimeBatchWindow,
  batchWindow,
  sortWindow,
  expressionWindow,
  expressionBatchWindow,
  frequentWindow,
  lossyFrequentWindow,
  timeWindow,
  timeBatchWindow,
  timeLengthWindow,
  delayWindow,
  sessionWindow,
  cronWindow,
]);
