import fc from 'fast-check';
import { MessageFactory } from '../harness/workload/message-factory.js';
import type { CallSpec, WorkloadMessage } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

const FIRST = ['createSession', 'logMessage', 'handleChat', 'handleChat-system'] as const;
const THEN = ['own', 'intrude-log', 'intrude-chat', 'intrude-create', 'intrude-delete'] as const;

/**
 * A second user writes to a session that already has an owner; the intruder may be a user
 * whose id differs from the owner's only in case (`U1` next to `u1`). Every client starts with a
 * write of the owner, so by the time any of its other calls begin, the session exists and
 * is the owner's; the intruder's logMessage / handleChat / createSession / deleteSession
 * calls that follow are not valid (they should be refused), the owner's are.
 */
export const crossUser: Scenario = {
  name: 'cross-user',
  description:
    'u1 writes session s1, then u2 (or U1, an id that differs only in case) writes to (or creates, or deletes) s1 while u1 keeps writing',
  arbitrary(caps) {
    const firsts = caps.handleChat ? FIRST : FIRST.filter((k) => !k.startsWith('handleChat'));
    const client = fc.record({
      first: fc.constantFrom(...firsts),
      then: fc.array(fc.constantFrom(...THEN), { minLength: 0, maxLength: 2 }),
    });
    const session = fc.array(client, { minLength: 1, maxLength: 2 });
    const sessionsArb = fc.array(session, { minLength: 1, maxLength: 2 });
    return fc.tuple(sessionsArb, fc.boolean()).map(([generated, caseOnly]) => {
      const f = new MessageFactory();
      // The scenario is about intruders: when none was drawn, the first client gets one.
      const intrudes = generated.some((s) => s.some((c) => c.then.some((t) => t !== 'own')));
      const sessions = intrudes
        ? generated
        : [
            [{ ...generated[0]![0]!, then: [...generated[0]![0]!.then, 'intrude-log' as const] }, ...generated[0]!.slice(1)],
            ...generated.slice(1),
          ];
      const clients: CallSpec[][] = [];
      sessions.forEach((sessionClients, i) => {
        const session = `s${i + 1}`;
        // Session i belongs to u1 or u2 in turn; the other one intrudes.
        const owner = i % 2 === 0 ? 'u1' : 'u2';
        // A registered user of its own whose id differs only in case: a target comparing ids case-insensitively lets it in.
        const intruder = caseOnly ? owner.toUpperCase() : i % 2 === 0 ? 'u2' : 'u1';
        // Intrusions need at least one of the first writes to be done, so no client intrudes before its own owner write.
        sessionClients.forEach((c) => {
          const calls: CallSpec[] = [];
          const history: WorkloadMessage[] = [];
          const own = (messages: WorkloadMessage[]) => {
            history.push(...messages);
            calls.push(
              caps.handleChat && messages.at(-1)!.role === 'user'
                ? { op: 'handleChat', session, user: owner, messages: [...history], valid: true }
                : { op: 'logMessage', session, user: owner, messages: [messages.at(-1)!], valid: true },
            );
          };
          switch (c.first) {
            case 'createSession':
              calls.push({ op: 'createSession', session, user: owner, title: 'Mine', valid: true });
              break;
            case 'logMessage':
              calls.push({ op: 'logMessage', session, user: owner, messages: [f.next('user')], valid: true });
              break;
            case 'handleChat':
              own([f.next('user')]);
              break;
            case 'handleChat-system':
              own([f.next('system'), f.next('user')]);
              break;
          }
          let turn = 0;
          for (const t of c.then) {
            switch (t) {
              case 'own':
                own([f.next(turn++ % 2 === 0 ? 'assistant' : 'user')]);
                break;
              case 'intrude-log':
                calls.push({ op: 'logMessage', session, user: intruder, messages: [f.next('user', 'Is this my chat?')], valid: false });
                break;
              case 'intrude-chat':
                calls.push(
                  caps.handleChat
                    ? { op: 'handleChat', session, user: intruder, messages: [f.next('user', 'Is this my chat?')], valid: false }
                    : { op: 'logMessage', session, user: intruder, messages: [f.next('user', 'Is this my chat?')], valid: false },
                );
                break;
              case 'intrude-create':
                calls.push({ op: 'createSession', session, user: intruder, title: 'Taken', valid: false });
                break;
              case 'intrude-delete':
                calls.push(
                  caps.deleteSession
                    ? { op: 'deleteSession', session, user: intruder, valid: false }
                    : { op: 'logMessage', session, user: intruder, messages: [f.next('assistant', 'Injected reply')], valid: false },
                );
                break;
            }
          }
          clients.push(calls);
        });
      });
      return { users: caseOnly ? ['u1', 'u2', 'U1', 'U2'] : ['u1', 'u2'], clients };
    });
  },
};
