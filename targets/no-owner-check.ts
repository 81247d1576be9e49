// no-owner-check: BUG — appends to anyone's session. Sessions and messages are upserted like
// `upsert` does (INSERT … ON CONFLICT DO NOTHING, the message insert locking its session row),
// unknown users and NUL bytes are refused cleanly, but nothing compares the session's owner
// with the caller: another user's logMessage / handleChat on an existing session id lands in
// that session, and their createSession on it is acknowledged as a no-op. The harness catches
// it with `session-ownership` in `cross-user` (and `mixed`, whose conversations have intruders).
import { defineTarget, type ChatStore } from '../harness/contract/define-target.js';
import { acceptRetriedMessage, logLastMessage, refuseNul, upsertSession } from './upsert-session.js';

export default defineTarget({
  name: 'no-owner-check',
  description: "Upserts correctly but appends to anyone's session (no owner check); fails session-ownership in cross-user.",
  // delete-by-other: without deleteSession its intruder logs a message instead, which lands.
  expect: { 'cross-user': 'fail', mixed: 'fail', 'delete-by-other': 'fail', '*': 'pass' },
  create({ pool }) {
    // BUG: checkOwner is false throughout: any session with this id will do, whoever owns it.
    const store: ChatStore = {
      createSession: (req) => upsertSession(pool, req, false),
      async logMessage({ sessionId, userId, messageId, role, content }) {
        refuseNul('the content', content);
        await upsertSession(pool, { sessionId, userId }, false);
        const inserted = await pool.query(
          `WITH s AS (SELECT id FROM chat_sessions WHERE id = $2 FOR KEY SHARE)
           INSERT INTO chat_messages (id, session_id, role, content)
           SELECT $1, s.id, $3, $4 FROM s
           ON CONFLICT (id) DO NOTHING`,
          [messageId, sessionId, role, content],
        );
        // Nothing inserted: a retry of a stored message is fine, anything else is refused.
        if (inserted.rowCount === 0) await acceptRetriedMessage(pool, messageId, sessionId);
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
    };
    return store;
  },
});
