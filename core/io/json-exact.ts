import { longOf } from '../kernel/java-num';

/** A JSON number at a position (sticky). */
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/** Deeper than this, a document is refused rather than parsed (the parser below recurses). */
const MAX_DEPTH = 1000;

/**
 * JSON.parse, except that an integer literal beyond 2^53 becomes an exact bigint instead of the
 * nearest double, so LONG values such as snowflake ids arrive intact. Text without a run of 16
 * digits cannot hold such a literal and takes JSON.parse alone; other text is checked by
 * JSON.parse (same errors for invalid JSON) and read again exactly.
 *
 * @example
 *   parseJsonExact('{"id":9007199254740993}') // { id: 9007199254740993n }
 */
export function parseJsonExact(text: string): unknown {
  const plain = JSON.parse(text);
  if (!/\d{16}/.test(text)) return plain;
  return new ExactParser(text).value(0);
}

class ExactParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private space(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++;
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new SyntaxError(`JSON nested deeper than ${MAX_DEPTH} levels`);
    this.space();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === 't' || c === 'f' || c === 'n') {
      const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
      this.i += word.length;
      return c === 't' ? true : c === 'f' ? false : null;
    }
    return this.number();
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.space();
    if (this.s[this.i] === '}') return this.i++, out;
    for (;;) {
      this.space();
      const key = this.string();
      this.space();
      this.i++; // ':'
      out[key] = this.value(depth + 1);
      this.space();
      if (this.s[this.i++] === '}') return out;
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.space();
    if (this.s[this.i] === ']') return this.i++, out;
    for (;;) {
      out.push(this.value(depth + 1));
      this.space();
      if (this.s[this.i++] === ']') return out;
    }
  }

  private string(): string {
    const start = this.i;
    this.i++;
    while (this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s)!;
    this.i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : longOf(BigInt(m[0]));
    }
    return Number(m[0]);
  }
}
