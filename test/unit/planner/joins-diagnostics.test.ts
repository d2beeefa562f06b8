import { testCases } from './diagnostics/case';
import { joinCases } from './diagnostics/joins';

describe('join diagnostics', () => testCases(joinCases));
