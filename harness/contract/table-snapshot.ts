import crypto from 'node:crypto';
import pg from 'pg';
import type { Snapshot, SnapshotScope, TableMap } from './define-target.js';

const q = (name: string) => pg.escapeIdentifier(name);

/** Reads a trial's rows from tables a target described instead of writing snapshot(), in one statement (one snapshot); ids compare as text, so text and uuid keys both work. */
export async function tableSnapshot(pool: Pick<pg.Pool, 'query'>, t: TableMap, scope: SnapshotScope): Promise<Snapshot> {
  const s = t.sessions;
  const m = t.messages;
  const scoped = `FROM ${q(s.table)} WHERE ${q(s.id)}::text = ANY($1::text[])`;
  // Without a users table every owner counts as existing: no-orphans then checks messages only.
  const users = t.users
    ? `(SELECT coalesce(json_agg(x.id ORDER BY x.id), '[]') FROM (SELECT ${q(t.users.id)}::text AS id FROM ${q(t.users.table)}
         WHERE ${q(t.users.id)}::text = ANY($2::text[]) OR ${q(t.users.id)}::text IN (SELECT ${q(s.owner)}::text ${scoped})) x)`
    : 'NULL';
  // Messages in the target's display order: its session column, then its order column, each in its own type.
  const r = await pool.query<{ users: string[] | null; sessions: [string, string][]; messages: [string | null, string, string, string][] }>(
    `SELECT
       ${users} AS users,
       (SELECT coalesce(json_agg(json_build_array(x.id, x.owner) ORDER BY x.id), '[]')
          FROM (SELECT ${q(s.id)}::text AS id, ${q(s.owner)}::text AS owner ${scoped}) x) AS sessions,
       (SELECT coalesce(json_agg(json_build_array(x.id, x.session, x.role, x.content) ORDER BY x.by_session, x.by_order), '[]')
          FROM (SELECT ${m.id ? `${q(m.id)}::text` : 'NULL::text'} AS id, ${q(m.session)}::text AS session, ${q(m.role)}::text AS role,
                       ${q(m.content)}::text AS content, ${q(m.session)} AS by_session, ${q(m.order)} AS by_order
                  FROM ${q(m.table)} WHERE ${q(m.session)}::text = ANY($1::text[])) x) AS messages`,
    [scope.sessionIds, scope.userIds],
  );
  const row = r.rows[0]!;
  const owners = row.sessions.map(([, owner]) => owner);
  return {
    users: (row.users ?? [...new Set([...scope.userIds, ...owners])].sort()).map((id) => ({ id })),
    sessions: row.sessions.map(([id, userId]) => ({ id, userId })),
    messages: row.messages.map(([id, sessionId, role, content]) => ({ ...(id !== null ? { id } : {}), sessionId, role, content })),
  };
}

/**
 * Registers the users that exist before a trial by inserting their ids into the described users
 * table. Other columns the table requires (NOT NULL, no default) get a plain value of their type
 * derived from the id (an `email` column gets `<id>@chatfuzz.invalid`), so an app's users table with
 * an email or a name works without a registerUsers of the target's own.
 */
export async function tableRegisterUsers(pool: Pick<pg.Pool, 'query'>, t: TableMap, userIds: string[]): Promise<void> {
  if (!t.users || userIds.length === 0) return;
  const { table, id } = t.users;
  const required = (await pool.query<RequiredColumn>(REQUIRED_COLUMNS, [q(table), id])).rows;
  const rows = userIds.map((u) => Object.fromEntries([[id, u], ...required.map((c) => [c.name, requiredValue(c, u)])]));
  const columns = [id, ...required.map((c) => c.name)].map(q).join(', ');
  // The table's own row type converts each value to the column's type (text, uuid, timestamps, …).
  await pool.query(
    `INSERT INTO ${q(table)} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${q(table)}, $1::json) ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

interface RequiredColumn {
  name: string;
  type: string;
  category: string;
  firstLabel: string | null;
}

// Columns an INSERT must name: NOT NULL, no default, not an identity or generated column.
const REQUIRED_COLUMNS = `
  SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory AS category,
         (SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = a.atttypid ORDER BY e.enumsortorder LIMIT 1) AS "firstLabel"
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND NOT a.atthasdef
    AND a.attidentity = '' AND a.attgenerated = '' AND a.attname <> $2
  ORDER BY a.attnum`;

/** A value of column `c`'s type for user `id`: unique per user where the type can carry the id. */
function requiredValue(c: RequiredColumn, id: string): unknown {
  switch (c.category) {
    case 'S':
      return /mail/i.test(c.name) ? `${id}@chatfuzz.invalid` : id;
    case 'N':
      return 0;
    case 'B':
      return false;
    case 'D':
      return new Date().toISOString();
    case 'E':
      return c.firstLabel;
    case 'A':
      return [];
    default:
      if (c.type === 'uuid') return crypto.randomUUID();
      if (c.type === 'json' || c.type === 'jsonb') return {};
      return id;
  }
}
