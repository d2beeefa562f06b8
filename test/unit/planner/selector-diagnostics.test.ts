import { testCases } from './diagnostics/case';
import { selectorCases } from './diagnostics/selector';

describe('selector diagnostics', () => testCases(selectorCases));
