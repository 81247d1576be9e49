// drizzle-postgresjs: the AI chat templates' own stack, Drizzle ORM over postgres.js
// (`drizzle(postgres(process.env.POSTGRES_URL))`), seen through the wire gate. Each call is one
// `db.transaction`: the session is upserted (onConflictDoNothing) and read FOR SHARE, so a
// concurrent delete waits for the message (or has removed the session, and the call is refused);
// a retried or double-submitted message id already stored in the same session is accepted. It
// refuses, with a plain Error, unknown users, another user's session, an id used elsewhere and
// NUL bytes. Expected to pass everything, apart from postgres.js's crash when a connection dies
// inside a transaction (see postgresjs-tx.ts).
import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { bigserial, pgTable, text } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { defineTarget, type ChatStore, type LogMessageRequest } from '../harness/contract/define-target.js';
import { Refusal, logLastMessage, refuseNul } from './upsert-session.js';

const users = pgTable('users', { id: text('id').primaryKey(), email: text('email').notNull() });
const chatSessions = pgTable('chat_sessions', { id: text('id').primaryKey(), userId: text('user_id').notNull(), title: text('title') });
const chatMessages = pgTable('chat_messages', {
  id: text('id').primaryKey(),
  sessionId: text('session_id').notNull(),
  role: text('role').notNull(),
  content: text('content').notNull(),
  seq: bigserial('seq', { mode: 'number' }).notNull(),
});

export default defineTarget({
  name: 'drizzle-postgresjs',
  description: 'Drizzle ORM over postgres.js through the wire gate, one db.transaction per call; expected to pass everything.',
  gate: 'wire',
  expect: {
    '*': {
      mute: [
        {
          invariant: 'no-crash',
          note: 'postgres.js 3.4.9: a connection killed during a query in a transaction throws from nextWrite (connection.js:255)',
        },
      ],
    },
  },
  create({ databaseUrl }) {
    const client = postgres(databaseUrl, { max: 4, onnotice: () => {} });
    const db = drizzle(client);
    type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

    /** The caller's session, created when new and locked against a concurrent delete until the transaction ends. */
    async function ownSession(tx: Tx, sessionId: string, userId: string, title?: string): Promise<void> {
      await tx
        .insert(chatSessions)
        .select(
          tx
            .select({ id: sql`${sessionId}`.as('id'), userId: users.id, title: sql`${title ?? null}::text`.as('title') })
            .from(users)
            .where(eq(users.id, userId)),
        )
        .onConflictDoNothing();
      const [session] = await tx
        .select({ userId: chatSessions.userId })
        .from(chatSessions)
        .where(eq(chatSessions.id, sessionId))
        .for('share');
      if (!session) {
        const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
        throw new Refusal(user ? `session ${sessionId} was deleted while it was being written` : `unknown user ${userId}`);
      }
      if (session.userId !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
    }

    const store: ChatStore = {
      createSession: async ({ sessionId, userId, title }) => {
        refuseNul('the title', title);
        await db.transaction((tx) => ownSession(tx, sessionId, userId, title));
      },
      logMessage: async ({ sessionId, userId, messageId, role, content }: LogMessageRequest) => {
        refuseNul('the content', content);
        await db.transaction(async (tx) => {
          await ownSession(tx, sessionId, userId);
          const inserted = await tx
            .insert(chatMessages)
            .values({ id: messageId, sessionId, role, content })
            .onConflictDoNothing()
            .returning({ id: chatMessages.id });
          if (inserted.length) return;
          // A retry (or a double submit) of a stored message is fine; an id used elsewhere is refused.
          const [existing] = await tx
            .select({ sessionId: chatMessages.sessionId })
            .from(chatMessages)
            .where(eq(chatMessages.id, messageId));
          if (existing?.sessionId !== sessionId) throw new Refusal(`message id ${messageId} is used in another session`);
        });
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
      deleteSession: async ({ sessionId, userId }) => {
        await db.transaction(async (tx) => {
          const [session] = await tx
            .select({ userId: chatSessions.userId })
            .from(chatSessions)
            .where(eq(chatSessions.id, sessionId))
            .for('update');
          if (!session) return;
          if (session.userId !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
          await tx.delete(chatSessions).where(and(eq(chatSessions.id, sessionId), eq(chatSessions.userId, userId)));
        });
      },
      close: () => client.end({ timeout: 1 }),
    };
    return store;
  },
});
