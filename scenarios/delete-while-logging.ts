import fc from 'fast-check';
import { MessageFactory, userIds } from '../harness/workload/message-factory.js';
import type { CallSpec, WorkloadMessage } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

/**
 * The owner deletes a session while other clients of the same user keep logging to it.
 * One client per session writes, deletes, and writes again (sequentially: its calls are
 * valid, the last ones start a new conversation on the same session id); writer clients
 * log at the same time, and since any of their writes may race a delete, which a target
 * may refuse ("session is being deleted"), they are not valid. Raw errors (23503 from a
 * message insert that lost the race) are findings all the same. A target without
 * deleteSession gets the same writes without the deletes.
 */
export const deleteWhileLogging: Scenario = {
  name: 'delete-while-logging',
  description: 'deleteSession races with logMessage / handleChat on the same session; writes after the delete recreate it',
  arbitrary(caps) {
    // One session per trial keeps the workload at 12 calls or fewer; the races are all on it.
    const plan = fc.record({
      setup: fc.constantFrom('createSession' as const, 'logMessage' as const, 'handleChat' as const),
      deletes: fc.integer({ min: 1, max: 2 }),
      after: fc.boolean(),
      writers: fc.array(fc.record({ writes: fc.integer({ min: 1, max: 3 }), chat: fc.boolean() }), { minLength: 1, maxLength: 2 }),
    });
    return plan.map((p) => {
      const f = new MessageFactory();
      const [user] = userIds(1) as [string];
      const session = 's1';
      const write = (history: WorkloadMessage[], m: WorkloadMessage, chat: boolean, valid: boolean): CallSpec =>
        caps.handleChat && chat && m.role === 'user'
          ? { op: 'handleChat', session, user, messages: [...history, m], valid }
          : { op: 'logMessage', session, user, messages: [m], valid };
      const owner: CallSpec[] = [];
      if (p.setup === 'createSession') owner.push({ op: 'createSession', session, user, title: 'Doomed', valid: true });
      owner.push(write([], f.next('user'), p.setup === 'handleChat', true));
      for (let d = 0; d < p.deletes; d++) {
        if (caps.deleteSession) owner.push({ op: 'deleteSession', session, user, valid: true });
        // After a delete, a new conversation starts on the same session id.
        if (p.after || d < p.deletes - 1) owner.push(write([], f.next('user', 'Starting over'), p.setup === 'handleChat', true));
      }
      const writers = p.writers.map((w) => {
        const history: WorkloadMessage[] = [];
        return Array.from({ length: w.writes }, (_, k) => {
          const m = f.next(k % 2 === 0 ? 'user' : 'assistant');
          const call = write(history, m, w.chat, false);
          history.push(m);
          return call;
        });
      });
      return { users: [user], clients: [owner, ...writers] };
    });
  },
};
