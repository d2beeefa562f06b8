import { annotationCases } from './diagnostics/annotations';
import { testCases } from './diagnostics/case';

describe('annotation diagnostics', () => testCases(annotationCases));
