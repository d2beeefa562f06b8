import type { MessageTemplate } from './message-templates';

/**
 * Which templates produced messages cover.
 *
 * A message credits the planner templates that match all of it, except those that a more
 * specific matching template refines: `Cannot find attribute '*' in *` (a scope's, for a join)
 * is not covered by `Cannot find attribute 'zz' in any stream of the pattern (e1, e2)`, which the
 * pattern scope's own template matches, and `*() takes *` (an aggregation's) is not covered by the
 * builtin's `#pol2Cart() takes 2 to 3 parameters, found 1`. U refines T when T matches U's text
 * with U's wildcards as they are. The builtins' templates are known for this but not required.
 *
 * A message that embeds another (a builtin's `* window: *` around the planner's `in '*': *`)
 * credits the embedded message's templates too: each wildcard's text is taken as a message.
 */
export interface Credit {
  /** Which produced message, e.g. `case 3, diagnostic 0`. */
  readonly by: string;
  readonly message: string;
}

interface Compiled {
  readonly template: MessageTemplate;
  readonly group: string;
  readonly regex: RegExp;
}

/** A wildcard between quotes (`'${id}'`) stands for a name and holds no quote itself. */
function regexOf(t: MessageTemplate): RegExp {
  const body = t.parts
    .map((p, i) => {
      if (typeof p === 'string') return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const before = t.parts[i - 1];
      const after = t.parts[i + 1];
      const quoted = typeof before === 'string' && before.endsWith("'") && typeof after === 'string' && after.startsWith("'");
      return quoted ? "([^']*)" : '([\\s\\S]*)';
    })
    .join('');
  return new RegExp(`^${body}$`);
}

export class CoverageIndex {
  private readonly all: Compiled[];
  private readonly required: Set<MessageTemplate>;

  /**
   * `required`: the planner's templates; `known`: others a message may come from (the builtins').
   * `groupOf` names the message a template writes: templates of one group do not refine each other.
   */
  constructor(required: readonly MessageTemplate[], known: readonly MessageTemplate[], groupOf: (t: MessageTemplate) => string = t => t.text) {
    this.required = new Set(required);
    this.all = [...required, ...known].map(t => ({ template: t, group: groupOf(t), regex: regexOf(t) }));
  }

  /** The required templates a message is credited to. */
  creditsOf(message: string, depth = 0): Set<MessageTemplate> {
    const out = new Set<MessageTemplate>();
    if (depth > 4) return out;
    const matching = this.all.filter(k => k.regex.test(message));
    const refined = (t: Compiled) => matching.some(u => u.group !== t.group && t.regex.test(u.template.text));
    for (const k of matching) {
      if (refined(k)) continue;
      if (this.required.has(k.template)) out.add(k.template);
      const groups = k.regex.exec(message)?.slice(1) ?? [];
      for (const g of groups) if (g && g !== message) for (const t of this.creditsOf(g, depth + 1)) out.add(t);
    }
    return out;
  }
}

export interface Uncovered {
  readonly text: string;
  readonly sites: readonly string[];
  /** How many messages were credited to it (fewer than its sites). */
  readonly credited: number;
}

/**
 * The required templates no message covers. The templates of one group (one message written at
 * several sites) need as many distinct credited messages as they have sites.
 */
export function uncoveredTemplates(
  required: readonly MessageTemplate[],
  known: readonly MessageTemplate[],
  messages: readonly Credit[],
  groupOf: (t: MessageTemplate) => string = t => t.text,
): Uncovered[] {
  const index = new CoverageIndex(required, known, groupOf);
  const creditedBy = new Map<MessageTemplate, Set<string>>();
  for (const m of messages) for (const t of index.creditsOf(m.message)) creditedBy.set(t, (creditedBy.get(t) ?? new Set()).add(m.by));
  const groups = new Map<string, MessageTemplate[]>();
  for (const t of required) groups.set(groupOf(t), [...(groups.get(groupOf(t)) ?? []), t]);
  const out: Uncovered[] = [];
  for (const sites of groups.values()) {
    const by = new Set<string>();
    for (const t of sites) for (const b of creditedBy.get(t) ?? []) by.add(b);
    if (by.size < sites.length) out.push({ text: [...new Set(sites.map(s => s.text))].join(' / '), sites: sites.map(s => s.site), credited: by.size });
  }
  return out;
}
