import { testCases } from './diagnostics/case';
import { partitionCases } from './diagnostics/partitions';

describe('partition diagnostics', () => testCases(partitionCases));
