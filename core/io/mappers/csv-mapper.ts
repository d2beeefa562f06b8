import type { Value } from '../../kernel/event';
import { fromText, javaText } from './convert';
import { csvFormat, parseCsv, printCsvRecord } from './csv-format';
import { flag, payloadText, refused, type MapSpec, type MappedStream, type SinkMapper, type SourceMapper } from './mapper';

/**
 * `@map(type='csv')`, siddhi-map-csv. Sources: each CSV record of a payload is an event, field k
 * the k-th attribute, or `@attributes(symbol='2', price='0')` names each attribute's field.
 * Strings are taken as they are; other types are converted with Java's parsers (`' 100'` is not
 * an int, `' 55.6'` is a float). A value that does not convert drops its record (or, with
 * `fail.on.unknown.attribute='false'`, is null); a record with too few fields drops the payload.
 * `header='true'`: the first record of each payload is the header and is skipped.
 *
 * Sinks print one record per event (`@payload(symbol='0', price='2')` orders the columns),
 * a chunk of events in one payload with `event.grouping.enabled='true'`; `header='true'` starts
 * each payload with the attribute names.
 */
export function csvSourceMapper(spec: MapSpec, stream: MappedStream): SourceMapper {
  const format = csvFormat(spec.options.get('delimiter'));
  const failOnUnknown = flag(spec, 'fail.on.unknown.attribute', true);
  const header = flag(spec, 'header', false) || flag(spec, 'header.present', false);
  const columns = spec.attributes.length
    ? spec.attributes.map(m => ({ index: stream.attributes.findIndex(a => a.name === m.name), field: Number(m.mapping) }))
    : stream.attributes.map((_, k) => ({ index: k, field: k }));
  return {
    chunked: true,
    type: 'csv',
    header,
    decode(payload) {
      const records = parseCsv(payloadText(payload), format);
      if (typeof records === 'string') return { events: [], problems: [`not valid CSV: ${records}`] };
      const events: Value[][] = [];
      const problems: string[] = [];
      for (const fields of header ? records.slice(1) : records) {
        const data: Value[] = stream.attributes.map(() => null);
        let problem: string | undefined;
        for (const c of columns) {
          if (c.field >= fields.length)
            return { events: [], problems: [`a record has ${fields.length} field${fields.length === 1 ? '' : 's'}, stream '${stream.id}' needs field ${c.field + 1}`] };
          const a = stream.attributes[c.index];
          const v = a.type === 'STRING' ? fields[c.field] : fromText(fields[c.field], a.type);
          if (!refused(v)) data[c.index] = v;
          else if (failOnUnknown) problem ??= `attribute '${a.name}': ${v.reason}; record dropped`;
        }
        if (problem) problems.push(problem);
        else events.push(data);
      }
      return { events, problems };
    },
  };
}

export function csvSinkMapper(spec: MapSpec, stream: MappedStream): SinkMapper {
  const { delimiter } = csvFormat(spec.options.get('delimiter'));
  const grouping = flag(spec, 'event.grouping.enabled', false);
  const header = flag(spec, 'header', false);
  const order = spec.payload.length
    ? [...spec.payload].sort((x, y) => Number(x.template) - Number(y.template)).map(p => stream.attributes.findIndex(a => a.name === p.key))
    : stream.attributes.map((_, k) => k);
  const headLine = header ? printCsvRecord(order.map(k => stream.attributes[k].name), delimiter) : '';
  const record = (d: readonly Value[]) =>
    printCsvRecord(
      order.map(k => (d[k] === null ? null : javaText(d[k], stream.attributes[k].type))),
      delimiter,
    );
  return {
    type: 'csv',
    encode(events) {
      if (!events.length) return [];
      return grouping ? [headLine + events.map(record).join('')] : events.map(e => headLine + record(e));
    },
  };
}
