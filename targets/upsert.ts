// upsert: the correct reference. Sessions and messages are written with INSERT … ON CONFLICT
// DO NOTHING, so concurrent first requests and retried message ids are idempotent, and every
// write is one statement that cannot leave a message without its session: the message insert
// takes a FOR KEY SHARE lock on its session row in the same statement, so a concurrent
// deleteSession either waits for it (and then deletes the message too) or has already removed
// the session, and the insert then stores nothing and is refused (never 23503). It refuses,
// with a plain Error (no SQLSTATE), what it must not store: unknown users, another user's
// session (also for deleteSession), a session deleted while the call ran, a message id already
// used in another session, and content or titles PostgreSQL text cannot hold (NUL).
import { defineTarget, type ChatStore } from './define-target.js';
import { deleteOwnSession, logLastMessage, Refusal, refuseNul, upsertSession } from './upsert-session.js';

export default defineTarget({
  name: 'upsert',
  description: 'INSERT … ON CONFLICT DO NOTHING for session and message, refusing cleanly where it must; expected to pass everything.',
  expect: { '*': 'pass' },
  create({ pool }) {
    const ensureSession = (sessionId: string, userId: string, title?: string) => upsertSession(pool, { sessionId, userId, title });
    const store: ChatStore = {
      async createSession({ sessionId, userId, title }) {
        refuseNul('the title', title);
        await ensureSession(sessionId, userId, title);
      },
      async logMessage({ sessionId, userId, messageId, role, content }) {
        refuseNul('the content', content);
        await ensureSession(sessionId, userId);
        // Locking the session row (FOR KEY SHARE) in the same statement: a delete that got there
        // first makes the CTE empty, one that comes later waits for this insert.
        const inserted = await pool.query(
          `WITH s AS (SELECT id FROM chat_sessions WHERE id = $2 AND user_id = $5 FOR KEY SHARE)
           INSERT INTO chat_messages (id, session_id, role, content)
           SELECT $1, s.id, $3, $4 FROM s
           ON CONFLICT (id) DO NOTHING`,
          [messageId, sessionId, role, content, userId]);
        if (inserted.rowCount === 1) return;
        // Nothing inserted: a retry of a stored message is fine, anything else is refused.
        const existing = await pool.query<{ session_id: string }>('SELECT session_id FROM chat_messages WHERE id = $1', [messageId]);
        if (existing.rowCount === 0) throw new Refusal(`session ${sessionId} was deleted while the message was being written`);
        if (existing.rows[0]!.session_id !== sessionId) throw new Refusal(`message id ${messageId} is used in another session`);
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
      deleteSession: (req) => deleteOwnSession(pool, req),
    };
    return store;
  },
});
