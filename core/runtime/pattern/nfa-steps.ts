import type { MatchedEvent, NfaPlan, ProcessorPlan } from '../../plan/pattern-plan';
import type { StateCell } from '../../state/state-spec';
import type { NfaState, PartialMatch, ProcessorState } from './nfa-state';

/** What the matcher needs from its surroundings. */
export interface NfaHooks {
  /** Whether the element's filters accept the partial match (its own event already in place). */
  accepts(p: ProcessorPlan, m: PartialMatch): boolean;
  /** A complete match, to be sent to the selector. */
  emit(m: PartialMatch): void;
  /** Wake the matcher at event time `due`. */
  schedule(due: number): void;
  /** The event clock. */
  now(): number;
}

/** The placeholder an absent element leaves in its position once its wait has passed. */
export const ABSENT: MatchedEvent = { ts: -1, data: null };

export const byTime = (a: PartialMatch, b: PartialMatch) => (a.ts === -1 ? (b.ts === -1 ? 0 : 1) : b.ts === -1 ? -1 : a.ts - b.ts);

/**
 * The state every pattern processor shares and the steps by which a partial match is handed on
 * (Siddhi's pre state processors' addState and the post state processors): what `Nfa` builds on
 * when an event arrives, a wait passes or a `within` expires. All state lives in the `NfaState`
 * cell; nothing here holds events between calls.
 */
export abstract class NfaSteps {
  protected readonly procs: readonly ProcessorPlan[];
  protected readonly slotCount: number;
  protected readonly sequence: boolean;
  /** Creation rank of each absent element, to order timers due at the same time. */
  protected readonly rank: number[];

  constructor(
    readonly plan: NfaPlan,
    protected readonly cell: StateCell<NfaState>,
    protected readonly hooks: NfaHooks,
  ) {
    this.procs = plan.processors;
    this.slotCount = plan.processors.length;
    this.sequence = plan.type === 'sequence';
    this.rank = [];
    plan.startup.forEach((p, i) => (this.rank[p] = i));
  }

  protected st(p: number): ProcessorState {
    return this.cell.value.procs[p];
  }

  // --- partial matches ----------------------------------------------------------------------

  protected newMatch(): PartialMatch {
    return { id: this.cell.value.seq++, ts: -1, expired: false, slots: new Array(this.slotCount).fill(null) };
  }

  /** A copy sharing the event chains (Siddhi's StateEventCloner). */
  protected copy(m: PartialMatch): PartialMatch {
    return { id: this.cell.value.seq++, ts: m.ts, expired: false, slots: m.slots.slice() };
  }

  protected addEvent(m: PartialMatch, pos: number, ev: MatchedEvent): void {
    const c = m.slots[pos];
    if (c === null) m.slots[pos] = [ev];
    else c.push(ev);
  }

  protected removeLastEvent(m: PartialMatch, pos: number): void {
    const c = m.slots[pos];
    if (c === null) return;
    if (c.length <= 1) m.slots[pos] = null;
    else c.pop();
  }

  protected isExpired(m: PartialMatch, now: number): boolean {
    const within = this.plan.within;
    if (within === null) return false;
    for (const s of this.plan.startStateIds) {
      const c = m.slots[s];
      if (c !== null && Math.abs(c[0].ts - now) > within) return true;
    }
    return false;
  }

  protected isAbsent(p: number | null): boolean {
    return p !== null && (this.procs[p].kind === 'absent' || this.procs[p].kind === 'absentLogical');
  }

  protected notifyAt(p: number, time: number): void {
    this.st(p).timers.push(time);
    this.hooks.schedule(time);
  }

  protected init(p: number): void {
    const P = this.procs[p];
    const s = this.st(p);
    if (P.isStart && (!s.initialized || P.nextEvery !== null || (this.sequence && this.isAbsent(P.next)))) {
      this.addState(p, this.newMatch());
      s.initialized = true;
    }
  }

  // --- handing partial matches on -----------------------------------------------------------

  protected addState(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    const s = this.st(p);
    switch (P.kind) {
      case 'stream':
        if (!this.sequence || s.fresh.length === 0) s.fresh.push(m);
        return;
      case 'count':
        if (!this.sequence || s.fresh.length === 0) s.fresh.push(m);
        if (P.min === 0 && m.slots[p] === null) this.minCountReached(p, m);
        return;
      case 'logical':
        return this.logicalAdd(p, m);
      case 'absent':
        if (!s.active) return;
        if (this.sequence) s.fresh = [m];
        else s.fresh.push(m);
        if (!P.isStart) {
          s.lastScheduled = m.ts + P.waiting;
          this.notifyAt(p, s.lastScheduled);
        }
        return;
      case 'absentLogical':
        if (!s.active) return;
        this.logicalAdd(p, m);
        if (!P.isStart && P.waiting !== -1) {
          this.notifyAt(p, m.ts + P.waiting);
          const partner = this.procs[P.partner!];
          if (partner.kind === 'absentLogical') this.notifyAt(partner.stateId, m.ts + partner.waiting);
        }
        return;
    }
  }

  protected logicalAdd(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    const s = this.st(p);
    const partner = this.st(P.partner!);
    if (P.isStart || this.sequence) {
      if (s.fresh.length === 0) s.fresh.push(m);
      if (partner.fresh.length === 0) partner.fresh.push(m);
    } else {
      s.fresh.push(m);
      partner.fresh.push(m);
    }
  }

  protected addEveryState(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    const s = this.st(p);
    const c = this.copy(m);
    switch (P.kind) {
      case 'stream':
      case 'count':
        for (let i = p; i < c.slots.length; i++) c.slots[i] = null;
        s.fresh.push(c);
        return;
      case 'logical':
        for (let i = p; i < c.slots.length; i++) c.slots[i] = null;
        s.fresh.push(c);
        c.slots[P.partner!] = null;
        this.st(P.partner!).fresh.push(c);
        return;
      case 'absent':
        for (let i = p; i < c.slots.length; i++) c.slots[i] = null;
        s.fresh.push(c);
        s.lastScheduled = m.ts + P.waiting;
        this.notifyAt(p, s.lastScheduled);
        return;
      case 'absentLogical': {
        const own = c.slots[p];
        if (own !== null) c.ts = own[0].ts;
        c.slots[p] = null;
        c.slots[P.partner!] = null;
        s.fresh.push(c);
        this.st(P.partner!).fresh.push(c);
        return;
      }
    }
  }

  /** A counted sequence start element with minimum 0 puts a new partial match in place. */
  protected startStateReset(p: number): void {
    this.st(p).restart = true;
  }

  // --- post processors ----------------------------------------------------------------------

  protected post(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    switch (P.kind) {
      case 'stream':
        return this.streamPost(p, m);
      case 'count':
        return this.countPost(p, m);
      case 'logical':
        return this.logicalPost(p, m);
      case 'absent': {
        const s = this.st(p);
        s.changed = true;
        const ev = m.slots[p]![0];
        m.ts = ev.ts;
        s.returned = true;
        if (P.isStart && P.nextEvery === p) this.addEveryState(p, m);
        s.lastScheduled = ev.ts + P.waiting;
        this.notifyAt(p, s.lastScheduled);
        return;
      }
      case 'absentLogical': {
        const s = this.st(p);
        s.changed = true;
        s.returned = true;
        s.lastArrival = m.slots[p]![0].ts;
        return;
      }
    }
  }

  protected streamPost(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    const s = this.st(p);
    s.changed = true;
    m.ts = m.slots[p]![0].ts;
    if (P.toSelector) s.returned = true;
    if (P.next !== null) this.addState(P.next, m);
    if (P.nextEvery !== null) this.addEveryState(P.nextEvery, m);
    if (P.callback !== null) this.startStateReset(P.callback);
  }

  protected countPost(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    const s = this.st(p);
    const chain = m.slots[p]!;
    const n = chain.length;
    s.success = true;
    m.ts = chain[n - 1].ts;
    if (n >= P.min) {
      if (this.sequence) {
        if (P.next !== null) this.addState(P.next, m);
        if (n !== P.max) this.addState(p, m);
      } else if (n === P.min) this.minCountReached(p, m);
      if (n === P.max) s.changed = true;
    }
  }

  protected minCountReached(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    const s = this.st(p);
    if (P.toSelector) {
      s.changed = true;
      s.returned = true;
    }
    if (P.next !== null) this.addState(P.next, m);
    if (P.nextEvery !== null) this.addEveryState(P.nextEvery, m);
  }

  protected logicalPost(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    const partner = this.procs[P.partner!];
    if (P.logical === 'and') {
      const proceed = partner.kind === 'absentLogical' ? this.partnerCanProceed(partner.stateId, m) : m.slots[partner.stateId] !== null;
      if (proceed) this.streamPost(p, m);
      else this.st(p).changed = true;
      return;
    }
    this.streamPost(p, m);
    // `from A or B select ...`: the first element checks the last one's flag.
    if (partner.toSelector && P.thisLast === partner.stateId) this.st(partner.stateId).returned = true;
  }

  protected partnerCanProceed(p: number, m: PartialMatch): boolean {
    const P = this.procs[p];
    const s = this.st(p);
    if (this.sequence && P.nextEvery === null && s.lastArrival > 0) return false;
    if (P.waiting === -1) {
      if (P.nextEvery === null) return m.slots[p] === null;
      if (s.lastArrival > 0) {
        s.lastArrival = 0;
        this.init(p);
        return false;
      }
      return true;
    }
    return m.slots[p] !== null;
  }

  /** What an absent element does when its wait passed: Siddhi's sendEvent. */
  protected sendOn(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    const s = this.st(p);
    if (P.toSelector) this.hooks.emit(m);
    if (P.next !== null) this.addState(P.next, m);
    if (P.nextEvery !== null) this.addEveryState(P.nextEvery, m);
    else if (P.isStart) {
      s.active = false;
      if (P.kind === 'absentLogical' && P.logical === 'or' && this.procs[P.partner!].kind === 'absentLogical') this.st(P.partner!).active = false;
    }
    if (P.callback !== null) this.startStateReset(P.callback);
  }

}
