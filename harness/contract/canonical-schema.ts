import type { Pool } from 'pg';
import type { Snapshot, SnapshotScope, TargetDefinition } from './define-target.js';

/** DDL of the canonical schema (DESIGN.md): ids are text, display order is `seq`. */
export const CANONICAL_SCHEMA_SQL = `
CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE chat_sessions (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE chat_messages (
  id text PRIMARY KEY,
  session_id text NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
  role text NOT NULL,
  content text NOT NULL,
  seq bigserial NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX chat_messages_session_seq ON chat_messages (session_id, seq);
`;

/** The email the canonical schema derives for a registered user. */
export function canonicalEmail(userId: string): string {
  return `${userId}@chatfuzz.test`;
}

/** Registers users that exist before the trial, on the canonical schema. */
export async function canonicalRegisterUsers(pool: Pool, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await pool.query(
    'INSERT INTO users (id, email) SELECT u, u || $2 FROM unnest($1::text[]) AS u ON CONFLICT (id) DO NOTHING',
    [userIds, '@chatfuzz.test'],
  );
}

/** Reads the trial's rows from the canonical schema; users include every owner of a scoped session. */
export async function canonicalSnapshot(pool: Pick<Pool, 'query'>, scope: SnapshotScope): Promise<Snapshot> {
  const sessions = await pool.query<{ id: string; user_id: string }>(
    'SELECT id, user_id FROM chat_sessions WHERE id = ANY($1::text[]) ORDER BY id', [scope.sessionIds]);
  const users = await pool.query<{ id: string }>(
    'SELECT id FROM users WHERE id = ANY($1::text[]) OR id IN (SELECT user_id FROM chat_sessions WHERE id = ANY($2::text[])) ORDER BY id',
    [scope.userIds, scope.sessionIds]);
  const messages = await pool.query<{ id: string; session_id: string; role: string; content: string }>(
    'SELECT id, session_id, role, content FROM chat_messages WHERE session_id = ANY($1::text[]) ORDER BY session_id, seq',
    [scope.sessionIds]);
  return {
    users: users.rows.map((r) => ({ id: r.id })),
    sessions: sessions.rows.map((r) => ({ id: r.id, userId: r.user_id })),
    messages: messages.rows.map((r) => ({ id: r.id, sessionId: r.session_id, role: r.role, content: r.content })),
  };
}

/** A target on the canonical schema, whose users and snapshot the harness handles. */
export function isCanonical(def: Pick<TargetDefinition, 'schema'>): boolean {
  return def.schema === undefined || def.schema === 'canonical';
}
