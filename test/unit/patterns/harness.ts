import { AppRuntime, compileApp, type RuntimeSnapshot, type Value } from '../../../core';

/** A step of a scenario: an event `[stream, data]`, or a pause of `n` ms of event time. */
export type Step = [string, Value[]] | number;

export interface Emitted {
  readonly time: number;
  readonly data: Value[];
}

export const THREE_STREAMS = `
define stream Stream1 (symbol string, price float, volume int);
define stream Stream2 (symbol string, price float, volume int);
define stream Stream3 (symbol string, price float, volume int);
define stream Stream4 (symbol string, price float, volume int);
`;

/**
 * Plays a scenario the way Siddhi's own (wall-clock) tests do: the app starts at time 0, events
 * are sent at the current time, and a pause lets every timer due within it fire at its own time.
 * With `restoreEachStep`, the runtime is rebuilt from a JSON snapshot before every step, as
 * `millrace run --batch-size 1` does.
 */
export function play(app: string, steps: Step[], output = 'OutputStream', restoreEachStep = false): Emitted[] {
  const plan = compileApp(app);
  const out: Emitted[] = [];
  let rt = new AppRuntime(plan);
  const listen = (r: AppRuntime) => r.subscribe(output, (_s, es) => es.forEach(e => out.push({ time: e.timestamp, data: e.data })));
  listen(rt);
  let now = 0;
  for (const step of steps) {
    if (restoreEachStep) {
      const snap = JSON.parse(JSON.stringify(rt.snapshot())) as RuntimeSnapshot;
      rt = new AppRuntime(plan);
      rt.restore(snap);
      listen(rt);
    }
    if (typeof step === 'number') {
      const until = now + step;
      for (let due = rt.nextDue(); due !== null && due <= until; due = rt.nextDue()) {
        rt.advanceTime(due);
        if (rt.nextDue() === due) break;
      }
      rt.advanceTime(until);
      now = until;
    } else rt.send(step[0], now, step[1]);
  }
  return out;
}

/** Plays both ways and checks they agree; returns the data of what came out. */
export function outputs(app: string, steps: Step[], output = 'OutputStream'): Value[][] {
  const straight = play(app, steps, output);
  const restored = play(app, steps, output, true);
  expect(restored).toEqual(straight);
  return straight.map(e => e.data);
}

/** A Siddhi stock event. */
export const ev = (symbol: string, price: number, volume = 100): Value[] => [symbol, price, volume];
