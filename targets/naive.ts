// naive: inserts every message straight away and never checks that its session exists.
// createSession is the only way a session appears, and handleChat creates one only when
// `messages.length === 1` (seed 001): a first request carrying [system, user] hits
// chat_messages_session_id_fkey (23503), and so does logging before createSession.
import { defineTarget, type ChatStore } from '../harness/contract/define-target.js';

export default defineTarget({
  name: 'naive',
  description: 'Inserts messages without ensuring the session; handleChat creates it only when messages.length === 1 (seed 001).',
  expect: { '*': 'fail' },
  create({ pool }) {
    const store: ChatStore = {
      async createSession({ sessionId, userId, title }) {
        await pool.query('INSERT INTO chat_sessions (id, user_id, title) VALUES ($1, $2, $3)', [sessionId, userId, title ?? null]);
      },
      async logMessage({ sessionId, messageId, role, content }) {
        await pool.query('INSERT INTO chat_messages (id, session_id, role, content) VALUES ($1, $2, $3, $4)', [
          messageId,
          sessionId,
          role,
          content,
        ]);
      },
      async handleChat({ sessionId, userId, messages }) {
        if (messages.length === 1) await store.createSession!({ sessionId, userId, title: messages[0]!.content.slice(0, 40) });
        const last = messages[messages.length - 1];
        if (last) await store.logMessage({ sessionId, userId, messageId: last.messageId, role: last.role, content: last.content });
      },
    };
    return store;
  },
});
