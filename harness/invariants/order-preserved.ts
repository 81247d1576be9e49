import { logicalId, type CallRecord } from '../history/history.js';
import type { Snapshot } from '../contract/define-target.js';
import type { Invariant, Violation } from './invariant.js';
import { describeCall } from './describe.js';

type Row = Snapshot['messages'][number];

function matches(row: Row, m: NonNullable<CallRecord['message']>): boolean {
  return row.id !== undefined ? row.id === m.messageId : row.content === m.content;
}

/**
 * When call A succeeded before call B on the same session began, A's message comes before
 * B's in the session's display order. B's message counts as begun at the earliest
 * invocation of any call that carries it (a retry or a duplicate may have stored it before
 * A ran); messages missing from the session are acked-durable's business, and a pair with a
 * deleteSession of the session between them is not judged (A's message may have been
 * deleted and stored again by a duplicate).
 */
export const orderPreserved: Invariant = {
  name: 'order-preserved',
  description: "when one call's success came before another call on the same session began, its message comes first in display order",
  check(history, snapshot) {
    const out: Violation[] = [];
    const writes = history.calls.filter((c) => c.message && (c.op === 'logMessage' || c.op === 'handleChat'));
    const earliest = new Map<string, number>();
    for (const c of writes) {
      const id = c.message!.messageId;
      earliest.set(id, Math.min(earliest.get(id) ?? Infinity, c.invokedAt));
    }
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
    const position = (c: CallRecord) => (rowsOf.get(c.sessionId) ?? []).findIndex((r) => matches(r, c.message!));
    const acked = writes.filter((c) => c.outcome === 'ok').map((c) => ({ c, pos: position(c) })).filter((x) => x.pos >= 0);
    for (const b of acked) {
      const began = earliest.get(b.c.message!.messageId)!;
      const a = acked.find((a) => a.c.sessionId === b.c.sessionId && a.c.message!.messageId !== b.c.message!.messageId
        && a.c.completedAt < began && a.pos > b.pos && !deleteBetween(a.c, b.c));
      if (!a) continue;
      const am = logicalId(history, a.c.message!.messageId);
      const bm = logicalId(history, b.c.message!.messageId);
      out.push({ invariant: 'order-preserved', calls: [a.c.index, b.c.index],
        message: `message ${am} of ${describeCall(a.c)} is shown after message ${bm} of ${describeCall(b.c)} in session ${logicalId(history, b.c.sessionId)}, although ${am}'s call succeeded before ${bm}'s began` });
    }
    return out;
  },
};
