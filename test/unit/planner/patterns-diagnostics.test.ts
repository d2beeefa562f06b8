import { testCases } from './diagnostics/case';
import { patternCases } from './diagnostics/patterns';

describe('pattern and sequence diagnostics', () => testCases(patternCases));
