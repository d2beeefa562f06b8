import type { Partition } from '../ast/nodes';
import { parseDuration } from '../kernel/duration';
import type { PartitionKeyPlan, PartitionPlan, QueryPlan } from '../plan/plan';
import { annotationValue } from './annotations';
import { fingerprint } from './fingerprint';
import type { PlanContext } from './planning-context';
import { planQuery } from './query-planner';
import { eventSource } from './scope';

/**
 * `partition with (expr of S, ... | cond as 'label' or ... of S) begin ... end`: the queries are
 * planned once; the runtime gives every key its own instance of them.
 */
export function planPartition(ctx: PlanContext, p: Partition, n: number): PartitionPlan | null {
  const id = `partition_${n}`;
  const keys: PartitionKeyPlan[] = [];
  const seen = new Set<string>();
  for (const w of p.with) {
    const src = ctx.resolveSource({ kind: 'SingleInput', pos: w.pos, stream: { kind: 'StreamId', pos: w.pos, id: w.stream, isInner: false, isFault: false }, handlers: [] });
    if (!src) continue;
    if (src.kind !== 'stream') {
      ctx.error(w.pos, `'${w.stream}' is a ${src.kind}; partitions are keyed on streams`, w.stream.length);
      continue;
    }
    if (seen.has(src.id)) ctx.error(w.pos, `stream '${w.stream}' is partitioned twice`);
    seen.add(src.id);
    const scope = ctx.scopeOf([eventSource(src.id, [src.id], src.attributes)]);
    if (w.kind === 'ValuePartition') {
      const c = ctx.compiler.compile(w.expression, scope);
      if (c.type !== null) keys.push({ kind: 'value', stream: src.id, key: c.fn });
    } else {
      const ranges = w.ranges.map(r => ({ label: r.label, condition: ctx.compiler.condition(r.condition, scope, 'range condition').fn }));
      keys.push({ kind: 'range', stream: src.id, ranges });
    }
  }
  let purge: PartitionPlan['purge'];
  const purgeAnnotation = p.annotations.find(a => a.name.toLowerCase() === 'purge');
  if (purgeAnnotation && (annotationValue(purgeAnnotation, 'enable') ?? 'true').toLowerCase() === 'true') {
    const ms = (key: string) => {
      const text = annotationValue(purgeAnnotation, key);
      const v = text === undefined ? undefined : parseDuration(text);
      if (v === undefined || v <= 0) ctx.error(purgeAnnotation.pos, `@purge needs a positive '${key}' such as '${key === 'interval' ? '1 sec' : '15 sec'}', found ${text === undefined ? 'none' : `'${text}'`}`);
      return v ?? 1;
    };
    purge = { intervalMs: ms('interval'), idleMs: ms('idle.period') };
  }
  const outer = ctx.partitionScope;
  ctx.partitionScope = { inner: new Map() };
  const queries: QueryPlan[] = [];
  p.queries.forEach((q, k) => {
    const planned = planQuery(ctx, q, k + 1, `${id}/`);
    if (planned) queries.push(planned);
  });
  const inner = [...ctx.partitionScope.inner.values()];
  ctx.partitionScope = outer;
  const partitioned = new Set(keys.map(k => k.stream));
  const innerIds = new Set(inner.map(s => s.id));
  const used = new Set(
    queries.flatMap(q => (q.join ? [q.join.left, q.join.right].flatMap(s => (s.kind === 'stream' ? [s.stream] : s.kind === 'window' ? [s.window] : [])) : q.state ? q.state.streams : [q.inputStream])),
  );
  const broadcast = [...used].filter(s => !partitioned.has(s) && !innerIds.has(s));
  return { id, fingerprint: fingerprint(p), keys, queries, innerStreams: inner, broadcast, purge };
}
