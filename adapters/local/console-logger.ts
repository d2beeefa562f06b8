import type { Logger } from '../../core';

/** Writes every level to stderr, so that stdout carries only results. */
export const consoleLogger: Logger = {
  debug: m => process.stderr.write(`DEBUG ${m}\n`),
  info: m => process.stderr.write(`INFO ${m}\n`),
  warn: m => process.stderr.write(`WARN ${m}\n`),
  error: m => process.stderr.write(`ERROR ${m}\n`),
};
