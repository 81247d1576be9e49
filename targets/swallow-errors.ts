// swallow-errors: BUG — catches every error and returns as if it had worked. Its statements
// are naive's (messages inserted without ensuring the session; handleChat creates the session
// only when `messages.length === 1`), but each call is wrapped in try/catch { log and return }:
// the 23503 of a first request carrying [system, user] or of a message logged before
// createSession never reaches the caller, who is told the message was saved. The harness
// catches it with `acked-durable` (acknowledged, yet the session or message is missing), e.g.
// in multi-message-first-request and log-before-create.
import {
  defineTarget,
  type ChatStore,
  type CreateSessionRequest,
  type HandleChatRequest,
  type LogMessageRequest,
} from '../harness/contract/define-target.js';

/** The "fix" that hides the bug: nothing ever fails. */
function swallow<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch {
      // console.error('failed to save chat', e) — and carry on.
    }
  };
}

export default defineTarget({
  name: 'swallow-errors',
  description: "Naive's statements inside try/catch that swallows every error; fails acked-durable.",
  expect: { '*': 'fail' },
  create({ pool }) {
    const createSession = async (sessionId: string, userId: string, title?: string) => {
      await pool.query('INSERT INTO chat_sessions (id, user_id, title) VALUES ($1, $2, $3)', [sessionId, userId, title ?? null]);
    };
    const insertMessage = async (sessionId: string, messageId: string, role: string, content: string) => {
      await pool.query('INSERT INTO chat_messages (id, session_id, role, content) VALUES ($1, $2, $3, $4)', [
        messageId,
        sessionId,
        role,
        content,
      ]);
    };
    const store: ChatStore = {
      createSession: swallow(async ({ sessionId, userId, title }: CreateSessionRequest) => createSession(sessionId, userId, title)),
      logMessage: swallow(async ({ sessionId, messageId, role, content }: LogMessageRequest) =>
        insertMessage(sessionId, messageId, role, content),
      ),
      handleChat: swallow(async ({ sessionId, userId, messages }: HandleChatRequest) => {
        if (messages.length === 1) await createSession(sessionId, userId, messages[0]!.content.slice(0, 40));
        const last = messages[messages.length - 1];
        if (last) await insertMessage(sessionId, last.messageId, last.role, last.content);
      }),
    };
    return store;
  },
});
