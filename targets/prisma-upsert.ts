// prisma-upsert: BUG — Prisma's own `upsert` for the session, on the canonical schema
// (prisma/canonical.prisma), written the idiomatic way for "create it if it is missing":
// `upsert({ where: { id }, create: {…}, update: {} })`. Prisma hands an upsert to the database
// (INSERT … ON CONFLICT) only when, among other criteria, its `update` is not empty; with
// `update: {}` Prisma Client runs it itself as read-then-write (BEGIN; SELECT; INSERT; COMMIT),
// so two first requests for one new session both read nothing and the second INSERT dies with
// P2002 (23505 on chat_sessions_pkey). With a non-empty update (`makePrismaUpsertTarget('native')`)
// the same code is one INSERT … ON CONFLICT DO UPDATE and the race is gone. Everything else is
// done carefully: unknown users, other users' sessions and NUL bytes are refused, and a retried
// message id that is already stored in the same session counts as success.
import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { ensurePrismaClient } from '../scripts/prisma-generate.mjs';
import type { PrismaClient } from '../prisma/generated/canonical/client.js';
import { defineTarget, type ChatStore, type TargetDefinition } from '../harness/contract/define-target.js';
import { logLastMessage, Refusal, refuseNul } from './upsert-session.js';

/** A Prisma client of prisma/canonical.prisma over the harness's pool (generated first when missing or stale); `$disconnect()` leaves the pool open. */
export async function openCanonicalDb(pool: Pool): Promise<PrismaClient> {
  ensurePrismaClient('canonical');
  const { PrismaClient } = await import('../prisma/generated/canonical/client.js');
  return new PrismaClient({ adapter: new PrismaPg(pool), errorFormat: 'minimal' });
}

/** How the session upsert is spelled: `update: {}` (read-then-write in Prisma Client) or a no-op update of the key (a database upsert). */
export type UpsertSpelling = 'empty-update' | 'native';

/** The prisma-upsert target with the session upsert spelled one way or the other. */
export function makePrismaUpsertTarget(spelling: UpsertSpelling): TargetDefinition {
  return defineTarget({
    name: spelling === 'empty-update' ? 'prisma-upsert' : 'prisma-upsert-native',
    description:
      spelling === 'empty-update'
        ? "Prisma's upsert with update: {} for the session: Prisma runs it as SELECT then INSERT, so concurrent first requests fail with P2002."
        : "Prisma's upsert with a non-empty update for the session: a database upsert (INSERT … ON CONFLICT).",
    // Fails wherever two clients write a new session at once (concurrent-duplicates,
    // parallel-first-messages, cross-user's two owner clients, delete-while-logging, mixed:
    // P2002 on chat_sessions_pkey); passes where each new session has one writer (delete-by-other too).
    expect:
      spelling === 'empty-update'
        ? {
            'multi-message-first-request': 'pass',
            'log-before-create': 'pass',
            'retry-after-error': 'pass',
            'unknown-user': 'pass',
            'hostile-input': 'pass',
            'delete-by-other': 'pass',
            '*': 'fail',
          }
        : { '*': 'pass' },
    async create({ pool }) {
      const db = await openCanonicalDb(pool);
      async function ensureSession(sessionId: string, userId: string, title?: string) {
        const user = await db.user.findFirst({ where: { id: userId }, select: { id: true } });
        if (!user) throw new Refusal(`unknown user ${userId}`);
        const session = await db.chatSession.upsert({
          where: { id: sessionId },
          create: { id: sessionId, userId, title: title ?? null },
          // An empty update is the natural spelling of "leave an existing session alone".
          update: spelling === 'empty-update' ? {} : { id: sessionId },
          select: { userId: true },
        });
        if (session.userId !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
      }
      const store: ChatStore = {
        async createSession({ sessionId, userId, title }) {
          refuseNul('the title', title);
          await ensureSession(sessionId, userId, title);
        },
        async logMessage({ sessionId, userId, messageId, role, content }) {
          refuseNul('the content', content);
          await ensureSession(sessionId, userId);
          try {
            await db.chatMessage.create({ data: { id: messageId, sessionId, role, content }, select: { id: true } });
          } catch (e) {
            if ((e as { code?: unknown })?.code !== 'P2002') throw e;
            // The id is taken: a retry of a stored message is fine, another session's message is not.
            const existing = await db.chatMessage.findFirst({ where: { id: messageId }, select: { sessionId: true } });
            if (existing?.sessionId !== sessionId) throw new Refusal(`message id ${messageId} is used in another session`);
          }
        },
        handleChat: (req) => logLastMessage(store.logMessage, req),
        close: () => db.$disconnect(),
      };
      return store;
    },
  });
}

export default makePrismaUpsertTarget('empty-update');
