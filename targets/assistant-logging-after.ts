// assistant-logging-after: seed 000 with its fix (Prisma 7, prisma/assistant-logging.prisma).
// logMessage is session-first inside $transaction: find the session; if it is missing, find the
// user, create it if missing (email `<id>@assistant.local`, username = the id with
// non-alphanumerics replaced by `_`), create the session; then insert the message. createSession
// makes sure the user exists first. That ends the P2003 / 25P02 of the "before" code, but every
// step is still check-then-insert under READ COMMITTED: two first requests for one new session
// (or two sessions of one new user) both see "missing" and the second insert dies with P2002
// (23505); createSession on an existing session is a plain insert (P2002); neither method checks
// who owns the session it writes to; NUL bytes reach PostgreSQL (22021).
import { defineTarget, type CreateSessionRequest, type LogMessageRequest } from '../harness/contract/define-target.js';
import {
  ASSISTANT_LOGGING_SQL,
  assistantLoggingStore,
  autoCreatedUser,
  openAssistantLoggingDb,
  type AssistantLoggingDb,
} from './assistant-logging-schema.js';

/** The seed's assistant-logging.service.ts after the fix. */
export class AssistantLoggingServiceAfter {
  constructor(private readonly db: AssistantLoggingDb) {}

  async createSession(data: CreateSessionRequest): Promise<void> {
    const existingUser = await this.db.user.findUnique({ where: { id: data.userId } });
    if (!existingUser) await this.db.user.create({ data: autoCreatedUser(data.userId) });
    await this.db.assistantChatSession.create({ data: { id: data.sessionId, userId: data.userId, title: data.title ?? null } });
  }

  async logMessage(data: LogMessageRequest): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const sessionExists = await tx.assistantChatSession.findUnique({ where: { id: data.sessionId } });
      if (!sessionExists) {
        const userExists = await tx.user.findUnique({ where: { id: data.userId } });
        if (!userExists) await tx.user.create({ data: autoCreatedUser(data.userId) });
        await tx.assistantChatSession.create({ data: { id: data.sessionId, userId: data.userId } });
      }
      await tx.assistantChatMessage.create({
        data: { id: data.messageId, sessionId: data.sessionId, role: data.role, content: data.content },
      });
    });
  }
}

export default defineTarget({
  name: 'assistant-logging-after',
  description:
    'Seed 000 after its fix (Prisma 7): session-first inside $transaction, users auto-created; no more P2003/25P02, but its check-then-insert steps race (P2002) and it never checks session owners.',
  schema: { sql: ASSISTANT_LOGGING_SQL },
  expect: { 'multi-message-first-request': 'pass', '*': 'fail' },
  async create({ pool }) {
    const db = await openAssistantLoggingDb(pool);
    const service = new AssistantLoggingServiceAfter(db);
    // The seed's route after the fix: create the session first and wait for it, carry on when
    // that fails ("logMessage will handle session creation"), then log the last message. The
    // route's reply, logged at the same time, is the harness's parallel-first-messages scenario.
    return assistantLoggingStore(pool, db, service, async ({ sessionId, userId, messages }) => {
      const last = messages[messages.length - 1];
      if (!last) return;
      try {
        await service.createSession({ sessionId, userId });
      } catch {
        // Session creation failed (usually: it exists); logMessage creates it when it is missing.
      }
      await service.logMessage({ sessionId, userId, messageId: last.messageId, role: last.role, content: last.content });
    });
  },
});
