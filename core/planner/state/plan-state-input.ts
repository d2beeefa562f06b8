import type { StateInput } from '../../ast/nodes';
import type { PlannedStateInput, StatePlannerEnv } from './state-plan';

/**
 * Plans a pattern (`->`) or sequence (`,`) query input.
 */
export function planStateInput(input: StateInput, env: StatePlannerEnv): PlannedStateInput | null {
  env.notSupported(input.pos, input.type === 'pattern' ? 'pattern' : 'sequence');
  return null;
}
