import type { Logger } from '../../core';

/**
 * Writes to stderr, so that stdout carries only results: warnings and errors always, info too,
 * debug (retries, reloads) only when asked for (`millrace --debug`).
 *
 * @example
 *   const logger = consoleLogger({ debug: argv.includes('--debug') });
 */
export function consoleLogger(options: { debug?: boolean } = {}): Logger {
  const write = (level: string) => (m: string) => void process.stderr.write(`${level} ${m}\n`);
  return {
    debug: options.debug ? write('DEBUG') : () => {},
    info: write('INFO'),
    warn: write('WARN'),
    error: write('ERROR'),
  };
}
