// What the semantic-chat targets share: an app in the style of inbox-zero / open-webui that
// declares its semantics (issue 24): a conversation must be created first, a deleted chat is
// a tombstone (soft delete, later messages refused with "410"), deleting a chat that does not
// exist is refused ("404"), NUL bytes are stripped from content, and the server mints message
// ids (bigserial; the client's id is kept as an idempotency key so a retry stores nothing new).
// Each bug variant switches one check off.
import type { Pool } from 'pg';
import type { ServerIdChatStore, Snapshot, SnapshotScope, TargetApi } from '../harness/contract/define-target.js';
import { Refusal } from './upsert-session.js';

/** The app's own tables (not the canonical schema): soft-deleted chats, server-minted message ids. */
export const SEMANTIC_CHAT_SQL = `
CREATE TABLE sem_users (id text PRIMARY KEY);
CREATE TABLE sem_chats (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES sem_users(id),
  title text,
  deleted_at timestamptz
);
CREATE TABLE sem_messages (
  id bigserial PRIMARY KEY,
  client_id text NOT NULL UNIQUE,
  chat_id text NOT NULL REFERENCES sem_chats(id),
  role text NOT NULL,
  content text NOT NULL
);
`;

/** The semantics the semantic-chat targets declare. */
export const SEMANTIC_CHAT_API: TargetApi = {
  sessions: { create: 'explicit', delete: { missing: 'refuse', afterDelete: 'refuse', soft: true } },
  input: { normalize: 'strip-nul' },
  messageIds: 'server',
};

/** Which checks a variant leaves out (each a bug). */
export interface SemanticChatBugs {
  /** deleteSession does not compare the chat's owner with the caller. */
  deleteWithoutOwnerCheck?: boolean;
  /** logMessage does not look at deleted_at: a soft-deleted chat keeps accepting messages. */
  acceptAfterDelete?: boolean;
}

const stripNul = (s: string) => s.replaceAll('\u0000', '');

/** The store, correct unless `bugs` switches a check off. */
export function semanticChatStore(pool: Pool, bugs: SemanticChatBugs = {}): ServerIdChatStore {
  async function logOne(
    sessionId: string,
    userId: string,
    messageId: string,
    role: string,
    content: string,
  ): Promise<{ messageIds: string[] }> {
    // FOR SHARE (not KEY SHARE): a soft delete is an UPDATE, which must wait for this insert or be seen by it.
    const r = await pool.query<{ id: string | null; owner: string | null; deleted: boolean | null }>(
      `WITH c AS (SELECT id, user_id, deleted_at FROM sem_chats WHERE id = $2 FOR SHARE),
       ins AS (INSERT INTO sem_messages (client_id, chat_id, role, content)
               SELECT $1, c.id, $4, $5 FROM c WHERE c.user_id = $3 AND ${bugs.acceptAfterDelete ? 'true' : 'c.deleted_at IS NULL'}
               ON CONFLICT (client_id) DO NOTHING RETURNING id)
       SELECT (SELECT id::text FROM ins) AS id, (SELECT user_id FROM c) AS owner, (SELECT deleted_at IS NOT NULL FROM c) AS deleted`,
      [messageId, sessionId, userId, role, stripNul(content)],
    );
    const row = r.rows[0]!;
    if (row.id !== null) return { messageIds: [row.id] };
    if (row.owner === null) throw new Refusal(`404: chat ${sessionId} does not exist (create it first)`);
    if (row.owner !== userId) throw new Refusal(`403: chat ${sessionId} belongs to another user`);
    if (row.deleted && !bugs.acceptAfterDelete) throw new Refusal(`410: chat ${sessionId} was deleted`);
    // The client id is taken: a retry of a message stored in this chat is answered with its id.
    const existing = await pool.query<{ id: string; chat_id: string }>(
      'SELECT id::text AS id, chat_id FROM sem_messages WHERE client_id = $1',
      [messageId],
    );
    const m = existing.rows[0];
    if (!m || m.chat_id !== sessionId) throw new Refusal(`409: message id ${messageId} is used in another chat`);
    return { messageIds: [m.id] };
  }

  return {
    async createSession({ sessionId, userId, title }) {
      await pool.query(
        `INSERT INTO sem_chats (id, user_id, title) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM sem_users WHERE id = $2)
         ON CONFLICT (id) DO NOTHING`,
        [sessionId, userId, title === undefined ? null : stripNul(title)],
      );
      const r = await pool.query<{ user_id: string; deleted: boolean }>(
        'SELECT user_id, deleted_at IS NOT NULL AS deleted FROM sem_chats WHERE id = $1',
        [sessionId],
      );
      const chat = r.rows[0];
      if (!chat) throw new Refusal(`401: unknown user ${userId}`);
      if (chat.user_id !== userId) throw new Refusal(`403: chat ${sessionId} belongs to another user`);
      if (chat.deleted) throw new Refusal(`410: chat ${sessionId} was deleted`);
    },
    logMessage: ({ sessionId, userId, messageId, role, content }) => logOne(sessionId, userId, messageId, role, content),
    async handleChat({ sessionId, userId, messages }) {
      const last = messages.at(-1);
      if (!last) throw new Refusal('400: handleChat needs at least one message');
      return logOne(sessionId, userId, last.messageId, last.role, last.content);
    },
    async deleteSession({ sessionId, userId }) {
      const owner = bugs.deleteWithoutOwnerCheck ? '' : 'AND user_id = $2';
      const r = await pool.query(
        `UPDATE sem_chats SET deleted_at = now() WHERE id = $1 ${owner} AND deleted_at IS NULL`,
        bugs.deleteWithoutOwnerCheck ? [sessionId] : [sessionId, userId],
      );
      if (r.rowCount) return;
      const chat = await pool.query<{ user_id: string }>('SELECT user_id FROM sem_chats WHERE id = $1', [sessionId]);
      if (chat.rowCount && chat.rows[0]!.user_id !== userId && !bugs.deleteWithoutOwnerCheck)
        throw new Refusal(`403: chat ${sessionId} belongs to another user`);
      throw new Refusal(`404: chat ${sessionId} does not exist`);
    },
    async registerUsers(userIds) {
      await pool.query('INSERT INTO sem_users (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [userIds]);
    },
    async snapshot(scope: SnapshotScope): Promise<Snapshot> {
      const users = await pool.query<{ id: string }>(
        'SELECT id FROM sem_users WHERE id = ANY($1::text[]) OR id IN (SELECT user_id FROM sem_chats WHERE id = ANY($2::text[])) ORDER BY id',
        [scope.userIds, scope.sessionIds],
      );
      const chats = await pool.query<{ id: string; user_id: string; deleted: boolean }>(
        'SELECT id, user_id, deleted_at IS NOT NULL AS deleted FROM sem_chats WHERE id = ANY($1::text[]) ORDER BY id',
        [scope.sessionIds],
      );
      const messages = await pool.query<{ id: string; chat_id: string; role: string; content: string }>(
        'SELECT id::text AS id, chat_id, role, content FROM sem_messages WHERE chat_id = ANY($1::text[]) ORDER BY chat_id, sem_messages.id',
        [scope.sessionIds],
      );
      return {
        users: users.rows,
        sessions: chats.rows.map((c) => ({ id: c.id, userId: c.user_id, ...(c.deleted ? { deleted: true } : {}) })),
        messages: messages.rows.map((m) => ({ id: m.id, sessionId: m.chat_id, role: m.role, content: m.content })),
      };
    },
  };
}
