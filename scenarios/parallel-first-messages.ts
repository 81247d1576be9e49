import fc from 'fast-check';
import { perSessionWorkload } from '../harness/workload/per-session-workload.js';
import type { CallSpec, WorkloadMessage } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

/**
 * A route that fires both writes in the background: the user message and the assistant
 * reply of a new session are logged at the same time by two clients, with no createSession
 * first; follow-up turns do the same. A target that saves the reply in the same request gets
 * two tabs' whole requests (question and reply) racing on the new session instead. Every
 * call is valid.
 */
export const parallelFirstMessages: Scenario = {
  name: 'parallel-first-messages',
  description:
    'the user message and the assistant reply of a new session are logged at the same time by two clients, no createSession first',
  arbitrary(caps) {
    const plan = fc.record({
      first: fc.constantFrom('logMessage' as const, 'handleChat' as const, 'handleChat-system' as const),
      followUps: fc.integer({ min: 0, max: 2 }),
    });
    return perSessionWorkload(plan, { maxSessions: 2 }, (p, { session, user, messages: f }) => {
      if (caps.replyInRequest) {
        // The reply is saved by the request that asked for it: two tabs' whole requests race instead.
        const tab = (n: number): CallSpec[] => {
          const calls: CallSpec[] = [];
          const history: WorkloadMessage[] = p.first === 'handleChat-system' ? [f.next('system')] : [];
          for (let t = 0; t <= p.followUps; t++) {
            history.push(f.next('user', t === 0 ? `First question from tab ${n}` : `Follow-up question ${t} from tab ${n}`));
            const reply = f.next('assistant');
            calls.push({ op: 'handleChat', session, user, messages: [...history], reply, valid: true });
            history.push(reply);
          }
          return calls;
        };
        return [tab(1), tab(2)];
      }
      const asker: CallSpec[] = [];
      const replier: CallSpec[] = [];
      const history: WorkloadMessage[] = [];
      const chat = caps.handleChat && p.first !== 'logMessage';
      if (chat && p.first === 'handleChat-system') history.push(f.next('system'));
      for (let t = 0; t <= p.followUps; t++) {
        const question = f.next('user', t === 0 ? undefined : `Follow-up question ${t}`);
        const reply = f.next('assistant');
        history.push(question);
        asker.push(
          chat
            ? { op: 'handleChat', session, user, messages: [...history], valid: true }
            : { op: 'logMessage', session, user, messages: [question], valid: true },
        );
        replier.push({ op: 'logMessage', session, user, messages: [reply], valid: true });
        history.push(reply);
      }
      return [asker, replier];
    });
  },
};
