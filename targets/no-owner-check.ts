// no-owner-check: BUG — appends to anyone's session. Sessions and messages are upserted like
// `upsert` does (INSERT … ON CONFLICT DO NOTHING, the message insert locking its session row),
// unknown users and NUL bytes are refused cleanly, but nothing compares the session's owner
// with the caller: another user's logMessage / handleChat on an existing session id lands in
// that session, and their createSession on it is acknowledged as a no-op. The harness catches
// it with `session-ownership` in `cross-user` (and `mixed`, whose conversations have intruders).
import { defineTarget, type ChatStore } from './define-target.js';
import { logLastMessage, Refusal, refuseNul, upsertSession } from './upsert-session.js';

export default defineTarget({
  name: 'no-owner-check',
  description: 'Upserts correctly but appends to anyone\'s session (no owner check); fails session-ownership in cross-user.',
  expect: { 'cross-user': 'fail', mixed: 'fail', '*': 'pass' },
  create({ pool }) {
    // BUG: any session with this id will do, whoever owns it.
    const ensureSession = (sessionId: string, userId: string, title?: string) => upsertSession(pool, { sessionId, userId, title }, false);
    const store: ChatStore = {
      async createSession({ sessionId, userId, title }) {
        refuseNul('the title', title);
        await ensureSession(sessionId, userId, title);
      },
      async logMessage({ sessionId, userId, messageId, role, content }) {
        refuseNul('the content', content);
        await ensureSession(sessionId, userId);
        const inserted = await pool.query(
          `WITH s AS (SELECT id FROM chat_sessions WHERE id = $2 FOR KEY SHARE)
           INSERT INTO chat_messages (id, session_id, role, content)
           SELECT $1, s.id, $3, $4 FROM s
           ON CONFLICT (id) DO NOTHING`,
          [messageId, sessionId, role, content]);
        if (inserted.rowCount === 1) return;
        const existing = await pool.query<{ session_id: string }>('SELECT session_id FROM chat_messages WHERE id = $1', [messageId]);
        if (existing.rowCount === 0) throw new Refusal(`session ${sessionId} was deleted meanwhile`);
        if (existing.rows[0]!.session_id !== sessionId) throw new Refusal(`message id ${messageId} is used in another session`);
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
    };
    return store;
  },
});
