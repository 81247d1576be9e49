// race-fixture: what the deep-race fixtures share (blob-lost-update, delete-four-statements,
// count-then-insert, lock-order-deadlock): a postgres.js client per logical client, as the AI
// chat templates open one (`postgres(process.env.DATABASE_URL)`), on the canonical tables,
// optionally with a changed constraint. Each fixture comes broken and fixed (its correct twin);
// PCT (harness/strategy/pct-chooser.ts) must find each broken one, and the twins must pass.
import postgres from 'postgres';
import { CANONICAL_SCHEMA_SQL, canonicalEmail } from '../harness/contract/canonical-schema.js';
import type { TableMap, TargetDefinition } from '../harness/contract/define-target.js';

/** The canonical tables as a target's own schema, for fixtures that change a constraint of theirs. */
export const CANONICAL_TABLES: TableMap = {
  users: { table: 'users', id: 'id' },
  sessions: { table: 'chat_sessions', id: 'id', owner: 'user_id' },
  messages: { table: 'chat_messages', id: 'id', session: 'session_id', role: 'role', content: 'content', order: 'seq' },
};

/** The canonical DDL with `edit` applied (it must change something), with the table map the harness reads it by. */
export function editedCanonicalSchema(edit: (sql: string) => string): Pick<TargetDefinition, 'schema' | 'tables'> {
  const sql = edit(CANONICAL_SCHEMA_SQL);
  if (sql === CANONICAL_SCHEMA_SQL) throw new Error('editedCanonicalSchema: the edit changed nothing');
  return { schema: { sql }, tables: CANONICAL_TABLES };
}

/** A fixture's postgres.js client; `deadlockMs` shortens deadlock detection (a superuser setting: harness-made databases only). */
export function fixtureSql(databaseUrl: string, o: { deadlockMs?: number } = {}): postgres.Sql {
  return postgres(databaseUrl, {
    max: 4,
    onnotice: () => {},
    ...(o.deadlockMs ? { connection: { deadlock_timeout: `${o.deadlockMs}ms` } } : {}),
  });
}

/** Registers users with the canonical email, for fixtures on their own copy of the canonical schema. */
export async function registerFixtureUsers(sql: postgres.Sql, ids: string[]): Promise<void> {
  for (const id of ids) await sql`INSERT INTO users (id, email) VALUES (${id}, ${canonicalEmail(id)}) ON CONFLICT (id) DO NOTHING`;
}

/** Thrown for a request the app refuses on purpose (a clean refusal, not a database error). */
export class Refusal extends Error {}

/** A client or a transaction: fixtures run the same statements with or without one. */
export type Queryable = postgres.TransactionSql;

/** The client itself as a Queryable (statements autocommit). */
export function autocommit(sql: postgres.Sql): Queryable {
  return sql as unknown as Queryable;
}
