import { EngineUsageError } from '../errors/millrace-error';
import type { BuiltinDoc } from './descriptor';

/** A family's builtins by name; two with one name are a bug of the registry. */
export function registry<B extends BuiltinDoc>(builtins: readonly B[]): ReadonlyMap<string, B> {
  const byName = new Map<string, B>();
  for (const b of builtins) {
    if (byName.has(b.name)) throw new EngineUsageError(`two ${b.kind} builtins are named '${b.name}'`);
    byName.set(b.name, b);
  }
  return byName;
}
