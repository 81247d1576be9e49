// What the jaaz-chat targets (seed 001) share: its Supabase tables (UUID ids, ON DELETE CASCADE),
// the edge function's database service in raw `pg`, and the mapping between the harness's text
// ids (`t3_s1`) and the UUIDs the schema needs. The handler itself, before and after the seed's
// fix, lives in jaaz-chat-before.ts and jaaz-chat-after.ts.
import type { Pool } from 'pg';
import type { ChatStore, Role, Snapshot, SnapshotScope } from '../harness/contract/define-target.js';
import { UuidMap } from '../harness/contract/uuid-ids.js';

/**
 * Seed 001's tables. `users` stands in for Supabase's auth.users, which chat_sessions.user_id
 * references; display order of a session's messages is created_at (now(): every insert is its
 * own transaction, so one logged after another never ties).
 */
export const JAAZ_CHAT_SQL = `
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE chat_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title text,
  model text,
  provider text,
  canvas_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE chat_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
  role text NOT NULL,
  content text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_session_id_created_at_idx ON chat_messages (session_id, created_at);
`;

/** A message of the edge function's ChatRequest. */
export interface JaazMessage {
  id: string;
  role: Role;
  content: string;
}

/** The edge function's ChatRequest, as the harness's handleChat maps onto it. */
export interface JaazChatRequest {
  session_id: string;
  user_id: string;
  messages: JaazMessage[];
  text_model?: string;
}

/** The edge function's DatabaseService: one statement per method, all through the given pool. */
export class JaazDbService {
  constructor(private readonly pool: Pool) {}

  async createSession(sessionId: string, userId: string, title: string, model?: string): Promise<void> {
    await this.pool.query('INSERT INTO chat_sessions (id, user_id, title, model, provider) VALUES ($1, $2, $3, $4, $5)', [
      sessionId,
      userId,
      title,
      model ?? 'gpt-4o',
      'openai',
    ]);
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    const r = await this.pool.query('SELECT 1 FROM chat_sessions WHERE id = $1', [sessionId]);
    return (r.rowCount ?? 0) > 0;
  }

  async createMessage(sessionId: string, role: Role, content: string, messageId: string): Promise<void> {
    await this.pool.query('INSERT INTO chat_messages (id, session_id, role, content) VALUES ($1, $2, $3, $4)', [
      messageId,
      sessionId,
      role,
      content,
    ]);
  }
}

/** A session's title the way the handler derives it: the first user message, cut short. */
export function titleFrom(messages: JaazMessage[]): string {
  const first = messages.find((m) => m.role === 'user') ?? messages[0];
  return (first?.content ?? 'New chat').slice(0, 50);
}

/** Registers users that exist before the trial (auth.users rows). */
export async function registerJaazUsers(pool: Pool, ids: UuidMap, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await pool.query('INSERT INTO users (id, email) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT (id) DO NOTHING', [
    userIds.map((u) => ids.uuid(u)),
    userIds.map((u) => `${u}@example.com`),
  ]);
}

/** Reads the trial's rows in harness ids; users include every owner of a scoped session. */
export async function jaazSnapshot(pool: Pool, ids: UuidMap, scope: SnapshotScope): Promise<Snapshot> {
  const sessionUuids = scope.sessionIds.map((s) => ids.uuid(s));
  const userUuids = scope.userIds.map((u) => ids.uuid(u));
  const sessions = await pool.query<{ id: string; user_id: string }>('SELECT id, user_id FROM chat_sessions WHERE id = ANY($1::uuid[])', [
    sessionUuids,
  ]);
  const users = await pool.query<{ id: string }>(
    'SELECT id FROM users WHERE id = ANY($1::uuid[]) OR id IN (SELECT user_id FROM chat_sessions WHERE id = ANY($2::uuid[]))',
    [userUuids, sessionUuids],
  );
  const messages = await pool.query<{ id: string; session_id: string; role: string; content: string }>(
    'SELECT id, session_id, role, content FROM chat_messages WHERE session_id = ANY($1::uuid[]) ORDER BY session_id, created_at',
    [sessionUuids],
  );
  return {
    users: users.rows.map((r) => ({ id: ids.id(r.id) })),
    sessions: sessions.rows.map((r) => ({ id: ids.id(r.id), userId: ids.id(r.user_id) })),
    messages: messages.rows.map((r) => ({ id: ids.id(r.id), sessionId: ids.id(r.session_id), role: r.role, content: r.content })),
  };
}

/**
 * The harness-facing ChatStore of a jaaz-chat handler: harness ids mapped to UUIDs,
 * createSession and logMessage straight to the database service, handleChat to the handler.
 */
export function jaazChatStore(
  pool: Pool,
  makeHandler: (db: JaazDbService) => { handleChat(req: JaazChatRequest): Promise<void> },
): ChatStore {
  const ids = new UuidMap();
  const dbService = new JaazDbService(pool);
  const handler = makeHandler(dbService);
  return {
    createSession: ({ sessionId, userId, title }) => dbService.createSession(ids.uuid(sessionId), ids.uuid(userId), title ?? 'New chat'),
    logMessage: ({ sessionId, messageId, role, content }) =>
      dbService.createMessage(ids.uuid(sessionId), role, content, ids.uuid(messageId)),
    handleChat: ({ sessionId, userId, messages }) =>
      handler.handleChat({
        session_id: ids.uuid(sessionId),
        user_id: ids.uuid(userId),
        messages: messages.map((m) => ({ id: ids.uuid(m.messageId), role: m.role, content: m.content })),
      }),
    registerUsers: (userIds) => registerJaazUsers(pool, ids, userIds),
    snapshot: (scope) => jaazSnapshot(pool, ids, scope),
  };
}
