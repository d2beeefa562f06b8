import { recordsOfDecoded, type AppPlan, type InputRecord, type Logger, type SinkPlan, type SourceMapper } from '../../core';

/** How `millrace run --format` reads raw payloads from a file. */
export interface PayloadInput {
  readonly plan: AppPlan;
  readonly stream: string;
  readonly mapper: SourceMapper;
  /** The `@source` the mapper comes from (for its timestamp attribute), if any. */
  readonly transport?: SinkPlan;
  /** Records are blocks of lines ended by a blank line (Siddhi's default text format spans lines), not single lines. */
  readonly blocks: boolean;
  readonly sourceId: string;
  /** The logger a record's mapping problems go to, given the line the record starts at. */
  readonly loggerAt: (line: number) => Logger;
}

/**
 * Raw payload lines -> input records: one record per non-blank line (or per block of lines), its
 * event time the line number unless the mapping maps a timestamp attribute, its source position the
 * line number too (so a state that committed up to a line skips it on a rerun). A csv mapping with
 * `header='true'` reads the file's first line as the header of every record.
 *
 * @example
 *   for await (const r of payloadRecords(lines, { plan, stream: 'S', mapper, blocks: false, sourceId, loggerAt })) ...
 */
export async function* payloadRecords(lines: Iterable<string> | AsyncIterable<string>, p: PayloadInput): AsyncGenerator<InputRecord> {
  let line = 0;
  let header: string | undefined;
  let block: string[] = [];
  let blockStart = 0;
  const emit = (text: string, at: number): InputRecord[] => {
    const payload = header !== undefined ? `${header}\n${text}` : text;
    const source = { kind: 'sequence' as const, id: p.sourceId, position: String(at) };
    return recordsOfDecoded(p.plan, p.stream, p.mapper, p.transport, payload, { time: at, source, logger: p.loggerAt(at) });
  };
  for await (const raw of lines) {
    line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (p.mapper.header && header === undefined) {
      header = text;
      continue;
    }
    if (!p.blocks) {
      if (text.trim() !== '') yield* emit(text, line);
      continue;
    }
    if (text.trim() === '') {
      if (block.length) yield* emit(block.join('\n'), blockStart);
      block = [];
      continue;
    }
    if (!block.length) blockStart = line;
    block.push(text);
  }
  if (block.length) yield* emit(block.join('\n'), blockStart);
}
