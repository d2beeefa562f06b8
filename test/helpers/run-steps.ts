import { AppRuntime, compileApp, type Logger, type RuntimeSnapshot, type Value } from '../../core';

export type Row = [string, number, Value[]];
/**
 * An event `[stream, time, data]`; several events of one stream sent as one chunk (one record
 * holding several events); or a number: a move of the clock alone.
 */
export type Step = number | Row | Row[];

/**
 * Runs steps through an app and collects the events of `outputs` as `[stream, time, data]`.
 * With `restoreEachStep`, the runtime is rebuilt from a JSON copy of its snapshot after every
 * step (as one invocation per event would), and every stored state must be restored.
 */
export function runSteps(app: string, outputs: readonly string[], steps: readonly Step[], restoreEachStep: boolean, logger?: Logger): Row[] {
  const plan = compileApp(app);
  const out: Row[] = [];
  const fresh = (snap?: RuntimeSnapshot) => {
    const rt = new AppRuntime(plan, { logger });
    if (snap) expect(rt.restore(JSON.parse(JSON.stringify(snap)) as RuntimeSnapshot)).toEqual({ unknown: [], versionChanged: [] });
    for (const s of outputs) rt.subscribe(s, (_s, es) => es.forEach(e => out.push([s, e.timestamp, e.data])));
    return rt;
  };
  let rt = fresh();
  for (const step of steps) {
    if (typeof step === 'number') rt.advanceTime(step);
    else if (Array.isArray(step[0])) {
      const rows = step as Row[];
      rt.sendChunk(rows[0][0], rows.map(([, t, d]) => ({ timestamp: t, data: d, type: 0 })));
    } else rt.send(...(step as Row));
    if (restoreEachStep) rt = fresh(rt.snapshot());
  }
  return out;
}

/** `runSteps` for one output stream, as `[time, data]`. */
export function runOut(app: string, steps: readonly Step[], restoreEachStep: boolean, output = 'Out'): [number, Value[]][] {
  return runSteps(app, [output], steps, restoreEachStep).map(([, t, d]) => [t, d]);
}

/** The query twice: arrivals into Cur, expiries into Exp (output streams do not keep the event type). */
export function splitCurrentExpired(definition: string, query: string): string {
  return `${definition}\n${query} insert current events into Cur;\n${query} insert expired events into Exp;`;
}
