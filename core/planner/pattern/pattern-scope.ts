import type { AttrType, EventIndex, Variable } from '../../ast/nodes';
import { BuiltinArgError } from '../../errors/millrace-error';
import type { Value } from '../../kernel/event';
import type { Eval, EvalCtx } from '../../kernel/eval-context';
import type { ResolvedVariable, Scope, UserFunction } from '../../plan/expression-scope';
import { describeSchema, type AttributeSchema } from '../../plan/schema';
import type { MatchedEvent, MatchReader, MatchView } from '../../plan/pattern-plan';

/** One stream element of a pattern, as names see it. */
export interface ElementInfo {
  readonly stateId: number;
  /** `e1` in `e1=A`; absent elements have none. */
  readonly ref?: string;
  /** The resolved stream id (`#Inner`, `!S` for inner and fault streams). */
  readonly stream: string;
  readonly attributes: readonly AttributeSchema[];
  /** Counted (`<n:m>`, `+`, `*`, `?`): unindexed references give the list of all values. */
  readonly counted: boolean;
}

/** Where an expression is compiled: a select clause, or the filter of the element at `current`. */
export interface ScopeSite {
  /** The element whose filter this is; undefined for select, group by and having. */
  readonly current?: number;
}

/** Evals returning the matched event of a bare reference (`e1` in `eventTimestamp(e1)`). */
const refEventReaders = new WeakSet<Eval>();

const valueOf = (ev: MatchedEvent | undefined, a: number): Value => (ev === undefined || ev.data === null ? null : ev.data[a]);

/** Which event of a position a reference reads. */
type Pick =
  | { readonly kind: 'index'; readonly i: number }
  /** `fromEnd` 0 is the last event, 1 the one before... */
  | { readonly kind: 'fromEnd'; readonly k: number }
  | { readonly kind: 'all' };

function pickEvent(chain: readonly MatchedEvent[], pick: Pick): MatchedEvent | undefined {
  if (pick.kind === 'index') return chain[pick.i];
  const i = chain.length - 1 - (pick.kind === 'fromEnd' ? pick.k : 0);
  return i < 0 ? undefined : chain[i];
}

function attributeReader(slot: number, attr: number, pick: Pick): MatchReader {
  if (pick.kind === 'all')
    return m => {
      const c = m.slots[slot];
      return c ? c.map(ev => valueOf(ev, attr)) : null;
    };
  if (pick.kind === 'index' && pick.i === 0)
    return m => {
      const c = m.slots[slot];
      return c ? valueOf(c[0], attr) : null;
    };
  return m => {
    const c = m.slots[slot];
    return c ? valueOf(pickEvent(c, pick), attr) : null;
  };
}

function eventReader(slot: number, pick: Pick): MatchReader {
  return m => {
    const c = m.slots[slot];
    return (c && pickEvent(c, pick)) ?? null;
  };
}

/** The match a pattern expression reads sits at `ctx.event.data[matchIndex]`. */
function onMatch(reader: MatchReader, matchIndex: number): Eval {
  return (ctx: EvalCtx) => reader(ctx.event.data[matchIndex] as MatchView);
}

/**
 * Name resolution inside a pattern or sequence, as Siddhi does it:
 * - `e1.x` names a reference; an element without a reference is named by its stream id; the first
 *   element (in position order) that fits wins;
 * - a plain `x` in an element's filter is that element's own attribute; in select it must exist in
 *   exactly one element of the pattern;
 * - `e1[0].x`, `e1[last].x`, `e1[last - 1].x` index a counted reference (0-based; past the end is
 *   null); in the element's own filter `last` is the event before the one being tried;
 * - an unindexed reference to a counted element is the list of all its values (type OBJECT),
 *   except in that element's own filter, where it is the event being tried;
 * - a bare reference (`e1`) stands for its event: `e1 is null`, `eventTimestamp(e1)`.
 * Filters only see elements defined up to their own (Siddhi resolves them while planning each).
 */
export class StateNames {
  readonly userFunctions: ReadonlyMap<string, UserFunction>;

  constructor(
    private readonly elements: readonly ElementInfo[],
    readonly matchIndex: number,
    userFunctions: ReadonlyMap<string, UserFunction>,
  ) {
    const fns = new Map(userFunctions);
    if (!fns.has('eventTimestamp')) fns.set('eventTimestamp', { returnType: 'LONG', make: eventTimestamp });
    this.userFunctions = fns;
  }

  /** The scope of a select clause (`site.current` undefined) or of an element's filter. */
  scope(site: ScopeSite): Scope {
    return {
      userFunctions: this.userFunctions,
      resolveVariable: v => this.resolve(v, site),
      resolvePresence: (name, index) => {
        const el = this.named(name, false, false, site);
        if (!el) return undefined;
        const slot = el.stateId;
        const mi = this.matchIndex;
        if (index === undefined) return ctx => (ctx.event.data[mi] as MatchView).slots[slot] != null;
        // `e1[i] is null`: the event at that index of what the element collected.
        const read = onMatch(eventReader(slot, this.pickOf(el, index, site)), mi);
        return ctx => read(ctx) !== null;
      },
    };
  }

  /** Readers of `select *`: every attribute of every element, in position order. */
  starReaders(): { readers: MatchReader[]; attributes: AttributeSchema[] } {
    const readers: MatchReader[] = [];
    const attributes: AttributeSchema[] = [];
    for (const el of this.elements)
      el.attributes.forEach((a, i) => {
        readers.push(attributeReader(el.stateId, i, el.counted ? { kind: 'all' } : { kind: 'index', i: 0 }));
        attributes.push({ name: a.name, type: el.counted ? 'OBJECT' : a.type });
      });
    return { readers, attributes };
  }

  private visible(site: ScopeSite): readonly ElementInfo[] {
    return site.current === undefined ? this.elements : this.elements.filter(e => e.stateId <= site.current!);
  }

  private named(name: string, isInner: boolean, isFault: boolean, site: ScopeSite): ElementInfo | undefined {
    const id = (isInner ? '#' : isFault ? '!' : '') + name;
    return this.visible(site).find(e => (e.ref !== undefined ? !isInner && !isFault && e.ref === name : e.stream === id));
  }

  private resolve(v: Variable, site: ScopeSite): ResolvedVariable | string {
    const mi = this.matchIndex;
    if (v.streamRef === undefined) {
      if (site.current !== undefined) {
        const own = this.elements[site.current];
        const i = own.attributes.findIndex(a => a.name === v.attribute);
        if (i >= 0) return { type: own.attributes[i].type, fn: onMatch(attributeReader(own.stateId, i, { kind: 'fromEnd', k: 0 }), mi) };
      } else {
        const hits = this.elements.flatMap(el => {
          const i = el.attributes.findIndex(a => a.name === v.attribute);
          return i < 0 ? [] : [{ el, i }];
        });
        if (hits.length > 1)
          return `${hits.map(h => `Input Stream: ${h.el.stream} with reference: ${h.el.ref ?? 'null'}`).join(' and ')} contain attribute with same name '${v.attribute}'; qualify it, e.g. ${hits[0].el.ref ?? hits[0].el.stream}.${v.attribute}`;
        if (hits.length === 1) {
          const { el, i } = hits[0];
          return { type: el.counted ? 'OBJECT' : el.attributes[i].type, fn: onMatch(attributeReader(el.stateId, i, el.counted ? { kind: 'all' } : { kind: 'index', i: 0 }), mi) };
        }
      }
      const ref = this.named(v.attribute, false, false, site);
      if (ref && ref.ref === v.attribute && v.index === undefined) {
        const own = ref.stateId === site.current;
        const fn = onMatch(eventReader(ref.stateId, own ? { kind: 'fromEnd', k: 0 } : { kind: 'index', i: 0 }), mi);
        refEventReaders.add(fn);
        return { type: 'OBJECT', fn };
      }
      if (site.current !== undefined) {
        const own = this.elements[site.current];
        return `Cannot find attribute type as '${v.attribute}' does not exist in '${own.stream}'; ${describeSchema({ id: own.stream, attributes: own.attributes })}`;
      }
      return `Cannot find attribute '${v.attribute}' in any stream of the pattern (${this.elements.map(e => e.ref ?? e.stream).join(', ')})`;
    }
    const el = this.named(v.streamRef, v.isInner === true, v.isFault === true, site);
    if (!el) return `Id '${v.streamRef}' not defined within the current scope`;
    const i = el.attributes.findIndex(a => a.name === v.attribute);
    if (i < 0) return `Cannot find attribute type as '${v.attribute}' does not exist in '${el.stream}'; ${describeSchema({ id: el.stream, attributes: el.attributes })}`;
    const type: AttrType = el.attributes[i].type;
    const own = el.stateId === site.current;
    const pick: Pick = v.index === undefined ? (own ? { kind: 'fromEnd', k: 0 } : el.counted ? { kind: 'all' } : { kind: 'index', i: 0 }) : this.pickOf(el, v.index, site);
    return { type: pick.kind === 'all' ? 'OBJECT' : type, fn: onMatch(attributeReader(el.stateId, i, pick), mi) };
  }

  /** Which collected event an index names: `e[i]`, or `e[last - k]` counted from the end. */
  private pickOf(el: ElementInfo, index: EventIndex, site: ScopeSite): Pick {
    if (typeof index === 'number') return { kind: 'index', i: index };
    // In the element's own filter the event being tried is already collected: `last` is the one before it.
    const own = el.stateId === site.current;
    return { kind: 'fromEnd', k: index.minus + (own && el.ref !== undefined ? 1 : 0) };
  }
}

/**
 * `eventTimestamp()` is the timestamp of the event (or match) being evaluated; with a pattern
 * reference (`eventTimestamp(e1)`) that of the reference's event, null when it is missing.
 */
function eventTimestamp(args: readonly Eval[]): Eval {
  if (args.length === 0) return ctx => ctx.event.timestamp;
  const ref = args[0];
  if (args.length === 1 && refEventReaders.has(ref))
    return ctx => {
      const ev = ref(ctx) as MatchedEvent | null;
      return ev === null ? null : ev.ts;
    };
  throw new BuiltinArgError(`eventTimestamp() takes no argument or one pattern reference such as eventTimestamp(e1), found ${args.length} argument${args.length === 1 ? '' : 's'}`);
}

export type { Value };
