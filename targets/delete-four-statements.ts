// delete-four-statements: vercel/ai-chatbot's deleteChatById on the canonical tables without
// the cascade (its messages reference the chat plainly): four autocommitted statements (the
// replies, the rest of the messages, the title, the chat). A message a concurrent request saves
// after the second makes the fourth fail on the foreign key (23503): the delete answers 500,
// the chat survives and its earlier messages are gone. Fixed: one transaction that locks the
// chat's row first, and writers that take the same row lock before saving.
import { defineTarget, type ChatStore, type TargetDefinition } from '../harness/contract/define-target.js';
import { autocommit, editedCanonicalSchema, fixtureSql, registerFixtureUsers, Refusal, type Queryable } from './race-fixture.js';

/** The fixture, broken (four autocommitted deletes) or fixed (one transaction, the chat's row locked by deletes and writes). */
export function deleteFourStatements(fixed: boolean): TargetDefinition {
  return defineTarget({
    name: fixed ? 'delete-four-statements-fixed' : 'delete-four-statements',
    description: fixed
      ? 'deleteSession in one transaction holding the chat row lock; writers take the same lock'
      : 'deleteSession as four autocommitted DELETEs racing message inserts: 23503 on the last one, earlier messages gone',
    gate: 'wire',
    ...editedCanonicalSchema((s) => s.replace(/(session_id text NOT NULL REFERENCES chat_sessions\(id\)) ON DELETE CASCADE/, '$1')),
    // Only the racing scenario's entry is verified (race-fixtures tests); the others follow from the code (NUL content is a raw 22021/22P05, an unregistered user a raw 23503 where no user check runs).
    expect: fixed
      ? { 'delete-while-logging': 'pass', 'hostile-input': 'fail', mixed: 'fail', 'unknown-user': 'fail', '*': 'pass' }
      : { 'delete-while-logging': 'fail', 'multi-message-first-request': 'pass', 'log-before-create': 'pass', '*': 'fail' },
    create({ databaseUrl }) {
      const sql = fixtureSql(databaseUrl);
      // Fixed writers lock the chat's row (creating it if needed) for the rest of their transaction.
      const ensure = (q: Queryable, sessionId: string, userId: string, title: string | null) =>
        fixed
          ? q`INSERT INTO chat_sessions (id, user_id, title) VALUES (${sessionId}, ${userId}, ${title}) ON CONFLICT (id) DO UPDATE SET user_id = chat_sessions.user_id RETURNING user_id`
          : q`INSERT INTO chat_sessions (id, user_id, title) VALUES (${sessionId}, ${userId}, ${title}) ON CONFLICT (id) DO NOTHING RETURNING user_id`;
      const save = async (sessionId: string, userId: string, title: string | null, m?: { id: string; role: string; content: string }) => {
        const body = async (q: Queryable) => {
          await ensure(q, sessionId, userId, title);
          const [chat] = await q`SELECT user_id FROM chat_sessions WHERE id = ${sessionId}`;
          if (chat && chat.user_id !== userId) throw new Refusal('not your chat');
          if (m)
            await q`INSERT INTO chat_messages (id, session_id, role, content) VALUES (${m.id}, ${sessionId}, ${m.role}, ${m.content}) ON CONFLICT (id) DO NOTHING`;
        };
        if (fixed) await sql.begin((tx) => body(tx));
        else await body(autocommit(sql));
      };
      const store: ChatStore = {
        registerUsers: (ids) => registerFixtureUsers(sql, ids),
        createSession: ({ sessionId, userId, title }) => save(sessionId, userId, title ?? null),
        logMessage: ({ sessionId, userId, messageId, role, content }) => save(sessionId, userId, null, { id: messageId, role, content }),
        async handleChat({ sessionId, userId, messages }) {
          const last = messages[messages.length - 1];
          if (last) await save(sessionId, userId, null, { id: last.messageId, role: last.role, content: last.content });
        },
        async deleteSession({ sessionId, userId }) {
          const steps = async (q: Queryable) => {
            const [chat] = await q`SELECT user_id FROM chat_sessions WHERE id = ${sessionId} ${fixed ? q`FOR UPDATE` : q``}`;
            if (!chat) return;
            if (chat.user_id !== userId) throw new Refusal('not your chat');
            await q`DELETE FROM chat_messages WHERE session_id = ${sessionId} AND role <> 'user'`;
            await q`DELETE FROM chat_messages WHERE session_id = ${sessionId}`;
            await q`UPDATE chat_sessions SET title = NULL WHERE id = ${sessionId}`;
            await q`DELETE FROM chat_sessions WHERE id = ${sessionId}`;
          };
          if (fixed) await sql.begin((tx) => steps(tx));
          else await steps(autocommit(sql));
        },
        close: () => sql.end({ timeout: 1 }),
      };
      return store;
    },
  });
}

export default deleteFourStatements(false);
