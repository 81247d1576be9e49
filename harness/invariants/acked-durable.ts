import { expectedContent, logicalId, storedMessages, type CallRecord } from '../history/history.js';
import type { Invariant, Violation } from './invariant.js';
import { describeCall } from './describe.js';
import { messageMatcher } from './message-matcher.js';

/** How a stored row differs from the message that was sent, in words; undefined when it is the same. */
export function alteration(sent: { role: string; content: string }, row: { role: string; content: string }): string | undefined {
  const parts: string[] = [];
  if (row.role !== sent.role) parts.push(`role ${sent.role} stored as ${row.role}`);
  if (row.content !== sent.content) {
    const a = [...sent.content];
    const b = [...row.content];
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    parts.push(`content of ${a.length} characters stored as ${b.length}, first difference at character ${i + 1}`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** Every call that resolved has its effect: the session exists with its owner and the message is stored. */
export const ackedDurable: Invariant = {
  name: 'acked-durable',
  description:
    'every call that resolved has its effect: the session exists with its owner, the message (the last one, for handleChat, and its reply) is stored as it was sent',
  check(history, snapshot) {
    const out: Violation[] = [];
    const sessions = new Map(snapshot.sessions.map((s) => [s.id, s.userId]));
    const match = messageMatcher(history);
    const deletes = history.calls.filter((c) => c.op === 'deleteSession' && c.outcome !== 'fail');
    // A write may rightly be gone when a delete of its session had not finished before the write began.
    // With tombstones (afterDelete 'refuse') a write after a delete should have been refused: deleted-stays-deleted judges it.
    const tombstones = history.semantics?.afterDelete === 'refuse';
    const mayBeDeleted = (c: CallRecord) => deletes.some((d) => d.sessionId === c.sessionId && (tombstones || d.completedAt > c.invokedAt));
    for (const c of history.calls) {
      // Issue 25: an operation's effect is the model's business (serializable).
      if (c.outcome !== 'ok' || c.op === 'deleteSession' || c.op === 'operation' || mayBeDeleted(c)) continue;
      const s = logicalId(history, c.sessionId);
      const owner = sessions.get(c.sessionId);
      if (owner === undefined) {
        out.push({ invariant: 'acked-durable', calls: [c.index], message: `${describeCall(c)} succeeded but session ${s} does not exist` });
        continue;
      }
      const writers = new Set(history.calls.filter((o) => o.sessionId === c.sessionId && o.outcome !== 'fail').map((o) => o.userId));
      if (owner !== c.userId && !writers.has(owner)) {
        out.push({
          invariant: 'acked-durable',
          calls: [c.index],
          message: `${describeCall(c)} succeeded but session ${s} is owned by ${logicalId(history, owner)}, who never wrote to it`,
        });
      }
      if (c.op !== 'logMessage' && c.op !== 'handleChat') continue;
      for (const m of storedMessages(c)) {
        const rows = match.find(snapshot, m);
        if (!rows) continue;
        const what = `message ${logicalId(history, m.messageId)}${m === c.reply ? ' (the reply)' : ''}`;
        if (rows.length === 0) {
          out.push({
            invariant: 'acked-durable',
            calls: [c.index],
            message: `${what} (acked to ${describeCall(c)}) is missing from session ${s}`,
          });
        } else if (!rows.some((r) => r.sessionId === c.sessionId)) {
          out.push({
            invariant: 'acked-durable',
            calls: [c.index],
            message: `${what} (acked to ${describeCall(c)}) is stored in session ${logicalId(history, rows[0]!.sessionId)}, not ${s}`,
          });
        } else {
          // Stored, but not as sent: truncated, normalised or re-roled content is a lost write too.
          const row = rows.find((r) => r.sessionId === c.sessionId)!;
          const altered = alteration({ role: m.role, content: expectedContent(m) }, row);
          if (altered)
            out.push({
              invariant: 'acked-durable',
              calls: [c.index],
              message: `${what} (acked to ${describeCall(c)}) is stored altered in session ${s}: ${altered}`,
            });
        }
      }
    }
    return out;
  },
};
