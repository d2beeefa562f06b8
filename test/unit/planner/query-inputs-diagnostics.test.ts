import { testCases } from './diagnostics/case';
import { queryInputCases } from './diagnostics/query-inputs';

describe('query input diagnostics', () => testCases(queryInputCases));
