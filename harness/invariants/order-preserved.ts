import { logicalId, storedMessages, type CallRecord } from '../history/history.js';
import type { Snapshot } from '../contract/define-target.js';
import type { Invariant, Violation } from './invariant.js';
import { describeCall } from './describe.js';
import { messageMatcher } from './message-matcher.js';

type Row = Snapshot['messages'][number];
type Message = NonNullable<CallRecord['message']>;

/**
 * When call A succeeded before call B on the same session began, A's message comes before
 * B's in the session's display order; a call that persists a reply in the same request shows
 * it after its message. B's message counts as begun at the earliest invocation of any call
 * that carries it (a retry or a duplicate may have stored it before A ran); messages missing
 * from the session are acked-durable's business, and a pair with a deleteSession of the
 * session between them is not judged (A's message may have been deleted and stored again by
 * a duplicate).
 */
export const orderPreserved: Invariant = {
  name: 'order-preserved',
  description:
    "when one call's success came before another call on the same session began, its message comes first in display order (and a reply saved in the same request follows its message)",
  check(history, snapshot) {
    const out: Violation[] = [];
    const match = messageMatcher(history);
    const writes = history.calls.filter((c) => c.op === 'logMessage' || c.op === 'handleChat');
    const earliest = new Map<string, number>();
    for (const c of writes)
      for (const m of storedMessages(c)) earliest.set(m.messageId, Math.min(earliest.get(m.messageId) ?? Infinity, c.invokedAt));
    const carriers = (id: string) => writes.filter((c) => storedMessages(c).some((m) => m.messageId === id)).length;
    const rowsOf = new Map<string, Row[]>();
    for (const row of snapshot.messages) {
      const rows = rowsOf.get(row.sessionId) ?? [];
      rows.push(row);
      rowsOf.set(row.sessionId, rows);
    }
    // A delete between the two calls may have removed A's message and another carrier may have stored it again later.
    const deletes = history.calls.filter((c) => c.op === 'deleteSession' && c.outcome !== 'fail');
    const deleteBetween = (a: CallRecord, b: CallRecord) =>
      deletes.some((d) => d.sessionId === b.sessionId && d.invokedAt < b.completedAt && d.completedAt > a.invokedAt);
    const position = (c: CallRecord, m: Message) => (rowsOf.get(c.sessionId) ?? []).findIndex((r) => match.is(r, m));
    const acked = writes
      .filter((c) => c.outcome === 'ok')
      .flatMap((c) => storedMessages(c).map((m) => ({ c, m, pos: position(c, m) })))
      .filter((x) => x.pos >= 0);
    for (const b of acked) {
      const began = earliest.get(b.m.messageId)!;
      const a = acked.find(
        (a) =>
          a.c !== b.c &&
          a.c.sessionId === b.c.sessionId &&
          a.m.messageId !== b.m.messageId &&
          a.c.completedAt < began &&
          a.pos > b.pos &&
          !deleteBetween(a.c, b.c),
      );
      if (!a) continue;
      const am = logicalId(history, a.m.messageId);
      const bm = logicalId(history, b.m.messageId);
      out.push({
        invariant: 'order-preserved',
        calls: [a.c.index, b.c.index],
        message: `message ${am} of ${describeCall(a.c)} is shown after message ${bm} of ${describeCall(b.c)} in session ${logicalId(history, b.c.sessionId)}, although ${am}'s call succeeded before ${bm}'s began`,
      });
    }
    for (const c of writes) {
      if (c.outcome !== 'ok' || !c.message || !c.reply || carriers(c.reply.messageId) > 1) continue;
      const [q, r] = [position(c, c.message), position(c, c.reply)];
      if (q < 0 || r < 0 || r > q) continue;
      out.push({
        invariant: 'order-preserved',
        calls: [c.index],
        message: `reply ${logicalId(history, c.reply.messageId)} of ${describeCall(c)} is shown before its message ${logicalId(history, c.message.messageId)} in session ${logicalId(history, c.sessionId)}`,
      });
    }
    return out;
  },
};
