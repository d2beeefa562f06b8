import type { AttrType, Pos } from '../ast/nodes';

export interface AttributeSchema {
  readonly name: string;
  readonly type: AttrType;
}

/** A stream known to the planner: defined, inferred from `insert into`, or a fault stream `!S`. */
export interface StreamSchema {
  readonly id: string;
  readonly attributes: readonly AttributeSchema[];
  readonly origin: 'defined' | 'inferred' | 'fault' | 'trigger';
  readonly pos: Pos;
  /** What happens when a query consuming this stream fails on an event. */
  readonly onError: 'LOG' | 'STREAM';
}

export function attributeIndex(schema: { readonly attributes: readonly AttributeSchema[] }, name: string): number {
  return schema.attributes.findIndex(a => a.name === name);
}

export function describeSchema(s: { readonly id: string; readonly attributes: readonly AttributeSchema[] }): string {
  return `${s.id} (${s.attributes.map(a => `${a.name} ${a.type.toLowerCase()}`).join(', ')})`;
}
