import { CronError } from '../../../core/errors/millrace-error';
import { parseCron } from '../../../core/kernel/cron';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('Quartz cron on the event clock (UTC)', () => {
  test.each([
    ['*/5 * * * * ?', '2026-11-24T10:00:03.500Z', '2026-11-24T10:00:05.000Z'],
    ['0 * * * * ?', '2026-11-24T10:00:00.000Z', '2026-11-24T10:01:00.000Z'],
    ['0 15 10 ? * MON-FRI', '2026-11-28T12:00:00.000Z', '2026-11-30T10:15:00.000Z'],
    ['0 0 12 1/5 * ?', '2026-11-02T00:00:00.000Z', '2026-11-06T12:00:00.000Z'],
    ['0 0 0 L * ?', '2026-02-10T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
    ['0 0 0 ? * 6L', '2026-11-01T00:00:00.000Z', '2026-11-27T00:00:00.000Z'],
    ['0 0 0 ? * 6#3', '2026-11-01T00:00:00.000Z', '2026-11-20T00:00:00.000Z'],
    ['0 0 0 15W * ?', '2026-11-01T00:00:00.000Z', '2026-11-16T00:00:00.000Z'],
    ['0 0 0 1 JAN ? 2030', '2026-11-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'],
    ['0 30 22-2 * * ?', '2026-11-24T23:45:00.000Z', '2026-11-25T00:30:00.000Z'],
    ['0 0 0 29 2 ?', '2026-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
  ])('%s after %s is %s', (expr, after, next) => {
    expect(iso(parseCron(expr).next(at(after)))).toBe(next);
  });

  test('a year range that has passed never fires again', () => {
    expect(parseCron('0 0 0 1 1 ? 2020').next(at('2026-01-01T00:00:00Z'))).toBeNull();
  });

  test.each([
    ['* * * *', '6 or 7 fields'],
    ['0 0 0 1 * MON', "give '?'"],
    ['61 * * * * ?', "'61' is not a valid seconds value"],
    ['0 0 0 ? * FOO', "'FOO' is not a valid day-of-week value"],
    ['*/0 * * * * ?', 'step of seconds must be a positive integer'],
  ])('rejects %s', (expr, message) => {
    expect(() => parseCron(expr)).toThrow(CronError);
    expect(() => parseCron(expr)).toThrow(message);
  });
});
