// blob-lost-update: open-webui's way of saving a chat, on the canonical tables. After an owner
// check and two reads (the quota, the chat's title) the call reads the whole chat as one JSON
// document in one transaction, appends the message in JavaScript and writes the document back
// in another (delete the chat's rows, insert the document's). The read is the call's 8th
// statement: two such calls on one chat that both read before either writes each answer 200,
// and the later write drops the other's message (acked-durable). Fixed: the read and the
// write are one transaction that locks the chat's row first.
import type postgres from 'postgres';
import { defineTarget, type ChatStore, type TargetDefinition } from '../harness/contract/define-target.js';
import { fixtureSql, Refusal } from './race-fixture.js';

/** The fixture, broken (read and write-back in separate transactions) or fixed (one transaction, the chat's row locked). */
export function blobLostUpdate(fixed: boolean): TargetDefinition {
  return defineTarget({
    name: fixed ? 'blob-lost-update-fixed' : 'blob-lost-update',
    description: fixed
      ? 'the chat as one JSON document, read and written back in one transaction holding the chat row lock'
      : 'the chat as one JSON document: read in one transaction, written back in another after an owner check and two reads (lost update)',
    gate: 'wire',
    // Only the racing scenario's entry is verified (race-fixtures tests); the others follow from the code (NUL content is a raw 22021/22P05, an unregistered user a raw 23503 where no user check runs).
    expect: fixed
      ? { 'concurrent-duplicates': 'pass', 'hostile-input': 'fail', mixed: 'fail', '*': 'pass' }
      : {
          'concurrent-duplicates': 'fail',
          'multi-message-first-request': 'pass',
          'log-before-create': 'pass',
          'unknown-user': 'pass',
          '*': 'fail',
        },
    create({ databaseUrl }) {
      const sql = fixtureSql(databaseUrl);
      type Doc = { id: string; role: string; content: string }[];
      const save = async (sessionId: string, userId: string, title: string | null, add?: Doc[number]) => {
        const [user] = await sql`SELECT id FROM users WHERE id = ${userId}`;
        if (!user) throw new Refusal('unknown user');
        await sql`INSERT INTO chat_sessions (id, user_id, title) VALUES (${sessionId}, ${userId}, ${title}) ON CONFLICT (id) DO NOTHING`;
        const [chat] = await sql`SELECT user_id FROM chat_sessions WHERE id = ${sessionId}`;
        if (!chat || chat.user_id !== userId) throw new Refusal('not your chat');
        if (!add) return;
        await sql`SELECT count(*) FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id WHERE s.user_id = ${userId}`;
        await sql`SELECT title FROM chat_sessions WHERE id = ${sessionId}`;
        const read = (q: postgres.TransactionSql) =>
          q<
            { doc: Doc }[]
          >`SELECT coalesce(json_agg(json_build_object('id', id, 'role', role, 'content', content) ORDER BY seq), '[]') AS doc FROM chat_messages WHERE session_id = ${sessionId}`;
        const write = async (q: postgres.TransactionSql, doc: Doc) => {
          await q`DELETE FROM chat_messages WHERE session_id = ${sessionId}`;
          await q`INSERT INTO chat_messages (id, session_id, role, content) SELECT id, ${sessionId}, role, content FROM jsonb_to_recordset(${q.json(doc as unknown as postgres.JSONValue)}) AS m(id text, role text, content text)`;
        };
        if (fixed) {
          await sql.begin(async (tx) => {
            await tx`SELECT id FROM chat_sessions WHERE id = ${sessionId} FOR UPDATE`;
            const [{ doc }] = (await read(tx)) as unknown as [{ doc: Doc }];
            if (!doc.some((m) => m.id === add.id)) await write(tx, [...doc, add]);
          });
          return;
        }
        const doc = await sql.begin(async (tx) => ((await read(tx)) as unknown as [{ doc: Doc }])[0].doc);
        if (doc.some((m) => m.id === add.id)) return;
        await sql.begin((tx) => write(tx, [...doc, add]));
      };
      const store: ChatStore = {
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

export default blobLostUpdate(false);
