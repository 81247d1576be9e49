// What the assistant-logging targets (seed 000) share: the DDL of prisma/assistant-logging.prisma,
// a Prisma 7 client over the harness's pool, the harness-facing registerUsers() and snapshot(),
// and the seed's rule for users it creates on the fly. The service code itself, before and after
// the seed's fix, lives in assistant-logging-before.ts and assistant-logging-after.ts.
import fs from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { ensurePrismaClient } from '../scripts/prisma-generate.mjs';
import type { PrismaClient } from '../prisma/generated/assistant-logging/client.js';
import type {
  ChatStore,
  CreateSessionRequest,
  HandleChatRequest,
  LogMessageRequest,
  Snapshot,
  SnapshotScope,
} from '../harness/contract/define-target.js';

/** The generated Prisma client of prisma/assistant-logging.prisma. */
export type AssistantLoggingDb = PrismaClient;

/** DDL of prisma/assistant-logging.prisma, applied by the harness (prisma migrate cannot run here). */
export const ASSISTANT_LOGGING_SQL = fs.readFileSync(new URL('../prisma/assistant-logging.sql', import.meta.url), 'utf8');

/**
 * A Prisma client whose every statement goes through `pool` (the harness's gated pool); the
 * client is generated first when it is missing or stale. `$disconnect()` leaves `pool` open:
 * PrismaPg ends an external pool only with `disposeExternalPool: true`.
 */
export async function openAssistantLoggingDb(pool: Pool): Promise<AssistantLoggingDb> {
  ensurePrismaClient('assistant-logging');
  const { PrismaClient } = await import('../prisma/generated/assistant-logging/client.js');
  // Minimal error messages ("Foreign key constraint violated on the constraint: …") read well in reports.
  return new PrismaClient({ adapter: new PrismaPg(pool), errorFormat: 'minimal' });
}

/** The User row seed 000's fix creates for a user id it has not seen: email `<id>@assistant.local`, username the id with non-alphanumerics replaced by `_`. */
export function autoCreatedUser(userId: string) {
  return {
    id: userId,
    email: `${userId}@assistant.local`,
    username: userId.replace(/[^a-zA-Z0-9]/g, '_'),
    passwordHash: 'ASSISTANT_USER',
    isActive: true,
  };
}

/** Registers users that signed up before the trial (their own email and username, not the auto-created kind). */
export async function registerAssistantUsers(pool: Pool, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await pool.query(
    `INSERT INTO "User" (id, email, username, "passwordHash")
     SELECT u, u || '@example.com', 'user_' || u, 'registered' FROM unnest($1::text[]) AS u
     ON CONFLICT (id) DO NOTHING`,
    [userIds],
  );
}

/** Reads the trial's rows; a session's messages come in display order ("createdAt"), users include every owner of a scoped session. */
export async function assistantLoggingSnapshot(pool: Pool, scope: SnapshotScope): Promise<Snapshot> {
  const sessions = await pool.query<{ id: string; userId: string }>(
    'SELECT id, "userId" FROM "AssistantChatSession" WHERE id = ANY($1::text[]) ORDER BY id',
    [scope.sessionIds],
  );
  const users = await pool.query<{ id: string }>(
    'SELECT id FROM "User" WHERE id = ANY($1::text[]) OR id IN (SELECT "userId" FROM "AssistantChatSession" WHERE id = ANY($2::text[])) ORDER BY id',
    [scope.userIds, scope.sessionIds],
  );
  const messages = await pool.query<{ id: string; sessionId: string; role: string; content: string }>(
    'SELECT id, "sessionId", role, content FROM "AssistantChatMessage" WHERE "sessionId" = ANY($1::text[]) ORDER BY "sessionId", "createdAt"',
    [scope.sessionIds],
  );
  return {
    users: users.rows.map((r) => ({ id: r.id })),
    sessions: sessions.rows.map((r) => ({ id: r.id, userId: r.userId })),
    messages: messages.rows.map((r) => ({ id: r.id, sessionId: r.sessionId, role: r.role, content: r.content })),
  };
}

/** The harness-facing ChatStore of an assistant-logging service: its own methods, the route as `handleChat`, the harness's users and snapshot. */
export function assistantLoggingStore(
  pool: Pool,
  db: AssistantLoggingDb,
  service: { createSession(req: CreateSessionRequest): Promise<void>; logMessage(req: LogMessageRequest): Promise<void> },
  route: (req: HandleChatRequest) => Promise<void>,
): ChatStore {
  return {
    createSession: (req) => service.createSession(req),
    logMessage: (req) => service.logMessage(req),
    handleChat: route,
    registerUsers: (userIds) => registerAssistantUsers(pool, userIds),
    snapshot: (scope) => assistantLoggingSnapshot(pool, scope),
    close: () => db.$disconnect(),
  };
}
