import fc from 'fast-check';
import { perSessionWorkload } from '../harness/workload/per-session-workload.js';
import type { CallSpec } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

// Unknown ids; `x.3` and `x_3` differ only in punctuation, so a target that derives a unique
// column from the id (a username with non-alphanumerics replaced by `_`) makes them collide.
const UNKNOWN_IDS = ['x1', 'x2', 'x.3', 'x_3'] as const;
const KINDS = ['createSession', 'logMessage', 'handleChat', 'handleChat-system', 'createSession+logMessage'] as const;

/**
 * Calls from user ids that were never registered, next to registered users' valid calls.
 * A target may refuse the unknown users cleanly or create them, so their calls are not
 * valid; it may not leak 23503 (`…_user_id_fkey`). Two sessions of the same unknown user
 * at once probe user auto-creation races, and ids that differ only in punctuation probe
 * unique columns derived from the id.
 */
export const unknownUser: Scenario = {
  name: 'unknown-user',
  description:
    'user ids that were never registered (two of them differ only in punctuation) write sessions and messages, next to registered users writing their own',
  arbitrary(caps) {
    const kinds = caps.handleChat ? KINDS : KINDS.filter((k) => !k.startsWith('handleChat'));
    const plan = fc.record({
      unknown: fc.boolean(),
      unknownId: fc.constantFrom(...UNKNOWN_IDS),
      kind: fc.constantFrom(...kinds),
      reply: fc.boolean(),
    });
    // The scenario is about unknown users: the first session always has one.
    return perSessionWorkload(
      plan,
      {
        maxSessions: 4,
        prepare: (sessions) => (sessions.some((p) => p.unknown) ? sessions : [{ ...sessions[0]!, unknown: true }, ...sessions.slice(1)]),
      },
      (p, { session, user: registered, messages: f }) => {
        const user = p.unknown ? p.unknownId : registered;
        const valid = !p.unknown;
        const calls: CallSpec[] = [];
        switch (p.kind) {
          case 'createSession':
            calls.push({ op: 'createSession', session, user, title: 'New chat', valid });
            break;
          case 'logMessage':
            calls.push({ op: 'logMessage', session, user, messages: [f.next('user')], valid });
            break;
          case 'handleChat':
            calls.push({ op: 'handleChat', session, user, messages: [f.next('user')], valid });
            break;
          case 'handleChat-system':
            calls.push({ op: 'handleChat', session, user, messages: [f.next('system'), f.next('user')], valid });
            break;
          case 'createSession+logMessage':
            calls.push(
              { op: 'createSession', session, user, title: 'New chat', valid },
              { op: 'logMessage', session, user, messages: [f.next('user')], valid },
            );
            break;
        }
        if (p.reply) calls.push({ op: 'logMessage', session, user, messages: [f.next('assistant')], valid });
        return [calls];
      },
    );
  },
};
