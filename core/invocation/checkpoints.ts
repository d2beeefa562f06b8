import type { RecordSource } from './invocation-types';

/** How many recent message ids per Pub/Sub subscription a unit remembers (replays older than that are processed again). */
export const MESSAGE_ID_WINDOW = 10_000;

/**
 * What a source's unit (see source-units.ts) keeps of the source: per shard (or per shard and partition key, as
 * `shard\u0000key`) the last sequence number, per subscription recent message ids.
 */
export interface StoredCheckpoints {
  readonly seq: Record<string, string>;
  readonly msg: Record<string, string[]>;
}

/** Between a shard id and a partition key in a checkpoint's name: no shard, file or subscription name holds it. */
const KEY_SEP = '\u0000';

/** The name of a source's checkpoint: the shard, or the shard and partition key. */
export function checkpointId(src: RecordSource): string {
  return src.key === undefined ? src.id : `${src.id}${KEY_SEP}${src.key}`;
}

/** The source (shard or subscription) a stored checkpoint's name belongs to. */
export function sourceOfCheckpoint(name: string): string {
  const i = name.indexOf(KEY_SEP);
  return i < 0 ? name : name.slice(0, i);
}

/**
 * Several units' checkpoints as one (the global unit's from before sources had units of their
 * own, and the sources' units): per sequence checkpoint the highest, per subscription the ids of
 * all, the most recent kept.
 */
export function mergeCheckpoints(all: readonly (StoredCheckpoints | undefined)[]): StoredCheckpoints {
  const seq: Record<string, string> = {};
  const msg: Record<string, string[]> = {};
  for (const c of all) {
    if (!c) continue;
    for (const [k, v] of Object.entries(c.seq)) if (seq[k] === undefined || seqAfter(v, seq[k])) seq[k] = v;
    for (const [k, ids] of Object.entries(c.msg)) msg[k] = msg[k] ? [...new Set([...msg[k], ...ids])].slice(-MESSAGE_ID_WINDOW) : ids;
  }
  return { seq, msg };
}

/** The checkpoints of the given sources, and the rest. */
export function splitCheckpoints(c: StoredCheckpoints, sources: ReadonlySet<string>): { mine: Map<string, StoredCheckpoints>; rest: StoredCheckpoints } {
  const mine = new Map<string, { seq: Record<string, string>; msg: Record<string, string[]> }>([...sources].map(s => [s, { seq: {}, msg: {} }]));
  const rest: { seq: Record<string, string>; msg: Record<string, string[]> } = { seq: {}, msg: {} };
  for (const [k, v] of Object.entries(c.seq)) (mine.get(sourceOfCheckpoint(k)) ?? rest).seq[k] = v;
  for (const [k, v] of Object.entries(c.msg)) (mine.get(k) ?? rest).msg[k] = v;
  return { mine, rest };
}

/** Compares decimal sequence numbers of any length. */
function seqAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/**
 * The sources' positions a run has committed or passed (DESIGN.md section 3, step 4): a record at
 * or below its shard's checkpoint, or whose message id was seen, is a replay and is skipped.
 */
export class Checkpoints {
  private readonly seq: Record<string, string>;
  private readonly msg: Record<string, string[]>;
  private readonly seen = new Map<string, Set<string>>();
  /** The last position passed per source in this run: the records after it with the same position pass too. */
  private readonly current = new Map<string, string>();

  /** `rewind`: sources whose stored positions are forgotten (their records count as new). */
  constructor(stored: StoredCheckpoints | undefined, rewind: readonly string[] = []) {
    this.seq = { ...(stored?.seq ?? {}) };
    this.msg = { ...(stored?.msg ?? {}) };
    for (const id of rewind) {
      for (const k of Object.keys(this.seq)) if (k === id || k.startsWith(id + KEY_SEP)) delete this.seq[k];
      delete this.msg[id];
    }
  }


  /**
   * Whether the record is new; a new record's position becomes the checkpoint. A record right
   * after one that passed, at the same position, is part of the same source record and passes.
   */
  pass(src: RecordSource): boolean {
    const key = `${src.kind}:${checkpointId(src)}`;
    if (this.current.get(key) === src.position) return true;
    const isNew = this.passNew(src);
    if (isNew) this.current.set(key, src.position);
    else this.current.delete(key);
    return isNew;
  }

  private passNew(src: RecordSource): boolean {
    if (src.kind === 'sequence') {
      // With a partition key, a checkpoint of the whole shard (written without keys) is a floor.
      const id = checkpointId(src);
      const floor = src.key === undefined ? undefined : this.seq[src.id];
      if (floor !== undefined && !seqAfter(src.position, floor)) return false;
      const last = this.seq[id];
      if (last !== undefined && !seqAfter(src.position, last)) return false;
      this.seq[id] = src.position;
      return true;
    }
    let ids = this.seen.get(src.id);
    if (!ids) this.seen.set(src.id, (ids = new Set(this.msg[src.id] ?? [])));
    if (ids.has(src.position)) return false;
    ids.add(src.position);
    this.msg[src.id] = [...(this.msg[src.id] ?? []), src.position].slice(-MESSAGE_ID_WINDOW);
    return true;
  }

  toStored(): StoredCheckpoints {
    return { seq: this.seq, msg: this.msg };
  }
}
