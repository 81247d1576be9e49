import type { Snapshot } from '../contract/define-target.js';

type Row = Snapshot['messages'][number];

/** Whether a user still sees message row `row`: neither it nor its session is flagged deleted (a soft delete), and its session exists. */
export function visibleRow(snapshot: Snapshot, row: Row): boolean {
  if (row.deleted) return false;
  const session = snapshot.sessions.find((s) => s.id === row.sessionId);
  return session !== undefined && !session.deleted;
}

/** Whether session `id` is there for its owner: a row without the soft-delete flag. */
export function liveSession(snapshot: Snapshot, id: string): boolean {
  return snapshot.sessions.some((s) => s.id === id && !s.deleted);
}
