import type { Logger } from '../io/logger';

/**
 * Holds what a run logs until it is committed: a run redone (a conflict, more state to load, a
 * shorter prefix) would otherwise log its errors and `#log` lines twice.
 */
export class BufferedLogger implements Logger {
  private readonly lines: [keyof Logger, string][] = [];
  debug(m: string): void {
    this.lines.push(['debug', m]);
  }
  info(m: string): void {
    this.lines.push(['info', m]);
  }
  warn(m: string): void {
    this.lines.push(['warn', m]);
  }
  error(m: string): void {
    this.lines.push(['error', m]);
  }
  flushTo(logger: Logger | undefined): void {
    if (logger) for (const [level, m] of this.lines) logger[level](m);
    this.lines.length = 0;
  }
}
