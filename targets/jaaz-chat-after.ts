// jaaz-chat-after: seed 001 with its recommended fix — handleChat checks sessionExists and creates
// the session when it is missing, whatever the number of messages. A [system, user] first request
// now works, but the fix is check-then-insert inside the handler only: two first requests for
// one new session both see "missing" and the second INSERT dies with 23505 on chat_sessions_pkey;
// the database service's createMessage (used for the assistant's reply) still inserts into a
// session that may not exist (23503); no step checks the user or the session's owner.
import { defineTarget, type ChatStore } from './define-target.js';
import {
  JAAZ_CHAT_SQL, JaazDbService, UuidMap, jaazSnapshot, registerJaazUsers, titleFrom, type JaazChatRequest,
} from './jaaz-chat-schema.js';

/** The edge function's chat handler with the seed's recommended fix. */
export class JaazChatHandlerAfter {
  constructor(private readonly dbService: JaazDbService) {}

  async handleChat(data: JaazChatRequest): Promise<void> {
    const { messages, session_id, user_id, text_model } = data;
    // Check if the session exists first, create it when it does not.
    const sessionExists = await this.dbService.sessionExists(session_id);
    if (!sessionExists) {
      await this.dbService.createSession(session_id, user_id, titleFrom(messages), text_model);
    }
    if (messages.length > 0) {
      const lastMessage = messages[messages.length - 1]!;
      await this.dbService.createMessage(session_id, lastMessage.role, lastMessage.content, lastMessage.id);
    }
  }
}

export default defineTarget({
  name: 'jaaz-chat-after',
  description: 'Seed 001 after its fix (raw pg, UUIDs): handleChat checks sessionExists and creates it; passes multi-message first requests, races on concurrent ones (23505) and never checks owners.',
  schema: { sql: JAAZ_CHAT_SQL },
  expect: { 'multi-message-first-request': 'pass', '*': 'fail' },
  create({ pool }) {
    const ids = new UuidMap();
    const dbService = new JaazDbService(pool);
    const handler = new JaazChatHandlerAfter(dbService);
    const store: ChatStore = {
      createSession: ({ sessionId, userId, title }) => dbService.createSession(ids.uuid(sessionId), ids.uuid(userId), title ?? 'New chat'),
      logMessage: ({ sessionId, messageId, role, content }) => dbService.createMessage(ids.uuid(sessionId), role, content, ids.uuid(messageId)),
      handleChat: ({ sessionId, userId, messages }) => handler.handleChat({
        session_id: ids.uuid(sessionId), user_id: ids.uuid(userId),
        messages: messages.map((m) => ({ id: ids.uuid(m.messageId), role: m.role, content: m.content })),
      }),
      registerUsers: (userIds) => registerJaazUsers(pool, ids, userIds),
      snapshot: (scope) => jaazSnapshot(pool, ids, scope),
    };
    return store;
  },
});
