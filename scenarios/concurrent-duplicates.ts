import fc from 'fast-check';
import { perSessionWorkload } from '../harness/workload/per-session-workload.js';
import type { CallSpec } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

const KINDS = ['handleChat', 'createSession', 'handleChat-multi', 'logMessage', 'createSession+logMessage', 'double-submit'] as const;

/**
 * Two or three first requests for the same new session arrive at once: the check-then-insert
 * race. Each is its own tab's request, or (double-submit) the very same request sent again
 * at once by a double click or a proxy's retry: same message id, same content, all must succeed.
 */
export const concurrentDuplicates: Scenario = {
  name: 'concurrent-duplicates',
  description:
    'two or three clients send a first request for the same new session at once: two tabs, each with its own message, or the identical request twice (a double submit)',
  arbitrary(caps) {
    const kinds = caps.handleChat ? [...KINDS] : KINDS.filter((k) => !k.startsWith('handleChat'));
    const group = fc.record({
      copies: fc.integer({ min: 2, max: 3 }),
      kind: fc.constantFrom(...kinds),
      followUp: fc.boolean(),
    });
    return perSessionWorkload(group, { maxSessions: 3 }, (g, { session, user, messages: f }) => {
      const clients: CallSpec[][] = [];
      // Drawn once, so every copy of a double submit carries the same message.
      const submitted = g.kind === 'double-submit' ? f.next('user') : undefined;
      const reply = g.followUp ? f.next('assistant') : undefined;
      for (let c = 0; c < g.copies; c++) {
        // Each copy is its own first request for the same new session (another tab), or the same request again.
        const own = (role: 'system' | 'user') => f.next(role, role === 'user' ? `First message from tab ${c + 1}` : undefined);
        const calls: CallSpec[] = [];
        switch (g.kind) {
          case 'handleChat':
            calls.push({ op: 'handleChat', session, user, messages: [own('user')], valid: true });
            break;
          case 'handleChat-multi':
            calls.push({ op: 'handleChat', session, user, messages: [own('system'), own('user')], valid: true });
            break;
          case 'createSession':
            calls.push({ op: 'createSession', session, user, title: 'New chat', valid: true });
            break;
          case 'logMessage':
            calls.push({ op: 'logMessage', session, user, messages: [own('user')], valid: true });
            break;
          case 'double-submit':
            calls.push(
              caps.handleChat
                ? { op: 'handleChat', session, user, messages: [submitted!], valid: true }
                : { op: 'logMessage', session, user, messages: [submitted!], valid: true },
            );
            break;
          case 'createSession+logMessage':
            calls.push(
              { op: 'createSession', session, user, title: 'New chat', valid: true },
              { op: 'logMessage', session, user, messages: [own('user')], valid: true },
            );
            break;
        }
        if (reply && c === 0) calls.push({ op: 'logMessage', session, user, messages: [reply], valid: true });
        clients.push(calls);
      }
      return clients;
    });
  },
};
