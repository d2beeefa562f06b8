import type { MatchedEvent, ProcessorPlan, RuntimeNode } from '../../plan/pattern-plan';
import type { PartialMatch, ProcessorState } from './nfa-state';
import { ABSENT, byTime, NfaSteps } from './nfa-steps';

/**
 * Siddhi's pattern and sequence state processors over plain state: every list, flag and timer
 * lives in the `NfaState` cell, so a runtime rebuilt from a snapshot continues exactly where the
 * other stopped. Each method mirrors what the corresponding Siddhi pre/post state processor does
 * (StreamPre/Post, CountPre/Post, LogicalPre/Post, AbsentStreamPre/Post, AbsentLogicalPre/Post).
 */
export class Nfa extends NfaSteps {
  // --- start-up -----------------------------------------------------------------------------

  /** The query starts: start elements put their first partial match in place; absent ones arm. */
  start(): void {
    this.initNode(this.plan.root);
    const now = this.hooks.now();
    for (const p of this.plan.startup) {
      const P = this.procs[p];
      const s = this.st(p);
      if (s.started) continue;
      s.started = true;
      if (!P.isStart || P.waiting === -1 || !s.active) continue;
      if (P.kind === 'absent') {
        s.lastScheduled = now + P.waiting;
        this.notifyAt(p, s.lastScheduled);
      } else this.notifyAt(p, now + P.waiting);
    }
  }

  private initNode(n: RuntimeNode): void {
    switch (n.kind) {
      case 'stream':
        return this.init(n.first);
      case 'next':
        this.initNode(n.current);
        return this.initNode(n.next);
      case 'logical':
        this.initNode(n.r2);
        return this.initNode(n.r1);
      case 'every':
        return this.initNode(n.inner);
    }
  }

  // --- what arrives before each event -------------------------------------------------------

  /** Siddhi's stabilizeStates: expire by `within`, then refresh the waiting lists. */
  stabilize(stream: string, ts: number): void {
    for (let p = 0; p < this.procs.length; p++) this.expireEvents(p, ts);
    if (this.sequence) {
      this.resetNode(this.plan.root);
      this.updateNode(this.plan.root);
    } else for (const p of this.plan.refresh.get(stream) ?? []) this.updateState(p);
  }

  /**
   * Frees, without waiting for an event, the partial matches `within` has expired. Siddhi only
   * expires on arrival; dropping them earlier changes nothing observable except where expiry has a
   * side effect (restarting an `every` group), so elements inside an `every` group are left to the
   * next event as in Siddhi.
   */
  expireQuietly(now: number): void {
    for (let p = 0; p < this.procs.length; p++) {
      if (this.procs[p].withinEvery !== null) continue;
      const s = this.st(p);
      // Not marked expired: an `every` element sharing it must still restart its group later.
      const alive = (m: PartialMatch) => !this.isExpired(m, now);
      if (s.pending.length) s.pending = s.pending.filter(alive);
      if (s.fresh.length) s.fresh = s.fresh.filter(alive);
    }
  }

  private resetNode(n: RuntimeNode): void {
    switch (n.kind) {
      case 'stream':
      case 'every':
        return this.resetState(n.first);
      case 'next':
        this.resetNode(n.next);
        return this.resetNode(n.current);
      case 'logical':
        return this.resetNode(n.r2);
    }
  }

  private updateNode(n: RuntimeNode): void {
    switch (n.kind) {
      case 'stream':
      case 'every':
        return this.updateState(n.first);
      case 'next':
        this.updateNode(n.current);
        return this.updateNode(n.next);
      case 'logical':
        return this.updateNode(n.r2);
    }
  }

  private nextHasPending(P: ProcessorPlan): boolean {
    return P.next !== null && this.st(P.next).pending.length > 0;
  }

  private resetState(p: number): void {
    const P = this.procs[p];
    const s = this.st(p);
    if (P.kind === 'logical' || P.kind === 'absentLogical') {
      const partner = this.st(P.partner!);
      if (P.logical === 'or' || s.pending.length === partner.pending.length) {
        s.pending = [];
        partner.pending = [];
        if (P.isStart && s.fresh.length === 0) {
          if (this.sequence && P.nextEvery === null && this.nextHasPending(P)) return;
          this.init(p);
        }
      }
      return;
    }
    s.pending = [];
    if (P.kind === 'absent') {
      if (P.isStart) {
        if (this.sequence && P.nextEvery === null && this.nextHasPending(P)) return;
        this.init(p);
      }
      return;
    }
    if (P.isStart && s.fresh.length === 0) {
      if (this.sequence && P.nextEvery === null && this.nextHasPending(P)) return;
      this.init(p);
    }
  }

  private moveFresh(s: ProcessorState): void {
    if (s.fresh.length === 0) return;
    s.fresh.sort(byTime);
    for (const m of s.fresh) s.pending.push(m);
    s.fresh = [];
  }

  private updateState(p: number): void {
    const P = this.procs[p];
    const s = this.st(p);
    if (P.kind === 'count' && s.restart) {
      s.restart = false;
      this.init(p);
    }
    this.moveFresh(s);
    if (P.kind === 'logical' || P.kind === 'absentLogical') this.moveFresh(this.st(P.partner!));
  }

  private expireEvents(p: number, ts: number): void {
    if (this.plan.within === null) return;
    const P = this.procs[p];
    const s = this.st(p);
    let expired: PartialMatch | null = null;
    let i = 0;
    for (; i < s.pending.length; i++) {
      const m = s.pending[i];
      if (!this.isExpired(m, ts)) break;
      if (!m.expired) {
        m.expired = true;
        expired = m;
      }
    }
    if (i > 0) s.pending = s.pending.slice(i);
    if (s.fresh.length) {
      const kept: PartialMatch[] = [];
      for (const m of s.fresh) {
        if (!this.isExpired(m, ts)) kept.push(m);
        else if (!m.expired) {
          m.expired = true;
          expired = m;
        }
      }
      if (kept.length !== s.fresh.length) s.fresh = kept;
    }
    if (expired !== null && P.withinEvery !== null) {
      this.addEveryState(P.withinEvery, expired);
      this.updateState(P.withinEvery);
    }
  }

  // --- an event arrives ---------------------------------------------------------------------

  /** Tries `ev` on every partial match waiting at `p`; returns the complete matches. */
  processAndReturn(p: number, ev: MatchedEvent): PartialMatch[] {
    switch (this.procs[p].kind) {
      case 'stream':
        return this.streamProcess(p, ev, this.sequence);
      case 'absent':
        if (!this.st(p).active) return [];
        this.streamProcess(p, ev, false);
        return [];
      case 'count':
        return this.countProcess(p, ev);
      case 'logical':
        return this.logicalProcess(p, ev);
      case 'absentLogical':
        this.absentLogicalProcess(p, ev);
        return [];
    }
  }

  /** Runs the filters; on success the post processor hands the match on. */
  private tryStep(p: number, m: PartialMatch): void {
    const P = this.procs[p];
    this.st(p).changed = false;
    if (this.hooks.accepts(P, m)) this.post(p, m);
  }

  private takeReturned(p: number): boolean {
    const last = this.st(this.procs[p].thisLast);
    if (!last.returned) return false;
    last.returned = false;
    return true;
  }

  /** The pending list after a pass over its first `n` entries: the kept ones, then any added meanwhile. */
  private finish(s: ProcessorState, list: PartialMatch[], n: number, kept: PartialMatch[]): void {
    if (s.pending !== list) s.pending = kept.concat(s.pending);
    else s.pending = list.length > n ? kept.concat(list.slice(n)) : kept;
  }

  private streamProcess(p: number, ev: MatchedEvent, removeOnNoChange: boolean): PartialMatch[] {
    const P = this.procs[p];
    const s = this.st(p);
    const out: PartialMatch[] = [];
    const list = s.pending;
    const n = list.length;
    const kept: PartialMatch[] = [];
    for (let i = 0; i < n; i++) {
      const m = list[i];
      m.slots[p] = [ev];
      this.tryStep(p, m);
      if (this.takeReturned(p)) out.push(m);
      if (s.changed) continue;
      m.slots[p] = null;
      if (this.sequence) {
        if (P.callback !== null) this.startStateReset(P.callback);
        if (removeOnNoChange) continue;
      }
      kept.push(m);
    }
    this.finish(s, list, n, kept);
    return out;
  }

  private countProcess(p: number, ev: MatchedEvent): PartialMatch[] {
    const s = this.st(p);
    const out: PartialMatch[] = [];
    const slots = this.slotCount;
    const list = s.pending;
    const n = list.length;
    const kept: PartialMatch[] = [];
    for (let i = 0; i < n; i++) {
      const m = list[i];
      // The next element took it: it no longer collects here.
      if ((p + 1 < slots && m.slots[p + 1] !== null) || (p + 2 < slots && m.slots[p + 2] !== null)) continue;
      this.addEvent(m, p, ev);
      s.success = false;
      this.tryStep(p, m);
      if (this.takeReturned(p)) out.push(m);
      let keep = !s.changed;
      if (!s.success) {
        this.removeLastEvent(m, p);
        if (this.sequence) keep = false;
      }
      if (keep) kept.push(m);
    }
    this.finish(s, list, n, kept);
    return out;
  }

  private logicalProcess(p: number, ev: MatchedEvent): PartialMatch[] {
    const P = this.procs[p];
    const s = this.st(p);
    const out: PartialMatch[] = [];
    const list = s.pending;
    const n = list.length;
    const kept: PartialMatch[] = [];
    for (let i = 0; i < n; i++) {
      const m = list[i];
      // `or` whose other side already matched.
      if (P.logical === 'or' && m.slots[P.partner!] !== null) continue;
      m.slots[p] = [ev];
      this.tryStep(p, m);
      if (this.takeReturned(p)) out.push(m);
      if (s.changed) continue;
      m.slots[p] = null;
      if (!this.sequence) kept.push(m);
    }
    this.finish(s, list, n, kept);
    return out;
  }

  private absentLogicalProcess(p: number, ev: MatchedEvent): void {
    const P = this.procs[p];
    const s = this.st(p);
    if (!s.active) return;
    const list = s.pending;
    const n = list.length;
    const kept: PartialMatch[] = [];
    for (let i = 0; i < n; i++) {
      const m = list[i];
      if (P.logical === 'or' && m.slots[P.partner!] !== null) continue;
      const current = m.slots[p];
      m.slots[p] = [ev];
      this.tryStep(p, m);
      if (P.waiting !== -1 || (this.sequence && P.logical === 'and' && P.nextEvery !== null)) m.slots[p] = current;
      let keep = true;
      if (this.takeReturned(p)) {
        // Its stream arrived: no longer a candidate for absence.
        keep = false;
        if (this.sequence) {
          const partner = this.st(P.partner!);
          const at = partner.pending.indexOf(m);
          if (at >= 0) partner.pending.splice(at, 1);
        }
      }
      if (!s.changed) {
        m.slots[p] = current;
        if (this.sequence) keep = false;
      }
      if (keep) kept.push(m);
    }
    this.finish(s, list, n, kept);
  }

  // --- timers of absent elements ------------------------------------------------------------

  /** Fires, in order, every timer of every absent element that is due by `now`. */
  fireTimers(now: number): void {
    // A zero `for` time re-arms at the same instant forever (Siddhi loops there too): bounded.
    let budget = 100_000;
    for (;;) {
      const due: { p: number; t: number }[] = [];
      this.cell.value.procs.forEach((s, p) => {
        if (s.timers.length && s.timers[0] <= now) due.push({ p, t: s.timers[0] });
      });
      if (!due.length) return;
      due.sort((a, b) => a.t - b.t || this.rank[a.p] - this.rank[b.p]);
      for (const { p } of due) {
        const s = this.st(p);
        while (s.timers.length && s.timers[0] <= now) {
          if (budget-- <= 0) {
            s.timers = s.timers.filter(t => t > now);
            continue;
          }
          const t = s.timers.shift()!;
          if (this.procs[p].kind === 'absent') this.absentTimer(p, t);
          else this.absentLogicalTimer(p, t);
        }
      }
    }
  }

  private absentTimer(p: number, t: number): void {
    const P = this.procs[p];
    const s = this.st(p);
    if (!s.active) return;
    let initialize = P.isStart && s.fresh.length === 0 && s.pending.length === 0;
    if (initialize && this.sequence && P.nextEvery === null && s.lastScheduled > 0) initialize = false;
    if (initialize) this.addState(p, this.newMatch());
    else if (this.sequence && s.fresh.length > 0) this.resetState(p);
    this.updateState(p);
    const ready: PartialMatch[] = [];
    const kept: PartialMatch[] = [];
    for (const m of s.pending) {
      if (this.isExpired(m, t)) {
        if (P.withinEvery !== null && P.nextEvery !== null && P.nextEvery !== p) this.addEveryState(P.nextEvery, m);
        continue;
      }
      if ((m.ts === -1 && t >= s.lastScheduled) || (m.ts !== -1 && t >= m.ts + P.waiting)) {
        m.ts = t;
        ready.push(m);
      } else kept.push(m);
    }
    s.pending = kept;
    if (P.withinEvery !== null) this.updateState(P.withinEvery);
    for (const m of ready) this.sendOn(p, m);
    const actual = this.hooks.now();
    if (actual > P.waiting + t) s.lastScheduled = actual + P.waiting;
    if (ready.length === 0 && s.lastScheduled < t) {
      s.lastScheduled = t + P.waiting;
      this.notifyAt(p, s.lastScheduled);
    }
  }

  private absentLogicalTimer(p: number, t: number): void {
    const P = this.procs[p];
    const s = this.st(p);
    if (!s.active) return;
    let notProcessed = true;
    if (t >= s.lastArrival + P.waiting) {
      if (P.isStart && this.sequence && s.fresh.length === 0 && s.pending.length === 0) this.addState(p, this.newMatch());
      else if (this.sequence && s.fresh.length > 0) this.resetState(p);
      this.updateState(p);
      let expired: PartialMatch | null = null;
      const ready: PartialMatch[] = [];
      const kept: PartialMatch[] = [];
      const partner = P.partner!;
      for (const m of s.pending) {
        if (this.isExpired(m, t)) {
          expired = m;
          continue;
        }
        const own = m.slots[p];
        const passed = own === null ? t >= m.ts + P.waiting : t >= own[0].ts + P.waiting;
        if (!passed) {
          kept.push(m);
          continue;
        }
        if (P.logical === 'or' && m.slots[partner] === null) {
          this.addEvent(m, p, ABSENT);
          ready.push(m);
        } else if (P.logical === 'and' && m.slots[partner] !== null) ready.push(m);
        // `and` whose other side has not come yet: mark this side done and let the other decide.
        else if (P.logical === 'and') this.addEvent(m, p, ABSENT);
      }
      s.pending = kept;
      if (expired !== null && P.withinEvery !== null) {
        this.addEveryState(P.withinEvery, expired);
        this.updateState(P.withinEvery);
      }
      notProcessed = ready.length === 0;
      for (const m of ready) {
        m.ts = t;
        this.sendOn(p, m);
      }
      s.lastArrival = 0;
    }
    if (P.nextEvery !== null || (notProcessed && P.isStart)) {
      const nextBreak = s.lastArrival === 0 ? this.hooks.now() + P.waiting : s.lastArrival + P.waiting;
      this.notifyAt(p, nextBreak);
    }
  }

  // --- bookkeeping --------------------------------------------------------------------------

  /** Every distinct partial match held, with at least one event (fresh start states excluded). */
  partialMatches(): Set<PartialMatch> {
    const all = new Set<PartialMatch>();
    for (const s of this.cell.value.procs) {
      for (const m of s.pending) if (m.slots.some(c => c !== null)) all.add(m);
      for (const m of s.fresh) if (m.slots.some(c => c !== null)) all.add(m);
    }
    return all;
  }

  /** Entries in all waiting lists (a cheap upper bound of the partial matches held). */
  heldEntries(): number {
    let n = 0;
    for (const s of this.cell.value.procs) n += s.pending.length + s.fresh.length;
    return n;
  }

  /** Drops the given partial matches from every list. */
  drop(victims: Set<PartialMatch>): void {
    for (const s of this.cell.value.procs) {
      s.pending = s.pending.filter(m => !victims.has(m));
      s.fresh = s.fresh.filter(m => !victims.has(m));
    }
  }

  /** The earliest time `expireQuietly` would free a partial match, or null. */
  nextExpiry(): number | null {
    const within = this.plan.within;
    if (within === null) return null;
    let earliest: number | null = null;
    for (let p = 0; p < this.procs.length; p++) {
      if (this.procs[p].withinEvery !== null) continue;
      const s = this.st(p);
      for (const list of [s.pending, s.fresh])
        for (const m of list)
          for (const sid of this.plan.startStateIds) {
            const c = m.slots[sid];
            if (c !== null && (earliest === null || c[0].ts < earliest)) earliest = c[0].ts;
          }
    }
    return earliest === null ? null : earliest + within + 1;
  }
}
