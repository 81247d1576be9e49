// client-seq: BUG — numbers messages on the client. Its own schema orders a session's messages
// by `seq`, with unique(session_id, seq), and logMessage computes the next seq as
// `SELECT coalesce(max(seq), 0) + 1` in one query and inserts with it in the next. One call at
// a time that is fine; two messages logged at once on the same session (the user message and
// the assistant reply of a route that fires both in the background) read the same max and the
// second insert dies with 23505 on chat_messages_session_id_seq_key. Everything else is done
// the way `upsert` does it (idempotent session and message inserts, clean refusals). The
// harness catches it with `no-db-error` in parallel-first-messages; the target also shows that
// a custom schema with its own registerUsers() and snapshot() works.
import { defineTarget, type ChatStore, type Snapshot } from '../harness/contract/define-target.js';
import { acceptRetriedMessage, logLastMessage, refuseNul, upsertSession } from './upsert-session.js';

const SCHEMA = `
CREATE TABLE users (
  id text PRIMARY KEY
);
CREATE TABLE chat_sessions (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title text
);
CREATE TABLE chat_messages (
  id text PRIMARY KEY,
  session_id text NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
  seq int NOT NULL,
  role text NOT NULL,
  content text NOT NULL,
  UNIQUE (session_id, seq)
);
`;

export default defineTarget({
  name: 'client-seq',
  description:
    'Own schema with unique(session_id, seq), seq computed as max+1 in a separate query; fails no-db-error (23505) when messages are logged at once.',
  schema: { sql: SCHEMA },
  // Fails wherever two messages of one session are written at once (parallel-first-messages,
  // concurrent-duplicates, cross-user, delete-while-logging, mixed); passes where each session has one client.
  expect: {
    'multi-message-first-request': 'pass',
    'log-before-create': 'pass',
    'unknown-user': 'pass',
    'hostile-input': 'pass',
    'retry-after-error': 'pass',
    'delete-by-other': 'pass',
    '*': 'fail',
  },
  create({ pool }) {
    const store: ChatStore = {
      async registerUsers(userIds) {
        await pool.query('INSERT INTO users (id) SELECT unnest($1::text[]) ON CONFLICT (id) DO NOTHING', [userIds]);
      },
      createSession: (req) => upsertSession(pool, req),
      async logMessage({ sessionId, userId, messageId, role, content }) {
        refuseNul('the content', content);
        await upsertSession(pool, { sessionId, userId });
        // BUG: read the max, then insert with max + 1, in two statements.
        const next = await pool.query<{ seq: number }>('SELECT coalesce(max(seq), 0) + 1 AS seq FROM chat_messages WHERE session_id = $1', [
          sessionId,
        ]);
        const inserted = await pool.query(
          `INSERT INTO chat_messages (id, session_id, seq, role, content)
           SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM chat_sessions WHERE id = $2 AND user_id = $6)
           ON CONFLICT (id) DO NOTHING`,
          [messageId, sessionId, next.rows[0]!.seq, role, content, userId],
        );
        // Nothing inserted: a retry of a stored message is fine, anything else is refused.
        if (inserted.rowCount === 0) await acceptRetriedMessage(pool, messageId, sessionId);
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
      async snapshot({ userIds, sessionIds }): Promise<Snapshot> {
        const sessions = await pool.query<{ id: string; user_id: string }>(
          'SELECT id, user_id FROM chat_sessions WHERE id = ANY($1::text[]) ORDER BY id',
          [sessionIds],
        );
        const users = await pool.query<{ id: string }>(
          'SELECT id FROM users WHERE id = ANY($1::text[]) OR id IN (SELECT user_id FROM chat_sessions WHERE id = ANY($2::text[])) ORDER BY id',
          [userIds, sessionIds],
        );
        const messages = await pool.query<{ id: string; session_id: string; role: string; content: string }>(
          'SELECT id, session_id, role, content FROM chat_messages WHERE session_id = ANY($1::text[]) ORDER BY session_id, seq',
          [sessionIds],
        );
        return {
          users: users.rows.map((r) => ({ id: r.id })),
          sessions: sessions.rows.map((r) => ({ id: r.id, userId: r.user_id })),
          messages: messages.rows.map((r) => ({ id: r.id, sessionId: r.session_id, role: r.role, content: r.content })),
        };
      },
    };
    return store;
  },
});
