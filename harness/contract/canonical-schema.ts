import type { Pool } from 'pg';
import type { Snapshot, SnapshotScope, TargetDefinition } from './define-target.js';

/** DDL of the canonical schema (documented in README): ids are text, display order is `seq`. */
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
  await pool.query('INSERT INTO users (id, email) SELECT u, u || $2 FROM unnest($1::text[]) AS u ON CONFLICT (id) DO NOTHING', [
    userIds,
    '@chatfuzz.test',
  ]);
}

/** Reads the trial's rows from the canonical schema in one statement (one snapshot); users include every owner of a scoped session. */
export async function canonicalSnapshot(pool: Pick<Pool, 'query'>, scope: SnapshotScope): Promise<Snapshot> {
  // One statement sees one snapshot: a call abandoned after a timeout or a crash may still commit
  // meanwhile, and sessions read before it with messages read after would show an orphan.
  const r = await pool.query<{ users: string[]; sessions: [string, string][]; messages: [string, string, string, string][] }>(
    `SELECT
       (SELECT coalesce(json_agg(id ORDER BY id), '[]') FROM users
         WHERE id = ANY($1::text[]) OR id IN (SELECT user_id FROM chat_sessions WHERE id = ANY($2::text[]))) AS users,
       (SELECT coalesce(json_agg(json_build_array(id, user_id) ORDER BY id), '[]') FROM chat_sessions WHERE id = ANY($2::text[])) AS sessions,
       (SELECT coalesce(json_agg(json_build_array(id, session_id, role, content) ORDER BY session_id, seq), '[]') FROM chat_messages
         WHERE session_id = ANY($2::text[])) AS messages`,
    [scope.userIds, scope.sessionIds],
  );
  const row = r.rows[0]!;
  return {
    users: row.users.map((id) => ({ id })),
    sessions: row.sessions.map(([id, userId]) => ({ id, userId })),
    messages: row.messages.map(([id, sessionId, role, content]) => ({ id, sessionId, role, content })),
  };
}

/** A target on the canonical schema, whose users and snapshot the harness handles. */
export function isCanonical(def: Pick<TargetDefinition, 'schema'>): boolean {
  return def.schema === undefined || def.schema === 'canonical';
}
