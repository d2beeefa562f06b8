import { AppRuntime, compileApp, memoryLogger, type Value } from '../../core';

/** Compiles an app, sends `[stream, time, data]` events, returns every event of the named outputs. */
export function runApp(app: string, events: [string, number, Value[]][], outputs: string[]) {
  const plan = compileApp(app);
  const logger = memoryLogger();
  const rt = new AppRuntime(plan, { logger });
  const out: { stream: string; time: number; data: Value[] }[] = [];
  for (const s of outputs) rt.subscribe(s, (stream, es) => es.forEach(e => out.push({ stream, time: e.timestamp, data: e.data })));
  for (const [s, t, d] of events) rt.send(s, t, d);
  return { out, logger, rt };
}
