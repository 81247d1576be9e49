// session-first: the fix both seeds applied. Before writing a message it checks whether the
// session exists and creates it if not. Correct one call at a time, but check-then-insert is
// a race: two concurrent first requests both see "no session" and the second INSERT dies with
// 23505 (chat_sessions_pkey); a duplicated message id does the same on chat_messages_pkey.
import { defineTarget, type ChatStore } from '../harness/contract/define-target.js';

export default defineTarget({
  name: 'session-first',
  description: "Checks that the session exists and creates it first (the seeds' fix); races on concurrent first requests.",
  // It passes only the scenarios where each session is written by one client at a time. Two clients
  // writing a new session at once race its check-then-insert (concurrent-duplicates,
  // parallel-first-messages, delete-while-logging, mixed: 23505 on chat_sessions_pkey); it never
  // checks users or owners (unknown-user: 23503 on chat_sessions_user_id_fkey; cross-user:
  // session-ownership), and it sends NUL bytes to PostgreSQL (hostile-input: 22021).
  expect: { 'multi-message-first-request': 'pass', 'log-before-create': 'pass', '*': 'fail' },
  create({ pool }) {
    async function ensureSession(sessionId: string, userId: string, title?: string) {
      const found = await pool.query('SELECT 1 FROM chat_sessions WHERE id = $1', [sessionId]);
      if (found.rowCount === 0) {
        await pool.query('INSERT INTO chat_sessions (id, user_id, title) VALUES ($1, $2, $3)', [sessionId, userId, title ?? null]);
      }
    }
    const store: ChatStore = {
      async createSession({ sessionId, userId, title }) {
        await ensureSession(sessionId, userId, title);
      },
      async logMessage({ sessionId, userId, messageId, role, content }) {
        await ensureSession(sessionId, userId);
        await pool.query('INSERT INTO chat_messages (id, session_id, role, content) VALUES ($1, $2, $3, $4)', [
          messageId,
          sessionId,
          role,
          content,
        ]);
      },
      async handleChat({ sessionId, userId, messages }) {
        const last = messages[messages.length - 1];
        if (last) await store.logMessage({ sessionId, userId, messageId: last.messageId, role: last.role, content: last.content });
      },
    };
    return store;
  },
});
