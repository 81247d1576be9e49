import fc from 'fast-check';
import { perSessionWorkload } from '../harness/workload/per-session-workload.js';
import type { CallSpec } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

const KINDS = ['handleChat', 'createSession', 'handleChat-multi', 'logMessage', 'createSession+logMessage'] as const;

/** Two or three first requests for the same new session arrive at once: the check-then-insert race. */
export const concurrentDuplicates: Scenario = {
  name: 'concurrent-duplicates',
  description: 'two or three clients send a first request for the same new session at once (two tabs, a double submit), each with its own message',
  arbitrary(caps) {
    const kinds = caps.handleChat ? [...KINDS] : KINDS.filter((k) => !k.startsWith('handleChat'));
    const group = fc.record({
      copies: fc.integer({ min: 2, max: 3 }),
      kind: fc.constantFrom(...kinds),
      followUp: fc.boolean(),
    });
    return perSessionWorkload(group, { maxSessions: 3 }, (g, { session, user, messages: f }) => {
      const clients: CallSpec[][] = [];
      const reply = g.followUp ? f.next('assistant') : undefined;
      for (let c = 0; c < g.copies; c++) {
        // Each copy is its own first request for the same new session (two tabs, a double submit);
        // re-sent message ids are retry-after-error's business.
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
          case 'createSession+logMessage':
            calls.push({ op: 'createSession', session, user, title: 'New chat', valid: true },
              { op: 'logMessage', session, user, messages: [own('user')], valid: true });
            break;
        }
        if (reply && c === 0) calls.push({ op: 'logMessage', session, user, messages: [reply], valid: true });
        clients.push(calls);
      }
      return clients;
    });
  },
};
