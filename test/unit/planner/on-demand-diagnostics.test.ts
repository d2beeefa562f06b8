import { testCases } from './diagnostics/case';
import { onDemandCases } from './diagnostics/on-demand';

describe('on-demand query diagnostics', () => testCases(onDemandCases));
