import fc from 'fast-check';
import { perSessionWorkload } from '../harness/workload/per-session-workload.js';
import type { CallSpec, WorkloadMessage } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

/** A new session's first request already carries several messages (system prompt + user, or replayed history): seed 001. */
export const multiMessageFirstRequest: Scenario = {
  name: 'multi-message-first-request',
  description: "a new session's first handleChat carries [system, user] or replayed history; follow-up turns send the whole history",
  arbitrary(caps) {
    const plan = fc.record({
      system: fc.boolean(),
      priorTurns: fc.integer({ min: 0, max: 2 }),
      logReply: fc.boolean(),
      followUps: fc.integer({ min: 0, max: 2 }),
    });
    return perSessionWorkload(plan, { maxSessions: 3 }, (p, { session, user, messages: f }) => {
      const calls: CallSpec[] = [];
      const history: WorkloadMessage[] = [];
      // The first request always holds at least two messages: that is the point of the scenario.
      if (p.system || p.priorTurns === 0) history.push(f.next('system'));
      for (let t = 0; t < p.priorTurns; t++) history.push(f.next('user', 'Earlier question'), f.next('assistant', 'Earlier answer'));
      history.push(f.next('user'));
      const send = (messages: WorkloadMessage[]) => {
        if (caps.handleChat) calls.push({ op: 'handleChat', session, user, messages: [...messages], valid: true });
        else for (const m of messages) calls.push({ op: 'logMessage', session, user, messages: [m], valid: true });
      };
      send(history);
      for (let t = 0; t <= p.followUps; t++) {
        if (t > 0) {
          const question = f.next('user', `Follow-up question ${t}`);
          history.push(question);
          caps.handleChat ? send(history) : send([question]);
        }
        if (p.logReply || t > 0) {
          const reply = f.next('assistant');
          history.push(reply);
          calls.push({ op: 'logMessage', session, user, messages: [reply], valid: true });
        }
      }
      return [calls];
    });
  },
};
