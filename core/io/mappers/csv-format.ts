/**
 * CSV as Apache Commons CSV 1.9 reads and prints it for siddhi-map-csv: fields separated by the
 * delimiter (any text; `\t` is a tab, whose format also trims spaces around fields), records by
 * CR, LF or CRLF, empty lines skipped; a field that starts with `"` is quoted (`""` inside is a
 * quote; after the closing quote only spaces may come before the delimiter). Printing quotes a
 * field only when it must (Commons CSV's MINIMAL quote mode) and ends each record with a newline.
 */

export interface CsvFormat {
  readonly delimiter: string;
  readonly trimSpaces: boolean;
}

export function csvFormat(delimiterOption: string | undefined): CsvFormat {
  const d = delimiterOption ?? ',';
  return d === '\\t' || d === '\t' ? { delimiter: '\t', trimSpaces: true } : { delimiter: d, trimSpaces: false };
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t';
const isEol = (c: string | undefined) => c === '\n' || c === '\r';

/**
 * The records of a CSV text, or why it is not CSV.
 *
 * @example
 *   parseCsv('a,"b,c"\n1,2', csvFormat(',')) // [['a', 'b,c'], ['1', '2']]
 */
export function parseCsv(text: string, f: CsvFormat): string[][] | string {
  const records: string[][] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (isEol(text[i])) {
      i++; // an empty line
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      if (f.trimSpaces) while (isSpace(text[i]) && !text.startsWith(f.delimiter, i)) i++;
      let field: string;
      if (text[i] === '"') {
        const r = quotedField(text, i + 1, f);
        if (typeof r === 'string') return r;
        [field, i] = r;
      } else {
        const start = i;
        while (i < n && !isEol(text[i]) && !text.startsWith(f.delimiter, i)) i++;
        field = text.slice(start, i);
        if (f.trimSpaces) field = field.replace(/[ \t]+$/, '');
      }
      fields.push(field);
      if (i < n && text.startsWith(f.delimiter, i)) {
        i += f.delimiter.length;
        continue;
      }
      if (text[i] === '\r' && text[i + 1] === '\n') i++;
      i++;
      break;
    }
    records.push(fields);
  }
  return records;
}

/** A quoted field from just after its opening quote: its text and where the parse goes on. */
function quotedField(text: string, from: number, f: CsvFormat): [string, number] | string {
  let out = '';
  let i = from;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return `a quoted field is not closed (from offset ${from - 1})`;
    out += text.slice(i, q);
    if (text[q + 1] === '"') {
      out += '"';
      i = q + 2;
      continue;
    }
    i = q + 1;
    while (isSpace(text[i]) && !text.startsWith(f.delimiter, i)) i++;
    if (i < text.length && !isEol(text[i]) && !text.startsWith(f.delimiter, i))
      return `invalid character '${text[i]}' after the quoted field at offset ${from - 1}`;
    return [out, i];
  }
}

/** One printed field: quoted when Commons CSV's MINIMAL mode would. */
function printField(s: string, first: boolean, delimiter: string): string {
  let quote: boolean;
  if (s.length === 0) quote = first;
  else if (s.charCodeAt(0) <= 0x23) quote = true;
  else quote = /[\r\n"]/.test(s) || s.includes(delimiter) || s.charCodeAt(s.length - 1) <= 0x20;
  return quote ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A record printed: fields (null is `null`, unquoted) and a newline. */
export function printCsvRecord(fields: readonly (string | null)[], delimiter: string): string {
  return `${fields.map((s, k) => (s === null ? 'null' : printField(s, k === 0, delimiter))).join(delimiter)}\n`;
}
