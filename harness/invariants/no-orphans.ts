import { logicalId } from '../history/history.js';
import type { Invariant, Violation } from './invariant.js';

/** Every message's session and every session's user exists in the snapshot, foreign keys declared or not. */
export const noOrphans: Invariant = {
  name: 'no-orphans',
  description: "in the snapshot every message's session and every session's user exists, checked by joining",
  check(history, snapshot) {
    const users = new Set(snapshot.users.map((u) => u.id));
    const sessions = new Set(snapshot.sessions.map((s) => s.id));
    const out: Violation[] = [];
    for (const s of snapshot.sessions) {
      if (!users.has(s.userId)) {
        out.push({
          invariant: 'no-orphans',
          calls: callsOn(history, s.id),
          message: `session ${logicalId(history, s.id)} belongs to user ${logicalId(history, s.userId)}, who does not exist`,
        });
      }
    }
    for (const m of snapshot.messages) {
      if (!sessions.has(m.sessionId)) {
        const name = m.id ? `message ${logicalId(history, m.id)}` : `a ${m.role} message`;
        out.push({
          invariant: 'no-orphans',
          calls: callsOn(history, m.sessionId),
          message: `${name} is stored in session ${logicalId(history, m.sessionId)}, which does not exist`,
        });
      }
    }
    return out;
  },
};

function callsOn(history: Parameters<Invariant['check']>[0], sessionId: string): number[] {
  return history.calls.filter((c) => c.sessionId === sessionId).map((c) => c.index);
}
