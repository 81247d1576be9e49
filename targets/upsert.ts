// upsert: the correct reference. Sessions and messages are written with INSERT … ON CONFLICT
// DO NOTHING, so concurrent first requests and retried message ids are idempotent, and every
// write is one statement that cannot leave a message without its session: the message insert
// takes a FOR KEY SHARE lock on its session row in the same statement, so a concurrent
// deleteSession either waits for it (and then deletes the message too) or has already removed
// the session, and the insert then stores nothing and is refused (never 23503). It refuses,
// with a plain Error (no SQLSTATE), what it must not store: unknown users, another user's
// session (also for deleteSession), a session deleted while the call ran, a message id already
// used in another session, and content or titles PostgreSQL text cannot hold (NUL).
import { defineTarget, type ChatStore } from '../harness/contract/define-target.js';
import { acceptRetriedMessage, deleteOwnSession, logLastMessage, refuseNul, upsertSession } from './upsert-session.js';

export default defineTarget({
  name: 'upsert',
  description: 'INSERT … ON CONFLICT DO NOTHING for session and message, refusing cleanly where it must; expected to pass everything.',
  expect: { '*': 'pass' },
  create({ pool }) {
    const store: ChatStore = {
      createSession: (req) => upsertSession(pool, req),
      async logMessage({ sessionId, userId, messageId, role, content }) {
        refuseNul('the content', content);
        await upsertSession(pool, { sessionId, userId });
        // Locking the session row (FOR KEY SHARE) in the same statement: a delete that got there
        // first makes the CTE empty, one that comes later waits for this insert.
        const inserted = await pool.query(
          `WITH s AS (SELECT id FROM chat_sessions WHERE id = $2 AND user_id = $5 FOR KEY SHARE)
           INSERT INTO chat_messages (id, session_id, role, content)
           SELECT $1, s.id, $3, $4 FROM s
           ON CONFLICT (id) DO NOTHING`,
          [messageId, sessionId, role, content, userId],
        );
        // Nothing inserted: a retry of a stored message is fine, anything else is refused.
        if (inserted.rowCount === 0) await acceptRetriedMessage(pool, messageId, sessionId);
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
      deleteSession: (req) => deleteOwnSession(pool, req),
    };
    return store;
  },
});
