import type { TimeUnit } from '../ast/nodes';
import type { Value } from './event';

/**
 * Calendar time as incremental aggregations read it: UTC buckets per duration, `per` names,
 * `within` ranges and Siddhi's `yyyy-MM-dd HH:mm:ss` time strings.
 */

const MS: Partial<Record<TimeUnit, number>> = { SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 };

/** Start of the calendar bucket (UTC) of `unit` that holds `t`. */
export function bucketStart(unit: TimeUnit, t: number): number {
  const ms = MS[unit];
  if (ms) return Math.floor(t / ms) * ms;
  const d = new Date(t);
  return unit === 'MONTHS' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) : Date.UTC(d.getUTCFullYear(), 0, 1);
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucket(unit: TimeUnit, start: number): number {
  const ms = MS[unit];
  if (ms) return start + ms;
  const d = new Date(start);
  return unit === 'MONTHS' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) : Date.UTC(d.getUTCFullYear() + 1, 0, 1);
}

/** Parses `yyyy-MM-dd HH:mm:ss` with an optional ` +HH:MM` offset (GMT without), to ms. */
export function parseAggregationTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const off = m[7] ? (m[7] === '+' ? 1 : -1) * (+m[8] * 60 + +m[9]) * 60_000 : 0;
  return t - off;
}

/**
 * The `within` range of a read: two bounds (ms or time strings), or one string with `**`
 * wildcards for the trailing fields (`2014-02-15 **:**:**` is that whole day).
 */
export function withinRange(start: Value, end: Value | undefined): [number, number] | string {
  const asTime = (v: Value): number | string => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const t = parseAggregationTime(v);
      return t === null ? `Incorrect format provided for within clause: '${v}'` : t;
    }
    return `within needs times as long milliseconds or 'yyyy-MM-dd HH:mm:ss' strings, found ${typeof v === 'bigint' ? v : JSON.stringify(v)}`;
  };
  if (end !== undefined) {
    const a = asTime(start);
    const b = asTime(end);
    if (typeof a === 'string') return a;
    if (typeof b === 'string') return b;
    if (a >= b) return `within: the start (${a}) must be before the end (${b})`;
    return [a, b];
  }
  if (typeof start !== 'string') return 'within with one value needs a pattern such as "2014-02-15 **:**:**"';
  const m = /^(\d{4}|\*\*)-(\d{2}|\*\*)-(\d{2}|\*\*) (\d{2}|\*\*):(\d{2}|\*\*):(\d{2}|\*\*)(?: ([+-])(\d{2}):(\d{2}))?$/.exec(start.trim());
  if (!m) return `Incorrect format provided for within clause: '${start}'`;
  const fields = m.slice(1, 7);
  const firstWild = fields.indexOf('**');
  if (firstWild < 0) return `within with one value needs '**' wildcards, found '${start}'`;
  if (firstWild === 0 || fields.slice(firstWild).some(f => f !== '**')) return `Incorrect format provided for within clause: '${start}' (wildcards must cover the trailing fields)`;
  const nums = fields.map((f, i) => (f === '**' ? (i === 1 || i === 2 ? 1 : 0) : Number(f)));
  const off = m[7] ? (m[7] === '+' ? 1 : -1) * (+m[8] * 60 + +m[9]) * 60_000 : 0;
  const from = Date.UTC(nums[0], nums[1] - 1, nums[2], nums[3], nums[4], nums[5]);
  const units: TimeUnit[] = ['YEARS', 'MONTHS', 'DAYS', 'HOURS', 'MINUTES'];
  const unit = units[firstWild - 1];
  return [from - off, nextBucket(unit, from) - off];
}

/** Maps `per` values ('sec', 'minutes', 'HOURS', ...) to durations. */
export function perUnit(v: Value): TimeUnit | null {
  if (typeof v !== 'string') return null;
  const k = v.trim().toLowerCase();
  if (['sec', 'second', 'seconds'].includes(k)) return 'SECONDS';
  if (['min', 'minute', 'minutes'].includes(k)) return 'MINUTES';
  if (['h', 'hour', 'hours'].includes(k)) return 'HOURS';
  if (['day', 'days'].includes(k)) return 'DAYS';
  if (['month', 'months'].includes(k)) return 'MONTHS';
  if (['year', 'years'].includes(k)) return 'YEARS';
  return null;
}
