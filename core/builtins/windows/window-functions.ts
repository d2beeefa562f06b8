import type { WindowFunction } from '../descriptor';
import { lengthBatchWindow } from './length-batch-window';
import { lengthWindow } from './length-window';

/** Core windows by name. */
export const windowFunctions: ReadonlyMap<string, WindowFunction> = new Map([lengthWindow, lengthBatchWindow].map(w => [w.name, w]));
