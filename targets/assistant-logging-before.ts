// assistant-logging-before: BUG — seed 000 as it was (Prisma 7, prisma/assistant-logging.prisma).
// logMessage opens an interactive $transaction and inserts the message first; when the session
// does not exist yet the insert fails (P2003 on AssistantChatMessage_sessionId_fkey), which
// aborts the PostgreSQL transaction, and the "recovery" in the catch block — create the session,
// then the message — fails again with 25P02 (current transaction is aborted). createSession does
// not make sure the user exists (AssistantChatSession_userId_fkey for an unknown user), and the
// route creates the session and then logs the message, swallowing the session error.
import { defineTarget, type CreateSessionRequest, type LogMessageRequest } from '../harness/contract/define-target.js';
import {
  ASSISTANT_LOGGING_SQL,
  assistantLoggingStore,
  openAssistantLoggingDb,
  type AssistantLoggingDb,
} from './assistant-logging-schema.js';

/** The seed's assistant-logging.service.ts before the fix. */
export class AssistantLoggingServiceBefore {
  constructor(private readonly db: AssistantLoggingDb) {}

  async createSession(data: CreateSessionRequest): Promise<void> {
    await this.db.assistantChatSession.create({ data: { id: data.sessionId, userId: data.userId, title: data.title ?? null } });
  }

  async logMessage(data: LogMessageRequest): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const message = { id: data.messageId, sessionId: data.sessionId, role: data.role, content: data.content };
      try {
        await tx.assistantChatMessage.create({ data: message });
      } catch {
        // BUG: the failed insert has aborted the transaction; every statement from here on is refused (25P02).
        await tx.assistantChatSession.create({ data: { id: data.sessionId, userId: data.userId } });
        await tx.assistantChatMessage.create({ data: message });
      }
    });
  }
}

export default defineTarget({
  name: 'assistant-logging-before',
  description:
    'Seed 000 before its fix (Prisma 7): the message is inserted first inside $transaction and the session created in the catch, after the transaction is aborted (P2003, then 25P02).',
  schema: { sql: ASSISTANT_LOGGING_SQL },
  // Passes only where every message goes to a session that a successful createSession already
  // made (multi-message-first-request: its handleChat creates the session first, the route's way).
  expect: { 'multi-message-first-request': 'pass', '*': 'fail' },
  async create({ pool }) {
    const db = await openAssistantLoggingDb(pool);
    const service = new AssistantLoggingServiceBefore(db);
    // The seed's route (api/assistant/chat/route.ts) before the fix: create the session, ignore
    // its failure (it usually exists already), then log the request's last message.
    return assistantLoggingStore(pool, db, service, async ({ sessionId, userId, messages }) => {
      const last = messages[messages.length - 1];
      if (!last) return;
      const sessionPromise = service.createSession({ sessionId, userId }).catch(() => {});
      await sessionPromise.then(() =>
        service.logMessage({ sessionId, userId, messageId: last.messageId, role: last.role, content: last.content }),
      );
    });
  },
});
