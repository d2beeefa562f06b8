/** Durations as annotations write them (`@purge(interval='10 sec')`, `@retentionPeriod(sec='120 sec')`). */

const UNIT_MS: Record<string, number> = {
  ms: 1, millisec: 1, millisecond: 1, milliseconds: 1, millis: 1,
  sec: 1000, second: 1000, seconds: 1000, s: 1000,
  min: 60_000, minute: 60_000, minutes: 60_000, m: 60_000,
  hour: 3_600_000, hours: 3_600_000, h: 3_600_000,
  day: 86_400_000, days: 86_400_000, d: 86_400_000,
};

/** '10 sec', '1 hour', '500' (ms) in annotation values. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2].toLowerCase() || 'ms';
  const f = UNIT_MS[unit];
  return f === undefined ? undefined : Number(m[1]) * f;
}
