import { logicalId, storedMessages } from '../history/history.js';
import type { Invariant, Violation } from './invariant.js';
import { messageMatcher } from './message-matcher.js';
import { describeCall, describeError } from './describe.js';

/**
 * A call that was refused cleanly (outcome fail, a domain error) left no message behind.
 * Calls whose outcome is unknown (`info`) and raw database errors are judged elsewhere; a
 * message that another call which did not fail also carries may rightly be stored.
 */
export const noPhantomWrites: Invariant = {
  name: 'no-phantom-writes',
  description: 'a call that failed cleanly (a refusal, not an info outcome) left no message behind',
  check(history, snapshot) {
    const out: Violation[] = [];
    const match = messageMatcher(history);
    for (const c of history.calls) {
      // A refusal caused by a killed connection says nothing about what committed before the kill.
      if (c.outcome !== 'fail' || c.fault || c.error?.kind !== 'domain' || (c.op !== 'logMessage' && c.op !== 'handleChat')) continue;
      for (const m of storedMessages(c)) {
        const rows = match.find(snapshot, m);
        if (!rows?.length) continue;
        const id = m.messageId;
        if (history.calls.some((o) => o !== c && o.outcome !== 'fail' && storedMessages(o).some((x) => x.messageId === id))) continue;
        out.push({
          invariant: 'no-phantom-writes',
          calls: [c.index],
          message: `message ${logicalId(history, id)} of ${describeCall(c)} is stored in session ${logicalId(history, rows[0]!.sessionId)} although the call was refused: ${describeError(c.error, history.ns)}`,
        });
      }
    }
    return out;
  },
};
