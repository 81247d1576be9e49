// postgresjs-tx: a correct target on postgres.js, each call one transaction (`sql.begin`), as an
// app written with postgres.js would do it. The session is created with INSERT … ON CONFLICT DO
// NOTHING and then read FOR SHARE, so a concurrent delete waits for the message insert (or has
// removed the session, and the call is refused); a retried or double-submitted message id is
// accepted when it is already stored in the same session. It refuses, with a plain Error (no
// SQLSTATE), unknown users, another user's session, an id used in another session and NUL bytes.
// Expected to pass everything through the wire gate, apart from one finding in its driver:
// postgres.js 3.4.9 throws an uncaught TypeError from a timer (connection.js nextWrite) when the
// connection dies while a query inside sql.begin is running, and its client hangs afterwards.
// A server process would crash; the finding is muted here so the cells show it as known.
import postgres from 'postgres';
import { defineTarget, type ChatStore, type LogMessageRequest } from '../harness/contract/define-target.js';
import { Refusal, logLastMessage, refuseNul } from './upsert-session.js';

export default defineTarget({
  name: 'postgresjs-tx',
  description:
    'postgres.js through the wire gate, one sql.begin transaction per call with ON CONFLICT upserts; expected to pass everything.',
  gate: 'wire',
  expect: {
    '*': {
      mute: [
        {
          invariant: 'no-crash',
          note: 'postgres.js 3.4.9: a connection killed during a query in sql.begin throws from nextWrite (connection.js:255)',
        },
      ],
    },
  },
  create({ databaseUrl }) {
    const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });

    /** The caller's session, created when new and locked against a concurrent delete until the transaction ends. */
    async function ownSession(tx: postgres.TransactionSql, sessionId: string, userId: string, title?: string): Promise<void> {
      await tx`INSERT INTO chat_sessions (id, user_id, title)
               SELECT ${sessionId}, ${userId}, ${title ?? null} WHERE EXISTS (SELECT 1 FROM users WHERE id = ${userId})
               ON CONFLICT (id) DO NOTHING`;
      const [session] = await tx<{ user_id: string }[]>`SELECT user_id FROM chat_sessions WHERE id = ${sessionId} FOR SHARE`;
      if (!session) {
        const [user] = await tx`SELECT 1 FROM users WHERE id = ${userId}`;
        throw new Refusal(user ? `session ${sessionId} was deleted while it was being written` : `unknown user ${userId}`);
      }
      if (session.user_id !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
    }

    const store: ChatStore = {
      createSession: async ({ sessionId, userId, title }) => {
        refuseNul('the title', title);
        await sql.begin((tx) => ownSession(tx, sessionId, userId, title));
      },
      logMessage: async ({ sessionId, userId, messageId, role, content }: LogMessageRequest) => {
        refuseNul('the content', content);
        await sql.begin(async (tx) => {
          await ownSession(tx, sessionId, userId);
          const inserted = await tx`INSERT INTO chat_messages (id, session_id, role, content)
                                    VALUES (${messageId}, ${sessionId}, ${role}, ${content}) ON CONFLICT (id) DO NOTHING`;
          if (inserted.count) return;
          // A retry (or a double submit) of a stored message is fine; an id used elsewhere is refused.
          const [existing] = await tx<{ session_id: string }[]>`SELECT session_id FROM chat_messages WHERE id = ${messageId}`;
          if (existing?.session_id !== sessionId) throw new Refusal(`message id ${messageId} is used in another session`);
        });
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
      deleteSession: async ({ sessionId, userId }) => {
        await sql.begin(async (tx) => {
          const [session] = await tx<{ user_id: string }[]>`SELECT user_id FROM chat_sessions WHERE id = ${sessionId} FOR UPDATE`;
          if (!session) return;
          if (session.user_id !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
          await tx`DELETE FROM chat_sessions WHERE id = ${sessionId}`;
        });
      },
      close: () => sql.end({ timeout: 1 }),
    };
    return store;
  },
});
