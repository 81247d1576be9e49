import { logicalId, storedMessages, type CallRecord } from '../history/history.js';
import type { Invariant, Violation } from './invariant.js';
import { describeCall } from './describe.js';
import { messageMatcher } from './message-matcher.js';
import { liveSession, visibleRow } from './session-visibility.js';

const WRITES = new Set<CallRecord['op']>(['createSession', 'logMessage', 'handleChat']);

/**
 * Only the owner's delete removes anything: when another user's deleteSession succeeded (or
 * timed out) and something its owner had written before that delete began is gone (the
 * session, or a message acknowledged to the owner), and no delete of the owner's may explain
 * it, the other user's delete removed it. The owner is the user of the first successful write
 * on the session that completed before the delete began. An acknowledged delete that removed
 * nothing (`DELETE … WHERE user_id = $2` matching no row) is not judged: apps answer those either way.
 */
export const deleteOwnership: Invariant = {
  name: 'delete-ownership',
  description: "only the owner's deleteSession removes anything: another user's delete is refused or removes nothing",
  check(history, snapshot) {
    const out: Violation[] = [];
    const match = messageMatcher(history);
    for (const d of history.calls) {
      if (d.op !== 'deleteSession' || d.outcome === 'fail') continue;
      const before = history.calls
        .filter((c) => c.sessionId === d.sessionId && WRITES.has(c.op) && c.outcome === 'ok' && c.completedAt < d.invokedAt)
        .sort((a, b) => a.completedAt - b.completedAt);
      const owner = before[0]?.userId;
      if (owner === undefined || owner === d.userId) continue;
      const ownerDeletes = history.calls.filter(
        (c) => c.op === 'deleteSession' && c.sessionId === d.sessionId && c.userId === owner && c.outcome !== 'fail',
      );
      const explained = (w: CallRecord) => ownerDeletes.some((o) => o.completedAt > w.invokedAt);
      const s = logicalId(history, d.sessionId);
      const mine = before.filter((w) => w.userId === owner && !explained(w));
      let gone: string | undefined;
      if (mine.length && !liveSession(snapshot, d.sessionId)) gone = `session ${s} is gone`;
      for (const w of mine) {
        if (gone) break;
        for (const m of storedMessages(w)) {
          const rows = match.find(snapshot, m);
          if (rows && !rows.some((r) => r.sessionId === d.sessionId && visibleRow(snapshot, r))) {
            gone = `message ${logicalId(history, m.messageId)} (acked to ${describeCall(w)}) is gone`;
            break;
          }
        }
      }
      if (gone)
        out.push({
          invariant: 'delete-ownership',
          calls: [d.index],
          message: `${describeCall(d)} by ${logicalId(history, d.userId)} (${d.outcome}) deleted ${logicalId(history, owner)}'s session ${s}: ${gone}`,
        });
    }
    return out;
  },
};
