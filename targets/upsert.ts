// upsert: the correct reference. Sessions and messages are written with INSERT … ON CONFLICT
// DO NOTHING, so concurrent first requests and retried message ids are idempotent, and every
// write is one statement that cannot leave a message without its session. It refuses, with a
// plain Error (no SQLSTATE), what it must not store: unknown users, another user's session,
// a message id already used in another session, and content PostgreSQL text cannot hold (NUL).
import { defineTarget, type ChatStore } from './define-target.js';

/** A refusal: the request is invalid, nothing was written. */
class Refusal extends Error {
  constructor(message: string) { super(message); this.name = 'Refusal'; }
}

export default defineTarget({
  name: 'upsert',
  description: 'INSERT … ON CONFLICT DO NOTHING for session and message, refusing cleanly where it must; expected to pass everything.',
  expect: { '*': 'pass' },
  create({ pool }) {
    async function ensureSession(sessionId: string, userId: string, title?: string) {
      // The session is created only for a registered user; an existing one is left as it is.
      await pool.query(
        `INSERT INTO chat_sessions (id, user_id, title)
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM users WHERE id = $2)
         ON CONFLICT (id) DO NOTHING`,
        [sessionId, userId, title ?? null]);
      const owner = await pool.query<{ user_id: string }>('SELECT user_id FROM chat_sessions WHERE id = $1', [sessionId]);
      if (owner.rowCount === 0) throw new Refusal(`unknown user ${userId}`);
      if (owner.rows[0]!.user_id !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
    }
    const store: ChatStore = {
      async createSession({ sessionId, userId, title }) {
        await ensureSession(sessionId, userId, title);
      },
      async logMessage({ sessionId, userId, messageId, role, content }) {
        if (content.includes('\u0000')) throw new Refusal('content contains a NUL byte, which PostgreSQL text cannot store');
        await ensureSession(sessionId, userId);
        const inserted = await pool.query(
          `INSERT INTO chat_messages (id, session_id, role, content)
           SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM chat_sessions WHERE id = $2 AND user_id = $5)
           ON CONFLICT (id) DO NOTHING`,
          [messageId, sessionId, role, content, userId]);
        if (inserted.rowCount === 1) return;
        // Nothing inserted: a retry of a stored message is fine, anything else is refused.
        const existing = await pool.query<{ session_id: string }>('SELECT session_id FROM chat_messages WHERE id = $1', [messageId]);
        if (existing.rowCount === 0) throw new Refusal(`session ${sessionId} is gone`);
        if (existing.rows[0]!.session_id !== sessionId) throw new Refusal(`message id ${messageId} is used in another session`);
      },
      async handleChat({ sessionId, userId, messages }) {
        const last = messages[messages.length - 1];
        if (!last) throw new Refusal('handleChat needs at least one message');
        await store.logMessage({ sessionId, userId, messageId: last.messageId, role: last.role, content: last.content });
      },
    };
    return store;
  },
});
