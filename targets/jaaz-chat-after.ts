// jaaz-chat-after: seed 001 with its recommended fix — handleChat checks sessionExists and creates
// the session when it is missing, whatever the number of messages. A [system, user] first request
// now works, but the fix is check-then-insert inside the handler only: two first requests for
// one new session both see "missing" and the second INSERT dies with 23505 on chat_sessions_pkey;
// the database service's createMessage (used for the assistant's reply) still inserts into a
// session that may not exist (23503); no step checks the user or the session's owner.
import { defineTarget } from '../harness/contract/define-target.js';
import { JAAZ_CHAT_SQL, jaazChatStore, titleFrom, type JaazChatRequest, type JaazDbService } from './jaaz-chat-schema.js';

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
  description:
    'Seed 001 after its fix (raw pg, UUIDs): handleChat checks sessionExists and creates it; passes multi-message first requests, races on concurrent ones (23505) and never checks owners.',
  schema: { sql: JAAZ_CHAT_SQL },
  expect: { 'multi-message-first-request': 'pass', '*': 'fail' },
  create: ({ pool }) => jaazChatStore(pool, (db) => new JaazChatHandlerAfter(db)),
});
