import { describeCall } from './describe.js';
import type { Invariant } from './invariant.js';

/** No call that returned (ok or refused) still holds a connection it checked out, or released one inside a transaction it opened. */
// Reported before the snapshot invariants: a leak starves later calls of connections, and their timeouts are its symptoms.
export const noLeaks: Invariant = {
  name: 'no-leaks',
  description: 'no call returns while still holding a connection it checked out, or leaves a transaction open on a connection it released',
  check(history) {
    return history.calls
      .filter((c) => c.leak && c.outcome !== 'info')
      .map((c) => ({
        invariant: 'no-leaks' as const,
        message: `${describeCall(c)} returned but ${c.leak}`,
        calls: [c.index],
      }));
  },
};
