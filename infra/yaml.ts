/**
 * A small YAML writer for the plans `millrace plan` writes: objects, arrays and scalars, strings
 * always quoted (as JSON strings, which YAML reads the same), so no value changes type on the way.
 *
 * @example
 *   toYaml({ functions: { tick: { handler: 'functions/aws/tick.handler' } } })
 */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function toYaml(value: YamlValue): string {
  return lines(value, 0).join('\n') + '\n';
}

function key(k: string): string {
  return PLAIN_KEY.test(k) ? k : JSON.stringify(k);
}

function scalar(v: string | number | boolean | null): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function isEmpty(v: YamlValue): boolean {
  return Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function lines(value: YamlValue, depth: number): string[] {
  const pad = '  '.repeat(depth);
  if (Array.isArray(value)) {
    return value.flatMap((item: YamlValue) => {
      if (typeof item !== 'object' || item === null || isEmpty(item)) return [`${pad}- ${inline(item)}`];
      const [first, ...rest] = lines(item, depth + 1);
      return [`${pad}- ${first.trimStart()}`, ...rest];
    });
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value as Record<string, YamlValue | undefined>).flatMap(([k, v]) => {
      if (v === undefined) return [];
      if (typeof v !== 'object' || v === null || isEmpty(v)) return [`${pad}${key(k)}: ${inline(v)}`];
      return [`${pad}${key(k)}:`, ...lines(v, depth + 1)];
    });
  }
  return [`${pad}${scalar(value)}`];
}

function inline(v: YamlValue): string {
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object' && v !== null) return '{}';
  return scalar(v);
}
