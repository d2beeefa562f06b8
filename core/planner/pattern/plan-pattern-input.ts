import type { AbsentState, Constant, LogicalState, StateElement, StateInput, StreamState } from '../../ast/nodes';
import type { Value } from '../../kernel/event';
import type { EvalCtx } from '../../kernel/eval-context';
import { describeSchema } from '../../plan/schema';
import type { NfaPlan, ProcessorKind, ProcessorPlan, RuntimeNode } from '../../plan/pattern-plan';
import { StateNames, type ElementInfo } from './pattern-scope';
import type { PlannedPatternInput, PatternPlannerEnv } from './pattern-env';

/** A stream element with what the processor built for it needs. */
interface Leaf {
  readonly element: StreamState | AbsentState;
  readonly kind: ProcessorKind;
  readonly isStart: boolean;
  readonly min: number;
  readonly max: number;
  readonly logical: 'and' | 'or' | null;
  readonly waiting: number;
  /** The resolved stream id. */
  stream: string;
}

interface Built {
  readonly first: number;
  readonly last: number;
  readonly node: RuntimeNode;
}

/**
 * The processor graph of a pattern: one processor per stream element (each side of `and`/`or`,
 * a counted element, an absent element) at its position, linked as Siddhi's state processors are.
 */
class ProcessorGraph {
  readonly leaves: Leaf[] = [];
  readonly processors: ProcessorPlan[] = [];
  /** Processors in the order Siddhi creates them (timers due together fire in this order). */
  readonly creation: number[] = [];
  readonly root: Built;

  constructor(
    input: StateInput,
    private readonly sequence = input.type === 'sequence',
  ) {
    this.root = this.build(input.element, true, []);
    this.processors[this.root.first].thisLast = this.root.last;
    this.markToSelector(this.root.node);
  }

  private setNext(p: number, target: number): void {
    const pp = this.processors[p];
    pp.next = target;
    if (pp.partner !== null) this.processors[pp.partner].next = target;
    if (pp.kind === 'count' && pp.isStart && this.sequence && pp.min === 0) this.processors[target].callback = p;
  }

  private setNextEvery(p: number, target: number): void {
    const pp = this.processors[p];
    pp.nextEvery = target;
    if (pp.partner !== null) this.processors[pp.partner].nextEvery = target;
  }

  private leaf(l: Omit<Leaf, 'stream'>): number {
    const id = this.leaves.length;
    this.leaves.push({ ...l, stream: '' });
    this.processors.push({
      kind: l.kind,
      stateId: id,
      stream: '',
      condition: null,
      isStart: l.isStart,
      next: null,
      nextEvery: null,
      toSelector: false,
      callback: null,
      thisLast: id,
      withinEvery: null,
      min: l.min,
      max: l.max,
      logical: l.logical,
      partner: null,
      waiting: l.waiting,
    });
    return id;
  }

  private build(e: StateElement, isStart: boolean, created: number[]): Built {
    const waitingOf = (a: AbsentState) => (a.waitingTime ? Number(a.waitingTime.value) : -1);
    switch (e.kind) {
      case 'StreamState':
      case 'AbsentState': {
        const id = this.leaf({
          element: e,
          kind: e.kind === 'AbsentState' ? 'absent' : 'stream',
          isStart,
          min: 1,
          max: 1,
          logical: null,
          waiting: e.kind === 'AbsentState' ? waitingOf(e) : -1,
        });
        created.push(id);
        this.creation.push(id);
        return { first: id, last: id, node: { kind: 'stream', first: id } };
      }
      case 'CountState': {
        const id = this.leaf({ element: e.element, kind: 'count', isStart, min: e.min, max: e.max ?? Number.MAX_SAFE_INTEGER, logical: null, waiting: -1 });
        created.push(id);
        this.creation.push(id);
        return { first: id, last: id, node: { kind: 'stream', first: id } };
      }
      case 'LogicalState': {
        const [one, two] = logicalSides(e);
        const side = (s: StreamState | AbsentState) =>
          this.leaf({
            element: s,
            kind: s.kind === 'AbsentState' ? 'absentLogical' : 'logical',
            isStart,
            min: 1,
            max: 1,
            logical: e.op,
            waiting: s.kind === 'AbsentState' ? waitingOf(s) : -1,
          });
        const id2 = side(two);
        const id1 = side(one);
        created.push(id2, id1);
        // Siddhi creates (and so arms) the left processor first, though it gets the later position.
        this.creation.push(id1, id2);
        this.processors[id1].partner = id2;
        this.processors[id2].partner = id1;
        return { first: id1, last: id2, node: { kind: 'logical', r1: { kind: 'stream', first: id1 }, r2: { kind: 'stream', first: id2 } } };
      }
      case 'NextState': {
        const current = this.build(e.first, isStart, created);
        const next = this.build(e.next, false, created);
        this.setNext(current.last, next.first);
        return { first: current.first, last: next.last, node: { kind: 'next', current: current.node, next: next.node } };
      }
      case 'EveryState': {
        const inside: number[] = [];
        const inner = this.build(e.element, isStart, inside);
        this.setNextEvery(inner.last, inner.first);
        for (const p of inside) this.processors[p].withinEvery = inner.first;
        created.push(...inside);
        return { first: inner.first, last: inner.last, node: { kind: 'every', inner: inner.node, first: inner.first } };
      }
    }
  }

  /** Completed matches leave from the last element(s). */
  private markToSelector(n: RuntimeNode): void {
    if (n.kind === 'stream') this.processors[n.first].toSelector = true;
    else if (n.kind === 'next') this.markToSelector(n.next);
    else if (n.kind === 'logical') {
      this.markToSelector(n.r2);
      this.markToSelector(n.r1);
    } else this.markToSelector(n.inner);
  }
}

/**
 * Plans a pattern (`->`) or sequence (`,`) query input into the processor graph the matcher in
 * core/runtime/pattern runs (see plan/pattern-plan.ts), and the scope select expressions read a
 * match with.
 *
 * Element positions follow Siddhi's order (the right side of `and`/`or` before the left, and an
 * absent side always first), because positions decide which events a restart clears.
 */
export function planPatternInput(input: StateInput, env: PatternPlannerEnv): PlannedPatternInput | null {
  const before = env.diagnostics.length;
  checkShape(input, env);
  if (env.diagnostics.length > before) return null;
  const graph = new ProcessorGraph(input);
  const { leaves, processors, root, creation } = graph;
  const elements = resolveElements(leaves, env);
  if (!elements) return null;
  const star = new StateNames(elements, 0, env.userFunctions).starReaders();
  const matchIndex = star.readers.length;
  const names = new StateNames(elements, matchIndex, env.userFunctions);
  if (!planFilters(leaves, processors, names, env)) return null;
  const { refresh, receivers } = receiverOrder(root.node, processors);
  const within = input.within ? Number(input.within.value) : null;
  const detail: NfaPlan = {
    type: input.type,
    within,
    startStateIds: processors.filter(p => p.isStart).map(p => p.stateId),
    processors,
    root: root.node,
    receivers,
    refresh,
    startup: creation.filter(p => processors[p].kind === 'absent' || processors[p].kind === 'absentLogical'),
    star: star.readers,
    matchIndex,
  };
  const clash = star.attributes.map(a => a.name).filter((n, i, all) => all.indexOf(n) !== i);
  return {
    plan: { kind: 'state', streams: [...refresh.keys()], detail },
    scope: env.withTables(names.scope({})),
    starAttributes: star.attributes,
    starClash: clash.length
      ? `Duplicate attribute exist in streams [${elements.map(e => describeSchema({ id: e.stream, attributes: e.attributes })).join(', ')}]: ${[...new Set(clash)].join(', ')}`
      : undefined,
  };
}

/**
 * Each element's stream, resolved; null after reporting a problem. A reference may be used twice
 * (Siddhi allows it): names resolve to the first element.
 */
function resolveElements(leaves: Leaf[], env: PatternPlannerEnv): ElementInfo[] | null {
  const elements: ElementInfo[] = [];
  let ok = true;
  for (const l of leaves) {
    const reported = env.diagnostics.length;
    const resolved = env.resolveStream(l.element.input.stream);
    if (!resolved) {
      ok = false;
      // The app planner reports undefined streams of a pattern it could not plan itself; keep one.
      const d = env.diagnostics[reported];
      if (env.diagnostics.length === reported + 1 && d.message.endsWith('has not been defined') && !l.element.input.stream.isInner) env.diagnostics.splice(reported, 1);
      continue;
    }
    l.stream = resolved.id;
    const ref = l.element.kind === 'StreamState' ? l.element.ref : undefined;
    elements.push({ stateId: elements.length, ref, stream: resolved.id, attributes: resolved.attributes, counted: l.kind === 'count' });
  }
  return ok ? elements : null;
}

/** Each element's filters, compiled against the match so far; false after reporting a problem. */
function planFilters(leaves: readonly Leaf[], processors: ProcessorPlan[], names: StateNames, env: PatternPlannerEnv): boolean {
  let ok = true;
  leaves.forEach((l, id) => {
    const scope = env.withTables(names.scope({ current: id }));
    const conditions: ((ctx: EvalCtx) => Value)[] = [];
    for (const h of l.element.input.handlers) {
      if (h.kind === 'Filter') {
        const c = env.compiler.condition(h.condition, scope, 'filter condition');
        if (c.type === null) ok = false;
        else conditions.push(c.fn);
      } else {
        const name = h.namespace ? `${h.namespace}:${h.name}` : h.name;
        env.notSupported(h.pos, h.kind === 'StreamFunction' ? `stream function '#${name}' on a pattern element` : `window '#window.${name}' on a pattern element`, name.length + 1);
        ok = false;
      }
    }
    const p = processors[id];
    p.stream = l.stream;
    p.condition = conditions.length === 0 ? null : conditions.length === 1 ? conditions[0] : ctx => conditions.every(c => c(ctx) === true);
  });
  return ok;
}

/** Per stream, processors in Siddhi's set-up order (`refresh`); events go to them in reverse (`receivers`). */
function receiverOrder(root: RuntimeNode, processors: readonly ProcessorPlan[]): { refresh: Map<string, number[]>; receivers: Map<string, number[]> } {
  const setup: number[] = [];
  const walk = (n: RuntimeNode): void => {
    if (n.kind === 'stream') setup.push(n.first);
    else if (n.kind === 'next') {
      walk(n.current);
      walk(n.next);
    } else if (n.kind === 'logical') {
      walk(n.r2);
      walk(n.r1);
    } else walk(n.inner);
  };
  walk(root);
  const refresh = new Map<string, number[]>();
  for (const p of setup) {
    const s = processors[p].stream;
    refresh.set(s, [...(refresh.get(s) ?? []), p]);
  }
  const receivers = new Map<string, number[]>([...refresh].map(([s, ps]) => [s, [...ps].reverse()]));
  return { refresh, receivers };
}

/** The sides of `and`/`or` as Siddhi orders them: an absent side first, otherwise as written. */
function logicalSides(e: LogicalState): [StreamState | AbsentState, StreamState | AbsentState] {
  if (e.right.kind === 'AbsentState' && e.left.kind !== 'AbsentState') return [e.right, e.left];
  return [e.left, e.right];
}

/**
 * What Siddhi's grammar rejects but Millrace's parser lets through: `within` inside the pattern,
 * `every` nested or (in sequences) anywhere but on the first element, `not A` without `for` where
 * it is not `and`-ed with a present element, sequences of one element.
 */
function checkShape(input: StateInput, env: PatternPlannerEnv): void {
  const what = input.type;
  const within = (c: Constant | undefined, e: StateElement) => {
    if (c) env.error(e.pos, `'within' can only end the whole ${what} (e.g. '... within 10 sec'), not one of its parts`);
  };
  const leftmost = (e: StateElement): StateElement => (e.kind === 'NextState' ? leftmost(e.first) : e);
  const first = leftmost(input.element);
  const visit = (e: StateElement, inEvery: boolean): void => {
    within(e.within, e);
    switch (e.kind) {
      case 'StreamState':
        return;
      case 'AbsentState':
        if (!e.waitingTime) env.error(e.pos, `'not ${e.input.stream.id}' needs 'for <time>' unless it is combined with a present element by 'and' (e.g. 'not ${e.input.stream.id} and e1=B')`, 3);
        return;
      case 'CountState':
        within(e.element.within, e.element);
        return;
      case 'LogicalState': {
        within(e.left.within, e.left);
        within(e.right.within, e.right);
        const absent = [e.left, e.right].filter((s): s is AbsentState => s.kind === 'AbsentState');
        const needsFor = e.op === 'or' || absent.length === 2;
        for (const a of absent)
          if (!a.waitingTime && needsFor)
            env.error(a.pos, `'not ${a.input.stream.id}' needs 'for <time>' here: only 'not A and e1=B' (or 'e1=B and not A') may leave it out`, 3);
        return;
      }
      case 'NextState':
        visit(e.first, inEvery);
        visit(e.next, inEvery);
        return;
      case 'EveryState':
        if (inEvery) env.error(e.pos, "'every' cannot be nested inside another 'every'", 5);
        else if (what === 'sequence' && (e !== first || e.element.kind === 'NextState'))
          env.error(e.pos, "in a sequence 'every' can only start it, on its first element (every e1=A, e2=B)", 5);
        visit(e.element, true);
        return;
    }
  };
  visit(input.element, false);
  if (what === 'sequence' && input.element.kind !== 'NextState')
    env.error(input.pos, "a sequence needs at least two elements separated by ',' (use '->' or a single input for one element)");
}

