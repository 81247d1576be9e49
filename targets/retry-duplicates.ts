// retry-duplicates: BUG — messages get server-generated ids (gen_random_uuid()) and the
// client's messageId is ignored, so a retried request is stored again. Everything else is
// `upsert`'s (idempotent sessions, owner checks, clean refusals), so it passes every scenario
// in which nothing is sent twice. When a connection dies after the INSERT ran but before its
// result arrived (the harness kills it in `retry-after-error`), the client cannot know the
// message was stored, retries with the same messageId, and the message is stored twice: the
// harness catches it with `no-duplicates` (two rows with the content of one message).
import { defineTarget, type ChatStore } from '../harness/contract/define-target.js';
import { canonicalSnapshot } from '../harness/contract/canonical-schema.js';
import { deleteOwnSession, logLastMessage, Refusal, refuseNul, upsertSession } from './upsert-session.js';

export default defineTarget({
  name: 'retry-duplicates',
  description:
    'Server-generated message ids and no idempotency: a retried message is stored twice; fails no-duplicates in retry-after-error.',
  // mixed re-sends requests too (a double submit with the same ids, a killed connection's retry).
  expect: { 'retry-after-error': 'fail', 'concurrent-duplicates': 'fail', mixed: 'fail', '*': 'pass' },
  create({ pool }) {
    const store: ChatStore = {
      createSession: (req) => upsertSession(pool, req),
      async logMessage({ sessionId, userId, role, content }) {
        refuseNul('the content', content);
        await upsertSession(pool, { sessionId, userId });
        // BUG: a fresh id for every request, so nothing tells a retry from a new message.
        const inserted = await pool.query(
          `WITH s AS (SELECT id FROM chat_sessions WHERE id = $1 AND user_id = $4 FOR KEY SHARE)
           INSERT INTO chat_messages (id, session_id, role, content)
           SELECT gen_random_uuid()::text, s.id, $2, $3 FROM s`,
          [sessionId, role, content, userId],
        );
        if (inserted.rowCount === 0) throw new Refusal(`session ${sessionId} was deleted while the message was being written`);
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
      deleteSession: (req) => deleteOwnSession(pool, req),
      // Its message ids are its own: the snapshot leaves them out, so the harness matches messages by their (trial-unique) content.
      async snapshot(scope) {
        const s = await canonicalSnapshot(pool, scope);
        return { ...s, messages: s.messages.map(({ id: _id, ...m }) => m) };
      },
    };
    return store;
  },
});
