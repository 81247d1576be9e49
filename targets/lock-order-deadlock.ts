// lock-order-deadlock: two operations that lock the same two rows in opposite orders, on the
// canonical schema. logMessage saves the message, touches its chat (the chat's row) and then
// bumps its user's activity (the user's row); deleteSession bumps the user first and then deletes
// the chat. A delete that runs between the two updates of a log deadlocks with it (40P01).
// Fixed: logMessage takes the user's row first, as deleteSession does.
import { defineTarget, type ChatStore, type TargetDefinition } from '../harness/contract/define-target.js';
import { fixtureSql, Refusal, type Queryable } from './race-fixture.js';

/** The fixture, broken (chat row then user row, against the delete's user row then chat row) or fixed (both lock the user's row first). */
export function lockOrderDeadlock(fixed: boolean): TargetDefinition {
  return defineTarget({
    name: fixed ? 'lock-order-deadlock-fixed' : 'lock-order-deadlock',
    description: fixed
      ? 'logMessage and deleteSession both lock the user row, then the chat row'
      : 'logMessage locks the chat row then the user row, deleteSession the user row then the chat row: deadlock (40P01)',
    gate: 'wire',
    // Only the racing scenario's entry is verified (race-fixtures tests); the others follow from the code (NUL content is a raw 22021/22P05, an unregistered user a raw 23503 where no user check runs).
    expect: fixed
      ? { 'delete-while-logging': 'pass', 'hostile-input': 'fail', mixed: 'fail', 'unknown-user': 'fail', '*': 'pass' }
      : { 'delete-while-logging': 'fail', 'multi-message-first-request': 'pass', 'log-before-create': 'pass', '*': 'fail' },
    create({ databaseUrl }) {
      // A deadlock is detected after deadlock_timeout (1 s by default): every failing trial would wait that long.
      const sql = fixtureSql(databaseUrl, { deadlockMs: 50 });
      const touchUser = (tx: Queryable, userId: string) => tx`UPDATE users SET email = email WHERE id = ${userId}`;
      const save = (sessionId: string, userId: string, title: string | null, m?: { id: string; role: string; content: string }) =>
        sql.begin(async (tx) => {
          if (fixed) await touchUser(tx, userId);
          // Lock the chat's row (creating it if needed) so a concurrent delete cannot slip between the check and the insert.
          const [chat] =
            await tx`INSERT INTO chat_sessions (id, user_id, title) VALUES (${sessionId}, ${userId}, ${title}) ON CONFLICT (id) DO UPDATE SET title = coalesce(chat_sessions.title, EXCLUDED.title) RETURNING user_id`;
          if (!chat || chat.user_id !== userId) throw new Refusal('not your chat');
          if (m)
            await tx`INSERT INTO chat_messages (id, session_id, role, content) VALUES (${m.id}, ${sessionId}, ${m.role}, ${m.content}) ON CONFLICT (id) DO NOTHING`;
          if (!fixed) await touchUser(tx, userId);
        });
      const store: ChatStore = {
        createSession: async ({ sessionId, userId, title }) => {
          await save(sessionId, userId, title ?? null);
        },
        logMessage: async ({ sessionId, userId, messageId, role, content }) => {
          await save(sessionId, userId, null, { id: messageId, role, content });
        },
        async handleChat({ sessionId, userId, messages }) {
          const last = messages[messages.length - 1];
          if (last) await save(sessionId, userId, null, { id: last.messageId, role: last.role, content: last.content });
        },
        async deleteSession({ sessionId, userId }) {
          await sql.begin(async (tx) => {
            await touchUser(tx, userId);
            const [chat] = await tx`SELECT user_id FROM chat_sessions WHERE id = ${sessionId}`;
            if (!chat) return;
            if (chat.user_id !== userId) throw new Refusal('not your chat');
            await tx`DELETE FROM chat_sessions WHERE id = ${sessionId}`;
          });
        },
        close: () => sql.end({ timeout: 1 }),
      };
      return store;
    },
  });
}

export default lockOrderDeadlock(false);
