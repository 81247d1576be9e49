// The Prisma schemas and the SQL the harness applies for them agree: every model and scalar field
// of a generated client maps onto a table and column the SQL creates (with a matching type), the
// SQL creates nothing the models do not know, and the constraint names the reports quote are
// Prisma's own. Also: the clients work over an existing pg.Pool and $disconnect() leaves it open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createRunDatabase, type RunDatabase } from '../harness/db/run-database.js';
import { testServer } from '../test/test-server.js';
import { ASSISTANT_LOGGING_SQL, autoCreatedUser, openAssistantLoggingDb } from './assistant-logging-schema.js';
import { CANONICAL_SCHEMA_SQL } from '../harness/contract/canonical-schema.js';
import { openCanonicalDb } from './prisma-upsert.js';

interface RuntimeField {
  name: string;
  kind: string;
  type: string;
  dbName?: string | null;
}
interface RuntimeModel {
  dbName?: string | null;
  fields: RuntimeField[];
}

// Prisma's scalar types and the PostgreSQL types their columns may have.
const PG_TYPES: Record<string, string[]> = {
  String: ['text'],
  Boolean: ['boolean'],
  BigInt: ['bigint'],
  Int: ['integer'],
  DateTime: ['timestamp without time zone', 'timestamp with time zone'],
};

/** Columns per table as the generated client expects them: `table.column → Prisma type`. */
function modelColumns(client: unknown): Map<string, string> {
  // The generated client carries its data model (table and column names included) as _runtimeDataModel.
  const models = (client as { _runtimeDataModel: { models: Record<string, RuntimeModel> } })._runtimeDataModel.models;
  const out = new Map<string, string>();
  for (const [name, model] of Object.entries(models)) {
    for (const f of model.fields) if (f.kind === 'scalar') out.set(`${model.dbName ?? name}.${f.dbName ?? f.name}`, f.type);
  }
  return out;
}

async function catalog(pool: pg.Pool) {
  const columns = await pool.query<{ t: string; c: string; type: string }>(
    `SELECT table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const constraints = await pool.query<{ name: string }>(
    `SELECT conname AS name FROM pg_constraint WHERE connamespace = 'public'::regnamespace
     UNION SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
  );
  return { columns: new Map(columns.rows.map((r) => [`${r.t}.${r.c}`, r.type])), names: new Set(constraints.rows.map((r) => r.name)) };
}

const dbs: RunDatabase[] = [];
const pools: pg.Pool[] = [];
async function freshPool(sql: string): Promise<pg.Pool> {
  const db = await createRunDatabase(testServer(), `chatfuzz_schema_${process.pid}_${dbs.length}`);
  dbs.push(db);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pools.push(pool);
  await pool.query(sql);
  return pool;
}

afterAll(async () => {
  for (const p of pools) await p.end().catch(() => {});
  for (const db of dbs) await db.drop();
});

describe.each([
  {
    name: 'assistant-logging',
    sql: ASSISTANT_LOGGING_SQL,
    open: openAssistantLoggingDb,
    constraints: [
      'AssistantChatMessage_sessionId_fkey',
      'AssistantChatSession_userId_fkey',
      'User_email_key',
      'User_username_key',
      'AssistantChatSession_pkey',
      'User_pkey',
    ],
  },
  {
    name: 'canonical',
    sql: CANONICAL_SCHEMA_SQL,
    open: openCanonicalDb,
    constraints: ['chat_messages_session_id_fkey', 'chat_sessions_user_id_fkey', 'users_email_key', 'chat_sessions_pkey'],
  },
])('prisma/$name.prisma and its SQL', ({ sql, open, constraints }) => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = await freshPool(sql);
  });

  it('have the same tables and columns, with matching types', async () => {
    const client = await open(pool);
    try {
      const { columns } = await catalog(pool);
      const expected = modelColumns(client);
      expect([...columns.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [col, prismaType] of expected) expect(PG_TYPES[prismaType], col).toContain(columns.get(col));
    } finally {
      await client.$disconnect();
    }
  });

  it('name their constraints the way Prisma does (the names reports quote)', async () => {
    const { names } = await catalog(pool);
    for (const c of constraints) expect(names).toContain(c);
  });
});

describe('the Prisma clients over an existing pg.Pool', () => {
  it('write and read through the pool, and $disconnect() leaves the pool open', async () => {
    const pool = await freshPool(ASSISTANT_LOGGING_SQL);
    const db = await openAssistantLoggingDb(pool);
    await db.$transaction(async (tx) => {
      await tx.user.create({ data: autoCreatedUser('a.b-c') });
      await tx.assistantChatSession.create({ data: { id: 's1', userId: 'a.b-c' } });
      await tx.assistantChatMessage.create({ data: { id: 'm1', sessionId: 's1', role: 'user', content: 'hi' } });
    });
    expect(await db.user.findUnique({ where: { id: 'a.b-c' } })).toMatchObject({ email: 'a.b-c@assistant.local', username: 'a_b_c' });
    await db.$disconnect();
    expect((await pool.query('SELECT count(*)::int AS n FROM "AssistantChatMessage"')).rows[0].n).toBe(1);
  });

  it('report a foreign-key violation as P2003 with the SQLSTATE and constraint underneath', async () => {
    const pool = await freshPool(ASSISTANT_LOGGING_SQL);
    const db = await openAssistantLoggingDb(pool);
    try {
      const e = await db.assistantChatMessage
        .create({ data: { id: 'm1', sessionId: 'nope', role: 'user', content: 'hi' } })
        .catch((x) => x);
      const { classifyError } = await import('../harness/history/classify-error.js');
      expect(classifyError(e)).toMatchObject({
        kind: 'db',
        prismaCode: 'P2003',
        sqlstate: '23503',
        constraint: 'AssistantChatMessage_sessionId_fkey',
      });
    } finally {
      await db.$disconnect();
    }
  });
});
