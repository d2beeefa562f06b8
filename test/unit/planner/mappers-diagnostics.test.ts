import { mapperCases } from './diagnostics/mappers';
import { testCases } from './diagnostics/case';

describe('mapper diagnostics', () => testCases(mapperCases));
