/**
 * A JSON document as the mappers read it: numbers keep the text they were written with (so a
 * LONG beyond 2^53 stays exact and an integer token is told from a decimal one, as Siddhi's
 * token-based JSON mapper does), objects keep their keys in order, duplicates included.
 * Strict RFC 8259; never throws: a bad document is a message with its offset.
 */

export class JsonNumber {
  constructor(readonly text: string) {}
  /** Written as an integer token: no fraction, no exponent. */
  get integral(): boolean {
    return !/[.eE]/.test(this.text);
  }
}

export class JsonObject {
  constructor(readonly entries: readonly (readonly [string, JsonNode])[]) {}
  /** The first value under `key`, or undefined when there is none. */
  get(key: string): JsonNode | undefined {
    for (const [k, v] of this.entries) if (k === key) return v;
    return undefined;
  }
  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }
}

export type JsonNode = null | boolean | string | JsonNumber | JsonObject | JsonNode[];

export type Parsed = { readonly ok: true; readonly value: JsonNode } | { readonly ok: false; readonly message: string };

/** Deeper than this, a document is refused (the parser recurses). */
const MAX_DEPTH = 512;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Failure {
  constructor(readonly message: string) {}
}

/**
 * Parses a whole JSON text.
 *
 * @example
 *   parseJsonTree('{"id": 9007199254740993}') // ok, id is JsonNumber('9007199254740993')
 */
export function parseJsonTree(text: string): Parsed {
  const p = new TreeParser(text);
  try {
    const value = p.value(0);
    p.space();
    if (p.i < text.length) return { ok: false, message: `unexpected text after the JSON value at offset ${p.i}` };
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, message: e.message };
    throw e;
  }
}

class TreeParser {
  i = 0;
  constructor(private readonly s: string) {}

  private fail(what: string): never {
    const at = this.i < this.s.length ? `'${this.s[this.i]}' at offset ${this.i}` : 'the end of the text';
    throw new Failure(`expected ${what}, found ${at}`);
  }

  space(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.i++;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new Failure(`JSON nested deeper than ${MAX_DEPTH} levels`);
    this.space();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const)
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('a JSON value');
    this.i += m[0].length;
    return new JsonNumber(m[0]);
  }

  private object(depth: number): JsonObject {
    const entries: [string, JsonNode][] = [];
    this.i++;
    this.space();
    if (this.s[this.i] === '}') return this.i++, new JsonObject(entries);
    for (;;) {
      this.space();
      if (this.s[this.i] !== '"') this.fail('a key in double quotes');
      const key = this.string();
      this.space();
      if (this.s[this.i] !== ':') this.fail("':'");
      this.i++;
      entries.push([key, this.value(depth + 1)]);
      this.space();
      const c = this.s[this.i++];
      if (c === '}') return new JsonObject(entries);
      if (c !== ',') this.i--, this.fail("',' or '}'");
    }
  }

  private array(depth: number): JsonNode[] {
    const out: JsonNode[] = [];
    this.i++;
    this.space();
    if (this.s[this.i] === ']') return this.i++, out;
    for (;;) {
      out.push(this.value(depth + 1));
      this.space();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.i--, this.fail("',' or ']'");
    }
  }

  private string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    for (;;) {
      STRING_RUN.lastIndex = this.i;
      const run = STRING_RUN.exec(s)![0];
      out += run;
      this.i += run.length;
      const c = s[this.i];
      if (c === '"') return this.i++, out;
      if (c !== '\\') this.fail('a closing double quote');
      const e = s[this.i + 1];
      if (e === 'u') {
        const hex = s.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.i++, this.fail('four hex digits after \\u');
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        this.i += 2;
      } else {
        this.i++;
        this.fail('an escape character');
      }
    }
  }
}

/** Compact JSON text of a node (numbers as written). */
export function jsonTreeText(n: JsonNode): string {
  if (n === null || typeof n === 'boolean') return String(n);
  if (typeof n === 'string') return JSON.stringify(n);
  if (n instanceof JsonNumber) return n.text;
  if (Array.isArray(n)) return `[${n.map(jsonTreeText).join(',')}]`;
  return `{${n.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonTreeText(v)}`).join(',')}}`;
}

/** A node as a plain value for an OBJECT attribute: objects become plain objects, numbers numbers (bigint beyond 2^53). */
export function jsonTreeValue(n: JsonNode): unknown {
  if (n === null || typeof n !== 'object') return n;
  if (n instanceof JsonNumber) {
    if (!n.integral) return Number(n.text);
    const v = Number(n.text);
    return Number.isSafeInteger(v) ? v : BigInt(n.text);
  }
  if (Array.isArray(n)) return n.map(jsonTreeValue);
  return Object.fromEntries(n.entries.map(([k, v]) => [k, jsonTreeValue(v)]));
}
