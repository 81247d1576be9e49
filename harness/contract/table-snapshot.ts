import pg from 'pg';
import type { Snapshot, SnapshotScope, TableMap } from './define-target.js';

const q = (name: string) => pg.escapeIdentifier(name);

/** Reads a trial's rows from tables a target described instead of writing snapshot(); ids compare as text, so text and uuid keys both work. */
export async function tableSnapshot(pool: Pick<pg.Pool, 'query'>, t: TableMap, scope: SnapshotScope): Promise<Snapshot> {
  const s = t.sessions;
  const m = t.messages;
  const sessions = await pool.query<{ id: string; owner: string }>(
    `SELECT ${q(s.id)}::text AS id, ${q(s.owner)}::text AS owner FROM ${q(s.table)} WHERE ${q(s.id)}::text = ANY($1::text[]) ORDER BY 1`, [scope.sessionIds]);
  const owners = sessions.rows.map((r) => r.owner);
  // Without a users table every owner counts as existing: no-orphans then checks messages only.
  const users = t.users
    ? (await pool.query<{ id: string }>(`SELECT ${q(t.users.id)}::text AS id FROM ${q(t.users.table)} WHERE ${q(t.users.id)}::text = ANY($1::text[]) ORDER BY 1`,
      [[...scope.userIds, ...owners]])).rows.map((r) => r.id)
    : [...new Set([...scope.userIds, ...owners])].sort();
  const messages = await pool.query<{ id: string | null; session: string; role: string; content: string }>(
    `SELECT ${m.id ? `${q(m.id)}::text` : 'NULL'} AS id, ${q(m.session)}::text AS session, ${q(m.role)}::text AS role, ${q(m.content)}::text AS content
       FROM ${q(m.table)} WHERE ${q(m.session)}::text = ANY($1::text[]) ORDER BY ${q(m.session)}, ${q(m.order)}`, [scope.sessionIds]);
  return {
    users: users.map((id) => ({ id })),
    sessions: sessions.rows.map((r) => ({ id: r.id, userId: r.owner })),
    messages: messages.rows.map((r) => ({ ...(r.id !== null ? { id: r.id } : {}), sessionId: r.session, role: r.role, content: r.content })),
  };
}

/** Registers the users that exist before a trial by inserting their ids into the described users table (other columns need defaults, or a registerUsers of the target's own). */
export async function tableRegisterUsers(pool: Pick<pg.Pool, 'query'>, t: TableMap, userIds: string[]): Promise<void> {
  if (!t.users || userIds.length === 0) return;
  const { table, id } = t.users;
  // The table's own row type converts each id to the column's type (text, uuid, …).
  await pool.query(`INSERT INTO ${q(table)} (${q(id)}) SELECT ${q(id)} FROM json_populate_recordset(NULL::${q(table)}, $1::json) ON CONFLICT DO NOTHING`,
    [JSON.stringify(userIds.map((u) => ({ [id]: u })))]);
}
