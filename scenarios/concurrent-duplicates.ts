import fc from 'fast-check';
import { MessageFactory, userIds } from '../harness/workload/message-factory.js';
import type { CallSpec } from '../harness/workload/workload.js';
import type { Scenario } from './scenario.js';

const KINDS = ['handleChat', 'handleChat-multi', 'createSession', 'logMessage', 'createSession+logMessage'] as const;

/** The same first request arrives two or three times at once (double submit, client retry, two tabs). */
export const concurrentDuplicates: Scenario = {
  name: 'concurrent-duplicates',
  description: 'two or three clients send the same first request (same session, same message ids) at the same time',
  arbitrary(caps) {
    const kinds = caps.handleChat ? KINDS : KINDS.filter((k) => !k.startsWith('handleChat'));
    const group = fc.record({
      copies: fc.integer({ min: 2, max: 3 }),
      kind: fc.constantFrom(...kinds),
      followUp: fc.boolean(),
    });
    return fc.record({ groups: fc.array(group, { minLength: 1, maxLength: 3 }), users: fc.integer({ min: 1, max: 2 }) }).map(({ groups, users }) => {
      const f = new MessageFactory();
      const us = userIds(users);
      const clients: CallSpec[][] = [];
      groups.forEach((g, i) => {
        const session = `s${i + 1}`;
        const user = us[i % us.length]!;
        const first: CallSpec[] = [];
        switch (g.kind) {
          case 'handleChat':
            first.push({ op: 'handleChat', session, user, messages: [f.next('user')], valid: true });
            break;
          case 'handleChat-multi':
            first.push({ op: 'handleChat', session, user, messages: [f.next('system'), f.next('user')], valid: true });
            break;
          case 'createSession':
            first.push({ op: 'createSession', session, user, title: 'New chat', valid: true });
            break;
          case 'logMessage':
            first.push({ op: 'logMessage', session, user, messages: [f.next('user')], valid: true });
            break;
          case 'createSession+logMessage':
            first.push({ op: 'createSession', session, user, title: 'New chat', valid: true },
              { op: 'logMessage', session, user, messages: [f.next('user')], valid: true });
            break;
        }
        const reply = g.followUp ? f.next('assistant') : undefined;
        for (let c = 0; c < g.copies; c++) {
          // Every copy is the same request, ids included: a duplicate is a retry, not a new message.
          const calls = first.map((call) => ({ ...call }));
          if (reply) calls.push({ op: 'logMessage', session, user, messages: [reply], valid: true });
          clients.push(calls);
        }
      });
      return { users: us, clients };
    });
  },
};
