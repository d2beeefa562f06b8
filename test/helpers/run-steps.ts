import { AppRuntime, compileApp, type RuntimeSnapshot, type Value } from '../../core';

/** An event `[stream, time, data]`, or a number: a move of the clock alone. */
export type Step = number | [string, number, Value[]];
export type Row = [string, number, Value[]];

/**
 * Runs steps through an app and collects the events of `outputs` as `[stream, time, data]`.
 * With `restoreEachStep`, the runtime is rebuilt from a JSON copy of its snapshot after every
 * step (as one invocation per event would), and every stored state must be restored.
 */
export function runSteps(app: string, outputs: readonly string[], steps: readonly Step[], restoreEachStep: boolean): Row[] {
  const plan = compileApp(app);
  const out: Row[] = [];
  const fresh = (snap?: RuntimeSnapshot) => {
    const rt = new AppRuntime(plan);
    if (snap) expect(rt.restore(JSON.parse(JSON.stringify(snap)) as RuntimeSnapshot)).toEqual({ unknown: [], versionChanged: [] });
    for (const s of outputs) rt.subscribe(s, (_s, es) => es.forEach(e => out.push([s, e.timestamp, e.data])));
    return rt;
  };
  let rt = fresh();
  for (const step of steps) {
    if (typeof step === 'number') rt.advanceTime(step);
    else rt.send(...step);
    if (restoreEachStep) rt = fresh(rt.snapshot());
  }
  return out;
}

/** `runSteps` for one output stream, as `[time, data]`. */
export function runOut(app: string, steps: readonly Step[], restoreEachStep: boolean, output = 'Out'): [number, Value[]][] {
  return runSteps(app, [output], steps, restoreEachStep).map(([, t, d]) => [t, d]);
}
