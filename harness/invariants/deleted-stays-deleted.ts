import { logicalId, storedMessages } from '../history/history.js';
import type { Invariant, Violation } from './invariant.js';
import { describeCall } from './describe.js';
import { messageMatcher } from './message-matcher.js';
import { visibleRow } from './session-visibility.js';

/**
 * After the owner's successful deleteSession, no message written before it began is visible (present,
 * neither it nor its session flagged deleted); with tombstones (afterDelete 'refuse') a write
 * that began after the delete of an existing session returned must not succeed. Writes racing the delete may land on
 * either side of it, and with afterDelete 'recreate' (the default) later writes start a new
 * conversation.
 */
export const deletedStaysDeleted: Invariant = {
  name: 'deleted-stays-deleted',
  description:
    "a deleted session's messages stay deleted: none written before the delete is visible, and with afterDelete 'refuse' none is accepted after it",
  check(history, snapshot) {
    const out: Violation[] = [];
    const match = messageMatcher(history);
    // Another user's delete may rightly remove nothing (delete-ownership judges it): only the owner's count.
    const owner = new Map(snapshot.sessions.map((s) => [s.id, s.userId]));
    const deletes = history.calls.filter(
      (c) => c.op === 'deleteSession' && c.outcome === 'ok' && (!owner.has(c.sessionId) || owner.get(c.sessionId) === c.userId),
    );
    const writes = history.calls.filter((c) => c.op === 'logMessage' || c.op === 'handleChat');
    for (const row of snapshot.messages) {
      if (!visibleRow(snapshot, row)) continue;
      const carriers = writes.filter((c) => c.sessionId === row.sessionId && storedMessages(c).some((m) => match.is(row, m)));
      if (carriers.length === 0) continue;
      // Written before a delete began, by every call that carries it: that delete should have taken it.
      // A call that timed out may still commit after it was abandoned.
      const d = deletes.find(
        (x) => x.sessionId === row.sessionId && carriers.every((c) => c.outcome !== 'info' && c.completedAt < x.invokedAt),
      );
      if (!d) continue;
      const c = carriers[0]!;
      const m = storedMessages(c).find((x) => match.is(row, x))!;
      out.push({
        invariant: 'deleted-stays-deleted',
        calls: [c.index, d.index],
        message: `message ${logicalId(history, m.messageId)} of ${describeCall(c)} is still visible in session ${logicalId(history, row.sessionId)} after ${describeCall(d)} succeeded`,
      });
    }
    if (history.semantics?.afterDelete === 'refuse') {
      for (const c of history.calls) {
        if (c.outcome !== 'ok' || c.op === 'deleteSession') continue;
        // Only a delete of a session that existed leaves a tombstone.
        const existed = (x: typeof c) =>
          history.calls.some(
            (w) => w.sessionId === x.sessionId && w.op !== 'deleteSession' && w.outcome === 'ok' && w.completedAt < x.invokedAt,
          );
        const d = deletes.find((x) => x.sessionId === c.sessionId && x.completedAt < c.invokedAt && existed(x));
        if (d)
          out.push({
            invariant: 'deleted-stays-deleted',
            calls: [d.index, c.index],
            message: `${describeCall(c)} succeeded on session ${logicalId(history, c.sessionId)} after ${describeCall(d)} deleted it (the target declares afterDelete: 'refuse')`,
          });
      }
    }
    return out;
  },
};
