import { testCases } from './diagnostics/case';
import { definitionCases } from './diagnostics/definitions';

describe('definition diagnostics', () => testCases(definitionCases));
