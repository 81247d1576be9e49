import { logicalId, storedMessages, type CallRecord } from '../history/history.js';
import { messageMatcher, type MessageMatcher } from './message-matcher.js';
import type { Snapshot } from '../contract/define-target.js';
import type { Invariant, Violation } from './invariant.js';
import { describeCall } from './describe.js';

const WRITES = new Set<CallRecord['op']>(['createSession', 'logMessage', 'handleChat']);

/** Whether call `c` persists snapshot row `row` (its message or its reply), as `match` tells rows apart. */
function persists(match: MessageMatcher, c: CallRecord, row: Snapshot['messages'][number]): boolean {
  if (c.op !== 'logMessage' && c.op !== 'handleChat') return false;
  return storedMessages(c).some((m) => match.is(row, m));
}

/**
 * A session keeps the owner of its first successful write, and no other user's message
 * lands in it. The first write is the first, by completion, of the createSession /
 * logMessage / handleChat calls on the session that succeeded; when a deleteSession may
 * have removed the session, only writes that began after every such delete had finished
 * count (the session may have been created anew by someone else).
 */
export const sessionOwnership: Invariant = {
  name: 'session-ownership',
  description: 'a session keeps the owner of its first successful write; a message from another user never lands in it (it is refused)',
  check(history, snapshot) {
    const out: Violation[] = [];
    const owners = new Map<string, string>();
    for (const s of snapshot.sessions) if (!owners.has(s.id)) owners.set(s.id, s.userId);

    for (const [sessionId, owner] of owners) {
      const calls = history.calls.filter((c) => c.sessionId === sessionId);
      const deletesEnd = Math.max(
        -Infinity,
        ...calls.filter((c) => c.op === 'deleteSession' && c.outcome !== 'fail').map((c) => c.completedAt),
      );
      const first = calls
        .filter((c) => WRITES.has(c.op) && c.outcome === 'ok' && c.invokedAt > deletesEnd)
        .sort((a, b) => a.completedAt - b.completedAt)[0];
      if (first && first.userId !== owner) {
        out.push({
          invariant: 'session-ownership',
          calls: [first.index],
          message: `session ${logicalId(history, sessionId)} is owned by ${logicalId(history, owner)}, but its first successful write was ${describeCall(first)} by ${logicalId(history, first.userId)}`,
        });
      }
    }

    const match = messageMatcher(history);
    for (const row of snapshot.messages) {
      const owner = owners.get(row.sessionId);
      if (owner === undefined) continue; // no-orphans judges a message without its session
      const writers = history.calls.filter((c) => persists(match, c, row));
      if (writers.length === 0 || writers.some((c) => c.userId === owner)) continue;
      const c = writers[0]!;
      out.push({
        invariant: 'session-ownership',
        calls: writers.map((w) => w.index),
        message: `message ${logicalId(history, storedMessages(c).find((m) => match.is(row, m))!.messageId)} of ${describeCall(c)} (${c.outcome}) landed in session ${logicalId(history, row.sessionId)}, which belongs to ${logicalId(history, owner)}`,
      });
    }
    return out;
  },
};
