import { templateRegex, type MessageTemplate } from './message-templates';

/**
 * Which templates produced messages cover. A message is credited to the most specific template
 * that matches all of it (the one with the most literal text), so a generic template such as
 * `*() takes *` is not covered by a builtin's `#pol2Cart() takes 2 or 3 parameters, found 1`
 * when the builtin's own template is known. A message that embeds another (`* window: *` around
 * the planner's `in '*': *`, `*, nor in '*'` after a scope's message) credits the embedded
 * template too: each wildcard's text that is itself a whole message of a known template counts.
 */
export interface Credit {
  /** Which produced message, e.g. `case 3, diagnostic 0`. */
  readonly by: string;
  readonly message: string;
}

interface Compiled {
  readonly template: MessageTemplate;
  readonly regex: RegExp;
  /** The regex with a capture group per wildcard. */
  readonly capture: RegExp;
  readonly specificity: number;
}

function compile(t: MessageTemplate): Compiled {
  const literal = t.parts.filter((p): p is string => typeof p === 'string').join('');
  const body = t.parts.map(p => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '([\\s\\S]*)')).join('');
  return { template: t, regex: templateRegex(t.parts), capture: new RegExp(`^${body}$`), specificity: literal.length };
}

export class CoverageIndex {
  private readonly known: Compiled[];

  /** `templates`: every template a message may come from, required ones and known ones alike. */
  constructor(templates: readonly MessageTemplate[]) {
    this.known = templates.map(compile);
  }

  /** The templates a message is credited to (by identity of the template objects given). */
  creditsOf(message: string, depth = 0): Set<MessageTemplate> {
    const out = new Set<MessageTemplate>();
    const matching = this.known.filter(k => k.regex.test(message));
    if (!matching.length || depth > 4) return out;
    const best = Math.max(...matching.map(k => k.specificity));
    for (const k of matching) {
      if (k.specificity !== best) continue;
      out.add(k.template);
      const groups = k.capture.exec(message)?.slice(1) ?? [];
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
 * The required templates no message covers. Templates with the same text at several sites (one
 * message written twice) need as many distinct credited messages as they have sites.
 */
export function uncoveredTemplates(required: readonly MessageTemplate[], known: readonly MessageTemplate[], messages: readonly Credit[]): Uncovered[] {
  const index = new CoverageIndex([...required, ...known]);
  const creditedBy = new Map<MessageTemplate, Set<string>>();
  for (const m of messages) for (const t of index.creditsOf(m.message)) creditedBy.set(t, (creditedBy.get(t) ?? new Set()).add(m.by));
  const byText = new Map<string, MessageTemplate[]>();
  for (const t of required) byText.set(t.text, [...(byText.get(t.text) ?? []), t]);
  const out: Uncovered[] = [];
  for (const [text, sites] of byText) {
    const by = new Set<string>();
    // Known templates with the same text (e.g. a message a scope returns and a call site writes) share credits.
    for (const t of [...required, ...known]) if (t.text === text) for (const b of creditedBy.get(t) ?? []) by.add(b);
    if (by.size < sites.length) out.push({ text, sites: sites.map(s => s.site), credited: by.size });
  }
  return out;
}
