// count-then-insert: a per-chat sequence number computed as count(*) + 1 before the insert, on
// the canonical tables with (session_id, seq) unique, as apps that number a conversation's
// messages themselves declare it. Two writers on an existing chat both count n and both insert
// n + 1: the second dies on the unique index (23505). Fixed: the count and the insert are one
// transaction that locks the chat's row first.
import { defineTarget, type ChatStore, type TargetDefinition } from '../harness/contract/define-target.js';
import { autocommit, editedCanonicalSchema, fixtureSql, registerFixtureUsers, Refusal, type Queryable } from './race-fixture.js';

/** The fixture, broken (count, then insert count + 1) or fixed (the same in one transaction holding the chat row lock). */
export function countThenInsert(fixed: boolean): TargetDefinition {
  return defineTarget({
    name: fixed ? 'count-then-insert-fixed' : 'count-then-insert',
    description: fixed
      ? 'sequence number = count + 1, counted and inserted in one transaction holding the chat row lock'
      : 'sequence number = count + 1, counted before the insert without a lock: 23505 on (session_id, seq) when two writers race',
    gate: 'wire',
    ...editedCanonicalSchema((s) => s.replace('CREATE INDEX chat_messages_session_seq', 'CREATE UNIQUE INDEX chat_messages_session_seq')),
    // Only the racing scenario's entry is verified (race-fixtures tests); the others follow from the code (NUL content is a raw 22021/22P05, an unregistered user a raw 23503 where no user check runs).
    expect: fixed
      ? { 'concurrent-duplicates': 'pass', 'hostile-input': 'fail', mixed: 'fail', 'unknown-user': 'fail', '*': 'pass' }
      : { 'concurrent-duplicates': 'fail', 'multi-message-first-request': 'pass', 'log-before-create': 'pass', '*': 'fail' },
    create({ databaseUrl }) {
      const sql = fixtureSql(databaseUrl);
      const save = async (sessionId: string, userId: string, title: string | null, m?: { id: string; role: string; content: string }) => {
        await sql`INSERT INTO chat_sessions (id, user_id, title) VALUES (${sessionId}, ${userId}, ${title}) ON CONFLICT (id) DO NOTHING`;
        const [chat] = await sql`SELECT user_id FROM chat_sessions WHERE id = ${sessionId}`;
        if (!chat || chat.user_id !== userId) throw new Refusal('not your chat');
        if (!m) return;
        const insert = async (q: Queryable) => {
          if (fixed) await q`SELECT id FROM chat_sessions WHERE id = ${sessionId} FOR UPDATE`;
          const [{ n }] = (await q`SELECT count(*)::int AS n FROM chat_messages WHERE session_id = ${sessionId}`) as unknown as [
            { n: number },
          ];
          await q`INSERT INTO chat_messages (id, session_id, role, content, seq) VALUES (${m.id}, ${sessionId}, ${m.role}, ${m.content}, ${n + 1}) ON CONFLICT (id) DO NOTHING`;
        };
        if (fixed) await sql.begin((tx) => insert(tx));
        else await insert(autocommit(sql));
      };
      const store: ChatStore = {
        registerUsers: (ids) => registerFixtureUsers(sql, ids),
        createSession: ({ sessionId, userId, title }) => save(sessionId, userId, title ?? null),
        logMessage: ({ sessionId, userId, messageId, role, content }) => save(sessionId, userId, null, { id: messageId, role, content }),
        async handleChat({ sessionId, userId, messages }) {
          const last = messages[messages.length - 1];
          if (last) await save(sessionId, userId, null, { id: last.messageId, role: last.role, content: last.content });
        },
        close: () => sql.end({ timeout: 1 }),
      };
      return store;
    },
  });
}

export default countThenInsert(false);
