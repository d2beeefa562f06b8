import { aggregationCases } from './diagnostics/aggregations';
import { annotationCases } from './diagnostics/annotations';
import type { DiagnosticCase } from './diagnostics/case';
import { definitionCases } from './diagnostics/definitions';
import { expressionCases } from './diagnostics/expressions';
import { joinCases } from './diagnostics/joins';
import { mapperCases } from './diagnostics/mappers';
import { onDemandCases } from './diagnostics/on-demand';
import { outputCases } from './diagnostics/outputs';
import { partitionCases } from './diagnostics/partitions';
import { patternCases } from './diagnostics/patterns';
import { queryInputCases } from './diagnostics/query-inputs';
import { selectorCases } from './diagnostics/selector';

export type { DiagnosticCase } from './diagnostics/case';

/**
 * Every diagnostic case, from every `<area>-diagnostics.test.ts` (each tests its own list); the
 * completeness test runs them all and checks that they cover every message the planner can emit.
 */
export const cases: readonly DiagnosticCase[] = [
  ...definitionCases,
  ...annotationCases,
  ...mapperCases,
  ...queryInputCases,
  ...joinCases,
  ...selectorCases,
  ...outputCases,
  ...partitionCases,
  ...aggregationCases,
  ...onDemandCases,
  ...patternCases,
  ...expressionCases,
];
