import { testCases } from './diagnostics/case';
import { expressionCases } from './diagnostics/expressions';

describe('expression diagnostics', () => testCases(expressionCases));
