/** Where the engine reports what it does and what went wrong. Adapters bind it to their platform. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Collects messages, for tests. */
export function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: m => lines.push(`DEBUG ${m}`),
    info: m => lines.push(`INFO ${m}`),
    warn: m => lines.push(`WARN ${m}`),
    error: m => lines.push(`ERROR ${m}`),
  };
}
