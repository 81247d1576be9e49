import fc from 'fast-check';
import { MessageFactory } from '../harness/workload/message-factory.js';
import type { CallSpec, WorkloadMessage } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

const FIRST = ['createSession', 'logMessage', 'handleChat'] as const;
const THEN = ['other-delete', 'own-write', 'own-delete'] as const;

/**
 * Another user deletes a session that already has an owner (and perhaps messages): the delete
 * must be refused or remove nothing. Every client starts with its owner's write (a
 * createSession or a first message), so by the time
 * the intruder's delete begins the session exists and is the owner's; the owner may go on
 * writing, and may delete the session itself (then write again: a new conversation, or a
 * refusal where the target declares tombstones). Without deleteSession, the intruder logs
 * a message instead (cross-user's check).
 */
export const deleteByOther: Scenario = {
  name: 'delete-by-other',
  description:
    'u1 writes session s1, then u2 deletes s1 (which must be refused or remove nothing) while u1 keeps writing, and may delete s1 itself',
  arbitrary(caps) {
    const firsts = caps.handleChat ? FIRST : FIRST.filter((k) => k !== 'handleChat');
    const client = fc.record({
      first: fc.constantFrom(...firsts),
      then: fc.array(fc.constantFrom(...THEN), { minLength: 1, maxLength: 3 }),
    });
    return fc.array(client, { minLength: 1, maxLength: 2 }).map((generated) => {
      const f = new MessageFactory();
      // The scenario is about another user's delete: when none was drawn, the first client gets one.
      const clients = generated.some((c) => c.then.includes('other-delete'))
        ? generated
        : [{ ...generated[0]!, then: ['other-delete' as const, ...generated[0]!.then.slice(0, 2)] }, ...generated.slice(1)];
      // Two clients: the second one's session is s2, owned by u2, which u1 tries to delete.
      return {
        users: ['u1', 'u2'],
        clients: clients.map((c, i) => {
          const session = `s${i + 1}`;
          const owner = i === 0 ? 'u1' : 'u2';
          const other = i === 0 ? 'u2' : 'u1';
          const calls: CallSpec[] = [];
          let history: WorkloadMessage[] = [];
          const write = () => {
            const m = f.next('user');
            history.push(m);
            calls.push(
              caps.handleChat && c.first === 'handleChat'
                ? { op: 'handleChat', session, user: owner, messages: [...history], valid: true }
                : { op: 'logMessage', session, user: owner, messages: [m], valid: true },
            );
          };
          if (c.first === 'createSession') calls.push({ op: 'createSession', session, user: owner, title: 'Mine', valid: true });
          else write();
          for (const t of c.then) {
            if (t === 'own-write') write();
            else if (t === 'own-delete' && caps.deleteSession) {
              calls.push({ op: 'deleteSession', session, user: owner, valid: true });
              history = [];
            } else if (t === 'other-delete') {
              calls.push(
                caps.deleteSession
                  ? { op: 'deleteSession', session, user: other, valid: false }
                  : { op: 'logMessage', session, user: other, messages: [f.next('user', 'Is this my chat?')], valid: false },
              );
            }
          }
          return calls;
        }),
      };
    });
  },
};
