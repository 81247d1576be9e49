import fc from 'fast-check';
import { MessageFactory, userIds } from '../harness/workload/message-factory.js';
import type { CallSpec, WorkloadMessage } from '../harness/workload/workload.js';
import type { Role } from '../harness/contract/define-target.js';
import type { Scenario } from '../harness/workload/scenario.js';

/** Kinds of awkward content a chat store must take (or, for `nul`, refuse cleanly). */
export const HOSTILE_KINDS = ['emoji', 'big', 'nul', 'sql', 'html', 'template', 'empty', 'repeat'] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number] | 'plain';

/** 100 kB of pasted text. */
const BIG = 'A long pasted document, the kind users drop into a chat box. '.repeat(2000).slice(0, 100_000);

/** What a user types again and again: every message of this kind has exactly this content. */
export const REPEATED_TEXT = 'ok';

/** The texts themselves; the factory appends ` #mN` so these contents stay unique within the trial. */
export const HOSTILE_TEXT: Record<Exclude<HostileKind, 'empty' | 'plain' | 'repeat'>, string> = {
  emoji:
    'Zalgo Z\u0351\u0327a\u0336l\u0338g\u0334o, e\u0301 vs \u00e9, \u{1F469}\u{1F3FD}\u200D\u{1F4BB} \u{1F1FA}\u{1F1F3} \u{1D518}\u{1D52B}\u{1D526} \u0645\u0631\u062D\u0628\u0627 \u6F22\u5B57 \u202Eevil\u202C \u{1F600}',
  big: BIG,
  // PostgreSQL text cannot hold U+0000 (22021): a target must refuse it cleanly, so calls carrying it are not valid.
  nul: 'before\u0000after',
  sql: "'); DROP TABLE chat_messages; --",
  html: '<script>window.__pwned=1</script><img src=x onerror=alert(1)>',
  template: "$1 $& $' ${process.exit()} {{constructor}} %s %n \\x00 \\\\",
};

/** Session ids that differ only in case or punctuation (`_` and `%` are also LIKE wildcards). */
export const LOOKALIKE_SESSION_IDS = ['a.b', 'A.B', 'a_b', 'a%b'] as const;

/**
 * Hands out hostile messages through a MessageFactory. Content is `text #mN`, except the
 * empty kind, which is truly empty (only the trial's first empty message is, later ones are
 * whitespace plus the tag), and the repeat kind, which is "ok" every time: code that tells
 * messages apart by content must not merge them.
 */
export class HostileMessages {
  private emptyUsed = false;
  constructor(readonly f: MessageFactory) {}
  next(role: Role, kind: HostileKind): { message: WorkloadMessage; storable: boolean } {
    if (kind === 'plain') return { message: this.f.next(role), storable: true };
    if (kind === 'repeat') return { message: { ...this.f.next(role), content: REPEATED_TEXT }, storable: true };
    if (kind === 'empty') {
      const m = this.f.next(role, ' \t\n');
      if (this.emptyUsed) return { message: m, storable: true };
      this.emptyUsed = true;
      return { message: { ...m, content: '' }, storable: true };
    }
    return { message: this.f.next(role, HOSTILE_TEXT[kind]), storable: kind !== 'nul' };
  }
}

const TITLE_KINDS = ['plain', 'emoji', 'sql', 'html', 'template', 'empty', 'repeat'] as const;
const TITLES: Record<(typeof TITLE_KINDS)[number], string> = {
  plain: 'New chat',
  emoji: HOSTILE_TEXT.emoji,
  sql: HOSTILE_TEXT.sql,
  html: HOSTILE_TEXT.html,
  template: HOSTILE_TEXT.template,
  empty: '',
  repeat: REPEATED_TEXT,
};

/**
 * Awkward content and ids: emoji and combining characters, a 100 kB message, NUL bytes
 * (not valid: PostgreSQL rejects them with 22021, so a clean refusal is right), SQL- and
 * HTML-looking text, `$1`-style replacement patterns, empty content, the same short text
 * ("ok") in several messages, and session ids that
 * differ only in case or punctuation, written at the same time by one client per session.
 */
export const hostileInput: Scenario = {
  name: 'hostile-input',
  description:
    'emoji and combining characters, 100 kB text, NUL bytes, SQL- and HTML-looking text, empty content, "ok" repeated in several messages, session ids a.b / A.B / a_b / a%b at once',
  arbitrary(caps) {
    const session = fc.record({
      create: fc.option(fc.constantFrom(...TITLE_KINDS), { nil: undefined }),
      messages: fc.array(fc.record({ kind: fc.constantFrom(...HOSTILE_KINDS), chat: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    });
    return fc
      .record({ sessions: fc.array(session, { minLength: 1, maxLength: 3 }), users: fc.integer({ min: 1, max: 2 }) })
      .map(({ sessions, users }) => {
        const hostile = new HostileMessages(new MessageFactory());
        const us = userIds(users);
        const clients = sessions.map((p, i) => {
          const session = LOOKALIKE_SESSION_IDS[i]!;
          const user = us[i % us.length]!;
          const calls: CallSpec[] = [];
          if (p.create !== undefined) calls.push({ op: 'createSession', session, user, title: TITLES[p.create], valid: true });
          const history: WorkloadMessage[] = [];
          p.messages.forEach((m, k) => {
            const role: Role = k % 2 === 0 ? 'user' : 'assistant';
            const { message, storable } = hostile.next(role, m.kind);
            // A real client sends the user's turn with the conversation so far; replies are logged.
            if (caps.handleChat && m.chat && role === 'user') {
              calls.push({ op: 'handleChat', session, user, messages: [...history, message], valid: storable });
            } else {
              calls.push({ op: 'logMessage', session, user, messages: [message], valid: storable });
            }
            if (storable) history.push(message);
          });
          return calls;
        });
        return { users: us, clients };
      });
  },
};
