import type { FailureSnapshot, SnapshotMark } from './results.js';
import { logicalId, storedMessages, type CallRecord, type History } from '../history/history.js';
import { messageMatcher } from '../invariants/message-matcher.js';
import type { Snapshot } from '../contract/define-target.js';

// A shrunk trial holds a handful of rows, but hostile-input stores 100 kB messages: results.json keeps a readable slice.
const MAX_CONTENT = 300;
const MAX_MESSAGES = 200;

type Row = Snapshot['messages'][number];

/**
 * The rows of a failing trial as a report shows them: ids without the trial prefix, content
 * clipped, and each row marked where it breaks an invariant (orphan, duplicate, phantom,
 * misplaced), plus the acknowledged messages the database does not hold.
 */
export function failureSnapshot(history: History, snapshot: Snapshot): FailureSnapshot {
  const id = (x: string) => logicalId(history, x);
  const users = new Set(snapshot.users.map((u) => u.id));
  const sessionCount = count(snapshot.sessions.map((s) => s.id));
  const sessionIds = new Set(snapshot.sessions.map((s) => s.id));

  // The call that carried each message id; a row is attributed to the first one.
  const carriers = new Map<string, CallRecord[]>();
  for (const c of history.calls) for (const m of storedMessages(c)) carriers.set(m.messageId, [...(carriers.get(m.messageId) ?? []), c]);
  const match = messageMatcher(history);
  const idCount = count(snapshot.messages.filter((m) => m.id !== undefined).map((m) => m.id!));
  const contentCount = count(snapshot.messages.map((m) => m.content));

  // A row with no id of its own is matched to its call by content, when only one message of the trial has it.
  const carrierOf = (m: Row): CallRecord[] => {
    if (m.id !== undefined) return carriers.get(m.id) ?? [];
    const owner = match.ownerOf(m.content);
    return owner === undefined ? [] : (carriers.get(owner) ?? []);
  };

  const messages: FailureSnapshot['messages'] = snapshot.messages.slice(0, MAX_MESSAGES).map((m) => {
    const marks: SnapshotMark[] = [];
    if (!sessionIds.has(m.sessionId)) marks.push('orphan');
    const ownedContent = match.ownerOf(m.content) !== undefined;
    if ((m.id !== undefined && idCount.get(m.id)! > 1) || (ownedContent && contentCount.get(m.content)! > 1)) marks.push('duplicate');
    const calls = carrierOf(m);
    // Stored although every call that carried it was refused cleanly: no-phantom-writes.
    if (calls.length && calls.every((c) => c.outcome === 'fail' && c.error?.kind === 'domain')) marks.push('phantom');
    if (calls.length && !calls.some((c) => c.sessionId === m.sessionId)) marks.push('misplaced');
    return {
      ...(m.id !== undefined ? { id: id(m.id) } : {}),
      sessionId: id(m.sessionId),
      role: m.role,
      content: clip(m.content),
      contentLength: m.content.length,
      ...(calls[0] ? { call: calls[0].index } : {}),
      ...(marks.length ? { marks } : {}),
    };
  });

  // As acked-durable judges it: a delete of the session that had not finished when the call began may rightly have removed it.
  const deletes = history.calls.filter((c) => c.op === 'deleteSession' && c.outcome !== 'fail');
  const missing: FailureSnapshot['missing'] = [];
  for (const c of history.calls) {
    if (c.outcome !== 'ok' || (c.op !== 'logMessage' && c.op !== 'handleChat')) continue;
    if (deletes.some((d) => d.sessionId === c.sessionId && d.completedAt > c.invokedAt)) continue;
    for (const m of storedMessages(c)) {
      if (match.find(snapshot, m)?.length !== 0) continue;
      missing.push({
        id: id(m.messageId),
        sessionId: id(c.sessionId),
        role: m.role,
        content: clip(m.content),
        contentLength: m.content.length,
        call: c.index,
      });
    }
  }

  return {
    users: snapshot.users.map((u) => ({ id: id(u.id) })),
    sessions: snapshot.sessions.map((s) => {
      const marks: SnapshotMark[] = [];
      if (!users.has(s.userId)) marks.push('orphan');
      if (sessionCount.get(s.id)! > 1) marks.push('duplicate');
      return { id: id(s.id), userId: id(s.userId), ...(marks.length ? { marks } : {}) };
    }),
    messages,
    missing,
    ...(snapshot.messages.length > MAX_MESSAGES ? { omitted: { messages: snapshot.messages.length - MAX_MESSAGES } } : {}),
  };
}

function count(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function clip(s: string): string {
  return s.length > MAX_CONTENT ? `${s.slice(0, MAX_CONTENT)}…` : s;
}
