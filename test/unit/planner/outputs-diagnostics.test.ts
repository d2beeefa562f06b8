import { testCases } from './diagnostics/case';
import { outputCases } from './diagnostics/outputs';

describe('output and rate diagnostics', () => testCases(outputCases));
