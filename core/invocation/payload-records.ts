import { ProcessingError } from '../errors/millrace-error';
import type { InputRecord, RecordSource } from './invocation-types';
import type { Value } from '../kernel/event';
import type { AppPlan, SinkPlan } from '../plan/plan';
import type { Logger } from '../io/logger';
import { payloadText, shortText, type Payload, type SourceMapper } from '../io/mappers/mapper';

/**
 * What could not be mapped from a payload: the reason and the payload itself. It is the `_error`
 * of the event a fault stream `!S` gets (`@OnError(action='STREAM')`); the other attributes of
 * that event are null.
 */
export class MappingError extends ProcessingError {
  constructor(
    readonly reason: string,
    readonly payload: string,
    readonly stream: string,
    readonly mapType: string,
  ) {
    super(`cannot map a payload of stream '${stream}' with @map(type='${mapType}'): ${reason}; payload: ${shortText(payload)}`);
  }
}

/** Where a payload came from and when it arrived (its event time unless the mapping maps one). */
export interface PayloadContext {
  readonly time: number;
  readonly source?: RecordSource;
  readonly logger: Logger;
}

/**
 * The one call a transport adapter makes per record (DESIGN.md section 3, step 1): decodes the
 * payload with the stream's source mapper and returns the input records for the invocation
 * runner. The events of the payload form one chunk at the record's time (or, with
 * `timestamp.attribute`, one chunk per run of events with the same mapped time), or one record
 * each when the mapper sends them one by one (text, json without event grouping). What cannot be
 * mapped goes where the stream's `@OnError` says: to `!S` as events with a MappingError (reason
 * and payload), or to the logger (LOG, the default); it never throws, so a poison record never
 * fails a batch nor blocks a shard. All records returned share the payload's source position.
 *
 * @example
 *   const records = recordsOfPayload(plan, 'Orders', 0, bytes, { time: arrival, source, logger });
 */
export function recordsOfPayload(plan: AppPlan, stream: string, sourceIndex: number, payload: Payload, at: PayloadContext): InputRecord[] {
  const transport = plan.sources.get(stream)?.[sourceIndex];
  const mapper = transport?.decoder;
  if (!transport || !mapper) throw new RangeError(`stream '${stream}' has no @source #${sourceIndex} with a @map`);
  return recordsOfDecoded(plan, stream, mapper, transport, payload, at);
}

/** As recordsOfPayload, with a mapper of the caller's (`millrace run --format` without a @source @map). */
export function recordsOfDecoded(
  plan: AppPlan,
  stream: string,
  mapper: SourceMapper,
  transport: Pick<SinkPlan, 'timestampAttribute'> | undefined,
  payload: Payload,
  at: PayloadContext,
): InputRecord[] {
  const schema = plan.streams.get(stream)!;
  let decoded;
  try {
    decoded = mapper.decode(payload);
  } catch (e) {
    decoded = { events: [], problems: [`the ${mapper.type} mapper failed: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const src = at.source ? { source: at.source } : {};
  const records: InputRecord[] = [];
  const problems = [...decoded.problems];
  const ts = transport?.timestampAttribute;
  let run: Value[][] = [];
  let runTime = at.time;
  const flush = () => {
    if (run.length) records.push(run.length === 1 ? { stream, time: runTime, data: run[0], ...src } : { stream, time: runTime, chunk: run, ...src });
    run = [];
  };
  for (const data of decoded.events) {
    let time = at.time;
    if (ts !== undefined) {
      const v = data[ts];
      if (v === null || !Number.isSafeInteger(Number(v))) {
        problems.push(`the timestamp attribute '${schema.attributes[ts].name}' is ${v === null ? 'null' : `${String(v)}, beyond event times`}`);
        continue;
      }
      time = Number(v);
    }
    if (time !== runTime || !mapper.chunked) flush();
    runTime = time;
    run.push(data);
  }
  flush();
  if (!problems.length) return records;
  const text = payloadText(payload);
  if (schema.onError === 'STREAM' && plan.streams.has(`!${stream}`)) {
    const nulls = schema.attributes.map(() => null);
    for (const p of problems) records.push({ stream: `!${stream}`, time: at.time, data: [...nulls, new MappingError(p, text, stream, mapper.type)], ...src });
  } else {
    for (const p of problems) at.logger.error(`Error in '${plan.name}' mapping a payload of stream '${stream}' with @map(type='${mapper.type}'): ${p}. Payload: ${shortText(text)}`);
  }
  return records;
}
