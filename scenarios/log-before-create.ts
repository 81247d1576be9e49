import fc from 'fast-check';
import { perSessionWorkload } from '../harness/workload/per-session-workload.js';
import type { CallSpec } from '../harness/workload/workload.js';
import type { Scenario } from '../harness/workload/scenario.js';

/** Messages are logged to a session before (or without) createSession: seed 000's failing path. */
export const logBeforeCreate: Scenario = {
  name: 'log-before-create',
  description: 'logMessage on a session that was never created, then perhaps createSession afterwards, one client per session',
  arbitrary() {
    const plan = fc.record({
      before: fc.integer({ min: 1, max: 3 }),
      create: fc.constantFrom('never' as const, 'after' as const),
      after: fc.integer({ min: 0, max: 2 }),
    });
    return perSessionWorkload(plan, { maxSessions: 3 }, (p, { session, user, messages: f }) => {
      const calls: CallSpec[] = [];
      let turn = 0;
      const log = () => {
        const role = turn++ % 2 === 0 ? 'user' : 'assistant';
        calls.push({ op: 'logMessage', session, user, messages: [f.next(role)], valid: true });
      };
      for (let k = 0; k < p.before; k++) log();
      if (p.create === 'after') calls.push({ op: 'createSession', session, user, title: 'Late title', valid: true });
      for (let k = 0; k < p.after; k++) log();
      return [calls];
    });
  },
};
