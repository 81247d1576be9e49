import fc from 'fast-check';
import { MessageFactory, userIds } from './message-factory.js';
import type { CallSpec, Workload } from './workload.js';

/** Where one session's plan lands: its id, its default owner and the workload's message factory. */
export interface SessionSlot {
  /** `s1`, `s2`, … in plan order. */
  session: string;
  /** The registered user who owns session i: users take turns. */
  user: string;
  /** Hands out the workload's message ids in order (`m1`, `m2`, …). */
  messages: MessageFactory;
}

/**
 * Workloads of one to `maxSessions` sessions, each drawn from `plan` and turned into its
 * clients (one or more call lists) by `clients`, with one or two registered users;
 * `prepare` may adjust the drawn plans first (e.g. force one of a kind).
 */
export function perSessionWorkload<P>(
  plan: fc.Arbitrary<P>,
  o: { maxSessions: number; prepare?: (plans: P[]) => P[] },
  clients: (p: P, slot: SessionSlot) => CallSpec[][],
): fc.Arbitrary<Workload> {
  return fc
    .record({ sessions: fc.array(plan, { minLength: 1, maxLength: o.maxSessions }), users: fc.integer({ min: 1, max: 2 }) })
    .map(({ sessions, users }) => {
      const messages = new MessageFactory();
      const us = userIds(users);
      const plans = o.prepare ? o.prepare(sessions) : sessions;
      return { users: us, clients: plans.flatMap((p, i) => clients(p, { session: `s${i + 1}`, user: us[i % us.length]!, messages })) };
    });
}
