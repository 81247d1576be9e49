import { logicalId, storedMessages, type CallRecord, type History } from '../history/history.js';
import type { Snapshot } from '../contract/define-target.js';
import type { Invariant, Violation } from './invariant.js';
import { messageMatcher } from './message-matcher.js';

type Row = Snapshot['messages'][number];

/** `session s1` or `sessions s1 and s2`: where a group of rows is stored, in order of first appearance. */
function whereStored(history: History, rows: Row[]): string {
  const sessions = [...new Set(rows.map((r) => logicalId(history, r.sessionId)))];
  return sessions.length === 1 ? `session ${sessions[0]}` : `sessions ${sessions.slice(0, -1).join(', ')} and ${sessions.at(-1)}`;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The calls that persist message `id` (as their message or their reply). */
function carrying(history: History, id: string): CallRecord[] {
  return history.calls.filter((c) => storedMessages(c).some((m) => m.messageId === id));
}

function indexes(calls: CallRecord[]): number[] {
  return calls.map((c) => c.index);
}

/**
 * One row per message and per session. Messages are matched by id when the snapshot has
 * ids, and also by content where only one message of the trial has that content (the
 * harness tags generated contents with their id, apart from deliberately repeated ones like
 * "ok"): two rows with such a content are that message stored twice, even when the target
 * gave them ids of its own.
 */
export const noDuplicates: Invariant = {
  name: 'no-duplicates',
  description: 'one row per messageId (or per message content, where only one message of the trial has it) and one row per sessionId',
  check(history, snapshot) {
    const out: Violation[] = [];
    const callsOnSession = (id: string) => history.calls.filter((c) => c.sessionId === id);

    for (const [id, rows] of groupBy(snapshot.sessions, (s) => s.id)) {
      if (rows.length < 2) continue;
      const owners = [...new Set(rows.map((r) => logicalId(history, r.userId)))];
      out.push({
        invariant: 'no-duplicates',
        calls: indexes(callsOnSession(id)),
        message: `session ${logicalId(history, id)} is stored ${rows.length} times (owned by ${owners.join(' and ')})`,
      });
    }

    const reported = new Set<Row>();
    const withIds = snapshot.messages.filter((m) => m.id !== undefined);
    for (const [id, rows] of groupBy(withIds, (m) => m.id!)) {
      if (rows.length < 2) continue;
      rows.forEach((r) => reported.add(r));
      out.push({
        invariant: 'no-duplicates',
        calls: indexes(carrying(history, id)),
        message: `message ${logicalId(history, id)} is stored ${rows.length} times in ${whereStored(history, rows)}`,
      });
    }

    // Contents that belong to exactly one message of the trial (empty content, say, may not).
    const match = messageMatcher(history);
    for (const [content, rows] of groupBy(snapshot.messages, (m) => m.content)) {
      const id = match.ownerOf(content);
      if (rows.length < 2 || id === undefined || rows.every((r) => reported.has(r))) continue;
      out.push({
        invariant: 'no-duplicates',
        calls: indexes(carrying(history, id)),
        message: `message ${logicalId(history, id)} is stored ${rows.length} times in ${whereStored(history, rows)} (rows with its content${rows.some((r) => r.id !== undefined) ? `, ids ${rows.map((r) => (r.id === undefined ? '-' : logicalId(history, r.id))).join(', ')}` : ''})`,
      });
    }
    return out;
  },
};
