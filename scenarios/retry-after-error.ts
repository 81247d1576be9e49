import fc from 'fast-check';
import { faultArbitrary } from '../harness/workload/fault-arbitrary.js';
import { perSessionWorkload } from '../harness/workload/per-session-workload.js';
import type { CallSpec, Fault, Workload } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

const MAX_CALLS = 12;
const FIRST = ['handleChat', 'handleChat-multi', 'createSession+logMessage', 'logMessage'] as const;

/** Calls whose connection the harness kills mid-flight or whose statement times out, each retried by its client with the same ids. */
export const retryAfterError: Scenario = {
  name: 'retry-after-error',
  description:
    "the harness kills a call's connection (pg_terminate_backend) before or after one of its statements (its COMMIT too), or makes it hit a statement timeout; the client retries the call with the same messageId",
  arbitrary(caps) {
    const firsts = caps.handleChat ? [...FIRST] : FIRST.filter((k) => !k.startsWith('handleChat'));
    const fault: fc.Arbitrary<Fault | null> = fc.option(faultArbitrary(), { freq: 2, nil: null });
    const plan = fc.record({
      first: fc.constantFrom(...firsts),
      firstFault: fault,
      // Follow-up messages of the conversation, alternating user and assistant, each perhaps faulted.
      more: fc.array(fault, { maxLength: 2 }),
    });
    return perSessionWorkload(plan, { maxSessions: 3 }, (p, { session, user, messages: f }) => {
      const calls: CallSpec[] = [];
      // A faulted call is followed by its retry: the same request, same ids, no fault.
      const add = (spec: CallSpec, fault: Fault | null) => {
        if (!fault) {
          calls.push(spec);
          return;
        }
        calls.push({ ...spec, fault }, { ...spec, retry: true });
      };
      switch (p.first) {
        case 'handleChat':
          add({ op: 'handleChat', session, user, messages: [f.next('user')], valid: true }, p.firstFault);
          break;
        case 'handleChat-multi':
          add({ op: 'handleChat', session, user, messages: [f.next('system'), f.next('user')], valid: true }, p.firstFault);
          break;
        case 'createSession+logMessage':
          add({ op: 'createSession', session, user, title: 'New chat', valid: true }, p.firstFault);
          calls.push({ op: 'logMessage', session, user, messages: [f.next('user')], valid: true });
          break;
        case 'logMessage':
          add({ op: 'logMessage', session, user, messages: [f.next('user')], valid: true }, p.firstFault);
          break;
      }
      p.more.forEach((fault, k) => {
        add({ op: 'logMessage', session, user, messages: [f.next(k % 2 === 0 ? 'assistant' : 'user')], valid: true }, fault);
      });
      return [calls];
    }).map(capCalls);
  },
};

/** Keeps workloads small: drops the last call (with its retry, if it is one) of the busiest client until at most MAX_CALLS remain. */
function capCalls(w: Workload): Workload {
  const clients = w.clients.map((calls) => [...calls]);
  const total = () => clients.reduce((n, c) => n + c.length, 0);
  while (total() > MAX_CALLS) {
    const busiest = clients.reduce((a, b) => (b.length > a.length ? b : a));
    if (busiest.pop()?.retry) busiest.pop();
  }
  return { ...w, clients };
}
