import { CronError } from '../errors/millrace-error';

/**
 * Quartz cron expressions, evaluated in UTC on the event clock:
 * `sec min hour day-of-month month day-of-week [year]`, with `*`, `?`, `a-b`, `a,b`, `*\/n`,
 * `a/n`, month and weekday names, `L` (last day of month; `nL` last weekday n of the month),
 * `W` (nearest weekday to a day of month, `LW`) and `#` (`6#3`: third Friday).
 *
 * @example
 *   const c = parseCron('0 15 10 ? * MON-FRI');
 *   c.next(Date.UTC(2026, 10, 24, 12)) // 10:15:00 the next weekday
 */
export interface Cron {
  /** The first firing strictly after `after` (ms), or null when there is none within 100 years. */
  next(after: number): number | null;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Value of the first name (JAN = 1, SUN = 1 in Quartz). */
  readonly nameBase?: number;
}

const FIELDS: Field[] = [
  { name: 'seconds', min: 0, max: 59 },
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, nameBase: 1 },
  { name: 'year', min: 1970, max: 2199 },
];

function value(field: Field, text: string): number {
  const up = text.toUpperCase();
  const named = field.names?.indexOf(up) ?? -1;
  const v = named >= 0 ? named + field.nameBase! : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(v) || v < field.min || v > field.max)
    throw new CronError(`'${text}' is not a valid ${field.name} value (${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''})`);
  return v;
}

/** The set of values a plain field allows (no L, W, #). */
function values(field: Field, text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`'${part}': the step of ${field.name} must be a positive integer`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [field.min, field.max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [value(field, a), value(field, b)];
    } else {
      lo = value(field, range);
      hi = stepText === undefined ? lo : field.max;
    }
    if (lo <= hi) for (let v = lo; v <= hi; v += step) out.add(v);
    else {
      // Wrapping ranges such as FRI-MON or 22-2.
      const span = field.max - field.min + 1;
      for (let k = 0; k <= hi + span - lo; k += step) out.add(((lo - field.min + k) % span) + field.min);
    }
  }
  return out;
}

type DayRule = (year: number, month: number, day: number, weekday: number, daysInMonth: number) => boolean;

function dayOfMonthRule(text: string): DayRule | null {
  if (text === '?') return null;
  if (text === 'L') return (_y, _m, d, _w, n) => d === n;
  if (/^L-\d+$/.test(text)) {
    const off = Number(text.slice(2));
    return (_y, _m, d, _w, n) => d === n - off;
  }
  if (text === 'LW')
    return (_y, _m, d, w, n) => {
      const lastW = new Date(Date.UTC(_y, _m - 1, n)).getUTCDay();
      const target = lastW === 0 ? n - 2 : lastW === 6 ? n - 1 : n;
      return d === target && w >= 2 && w <= 6;
    };
  if (/^\d+W$/.test(text)) {
    const want = value(FIELDS[3], text.slice(0, -1));
    return (y, m, d, _w, n) => {
      const day = Math.min(want, n);
      const wd = new Date(Date.UTC(y, m - 1, day)).getUTCDay();
      let target = day;
      if (wd === 6) target = day === 1 ? 3 : day - 1;
      else if (wd === 0) target = day === n ? day - 2 : day + 1;
      return d === target;
    };
  }
  const set = values(FIELDS[3], text);
  return (_y, _m, d) => set.has(d);
}

function dayOfWeekRule(text: string): DayRule | null {
  if (text === '?') return null;
  const field = FIELDS[5];
  if (/^[A-Za-z0-9]+L$/.test(text)) {
    const want = value(field, text.slice(0, -1));
    return (_y, _m, d, w, n) => w === want && d + 7 > n;
  }
  if (text.includes('#')) {
    const [a, b] = text.split('#');
    const want = value(field, a);
    const nth = Number(b);
    if (!Number.isInteger(nth) || nth < 1 || nth > 5) throw new CronError(`'${text}': the number after # must be 1 to 5`);
    return (_y, _m, d, w) => w === want && Math.ceil(d / 7) === nth;
  }
  const set = values(field, text);
  return (_y, _m, _d, w) => set.has(w);
}

export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length < 6 || parts.length > 7)
    throw new CronError(`a cron expression has 6 or 7 fields (sec min hour day-of-month month day-of-week [year]), '${expression}' has ${parts.length}`);
  const [secT, minT, hourT, domRaw, monT, dowRaw, yearT] = parts;
  // Quartz wants '?' in one of the two day fields; a '*' there means the same thing.
  let [domT, dowT] = [domRaw, dowRaw];
  if (domT !== '?' && dowT !== '?') {
    if (dowT === '*') dowT = '?';
    else if (domT === '*') domT = '?';
    else throw new CronError(`'${expression}': give '?' in day-of-month or in day-of-week; both days cannot be constrained`);
  }
  const secs = [...values(FIELDS[0], secT)].sort((a, b) => a - b);
  const mins = [...values(FIELDS[1], minT)].sort((a, b) => a - b);
  const hours = [...values(FIELDS[2], hourT)].sort((a, b) => a - b);
  const months = values(FIELDS[4], monT);
  const years = yearT === undefined ? null : values(FIELDS[6], yearT);
  const domRule = dayOfMonthRule(domT);
  const dowRule = dayOfWeekRule(dowT);
  const dayMatches: DayRule = (y, m, d, w, n) => (domRule ? domRule(y, m, d, w, n) : true) && (dowRule ? dowRule(y, m, d, w, n) : true);

  /** First (h, m, s) on a day at or after `from` seconds into the day, or null. */
  const firstTime = (fromSec: number): number | null => {
    for (const h of hours) {
      if (h * 3600 + 3599 < fromSec) continue;
      for (const mi of mins) {
        if (h * 3600 + mi * 60 + 59 < fromSec) continue;
        for (const s of secs) {
          const t = h * 3600 + mi * 60 + s;
          if (t >= fromSec) return t;
        }
      }
    }
    return null;
  };

  return {
    next(after: number): number | null {
      const start = Math.floor(after / 1000) * 1000 + 1000;
      const day0 = Math.floor(start / 86_400_000);
      let fromSec = (start - day0 * 86_400_000) / 1000;
      for (let day = day0; day < day0 + 366 * 100; day++, fromSec = 0) {
        const date = new Date(day * 86_400_000);
        const y = date.getUTCFullYear();
        const m = date.getUTCMonth() + 1;
        if (years && !years.has(y)) {
          if (y > Math.max(...years)) return null;
          continue;
        }
        if (!months.has(m)) continue;
        const d = date.getUTCDate();
        const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
        if (!dayMatches(y, m, d, date.getUTCDay() + 1, n)) continue;
        const t = firstTime(fromSec);
        if (t !== null) return day * 86_400_000 + t * 1000;
      }
      return null;
    },
  };
}
