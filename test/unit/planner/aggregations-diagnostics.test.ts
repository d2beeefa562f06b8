import { testCases } from './diagnostics/case';
import { aggregationCases } from './diagnostics/aggregations';

describe('aggregation diagnostics', () => testCases(aggregationCases));
