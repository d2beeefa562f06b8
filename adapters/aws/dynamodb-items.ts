/**
 * How the DynamoDB store lays out its items (see dynamodb-state-store.ts): partition keys of
 * units and chunks, the known state of a unit item, the size DynamoDB bills for an item, and
 * `@store` rows as items of plain attributes.
 *
 * @example
 *   unitPk('app/Orders/global') // { pk: 'app/Orders/global', escaped: 'app/Orders/global', hashed: false }
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { escapeKey, hashedId, keyOfId, ROW_KEY, type Json, type StoredRow, type UnitRecord } from '../../core';

export type Item = Record<string, AttributeValue>;

/** Keys above this (escaped, UTF-8) are stored under a hash: a partition key holds 2048 bytes. */
const MAX_PLAIN_KEY_BYTES = 1024;
/** What escapeKey escapes besides `%`: `#` separates a unit's key from its chunk numbers. */
const RESERVED = '#';
const ESCAPES = ['25', '23'];

/**
 * The partition key of a unit: its escaped key (valid UTF-8, lone surrogates as `%uXXXX`, free
 * of `#` so `<pk>#chunk#<n>` can never be another unit's key; the empty key, which DynamoDB
 * refuses, is `%`), or for a long key a readable prefix, `%~` and a SHA-256 of the escaped key
 * (`%~` never occurs in an escaped key).
 *
 * @example
 *   unitPk('app/Orders/global') // { pk: 'app/Orders/global', hashed: false }
 */
export function unitPk(key: string): { pk: string; escaped: string; hashed: boolean } {
  const escaped = escapeKey(key, RESERVED);
  if (escaped === '') return { pk: '%', escaped, hashed: false };
  const hashed = hashedId(escaped, MAX_PLAIN_KEY_BYTES);
  return hashed === null ? { pk: escaped, escaped, hashed: false } : { pk: hashed, escaped, hashed: true };
}

/** The key of a unit item (of its index entry: `k` is projected into the due index). */
export function keyOfPk(pk: string, item: Item | undefined): string {
  return keyOfId(pk, item?.k?.S, ESCAPES);
}

export function chunkPk(pk: string, n: number): string {
  return `${pk}#chunk#${n}`;
}

/** A number attribute as a number; any other attribute as it is (for the message about damage). */
export function numberOf(v: AttributeValue | undefined): unknown {
  return v?.N === undefined ? v : Number(v.N);
}

/** A unit item's fields, unchecked (the chunked base checks them). */
export function unitRecordOf(item: Item | undefined): UnitRecord<object> | undefined {
  if (item === undefined) return undefined;
  return {
    version: numberOf(item.version),
    deleted: item.deleted?.BOOL ?? item.deleted,
    parts: numberOf(item.parts),
    storedKey: item.k?.S ?? item.k,
    data: item.data?.B ?? item.data,
    extra: {},
  };
}

/** DynamoDB's item size: attribute names plus values (numbers about 1 byte per 2 digits). */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, v] of Object.entries(item)) {
    size += Buffer.byteLength(name, 'utf8');
    if (v.S !== undefined) size += Buffer.byteLength(v.S, 'utf8');
    else if (v.B !== undefined) size += v.B.length;
    else if (v.N !== undefined) size += Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
    else size += 1;
  }
  return size;
}

export function errorName(e: unknown): string | undefined {
  return (e as { name?: unknown } | null)?.name as string | undefined;
}

/** A JSON value as a DynamoDB attribute value (numbers are finite here: the codec tags the rest). */
function toAttribute(v: Json): AttributeValue {
  if (v === null) return { NULL: true };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map(toAttribute) };
  return { M: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toAttribute(x)])) };
}

function fromAttribute(a: AttributeValue): Json {
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return Number(a.N);
  if (a.BOOL !== undefined) return a.BOOL;
  if (a.L !== undefined) return a.L.map(fromAttribute);
  if (a.M !== undefined) return Object.fromEntries(Object.entries(a.M).map(([k, x]) => [k, fromAttribute(x)]));
  return null;
}

/** A row as an item: its key, and each attribute as a DynamoDB attribute readable by any tool. */
export function rowItem(key: string, row: StoredRow): Item {
  const item: Item = { [ROW_KEY]: { S: key } };
  for (const [name, v] of Object.entries(row)) item[name] = toAttribute(v);
  return item;
}

export function rowOf(item: Item): StoredRow {
  const row: Record<string, Json> = {};
  for (const [name, a] of Object.entries(item)) if (name !== ROW_KEY) row[name] = fromAttribute(a);
  return row;
}
