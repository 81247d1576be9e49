// jaaz-chat-before: BUG — seed 001 as it was (supabase/functions/jaaz-chat, raw `pg`, UUID ids).
// handleChat creates the session only when `messages.length === 1` and always saves the last
// message. A first request that already carries several messages — a system prompt and the user's
// message, or replayed history — skips the session and the insert fails with 23503 on
// chat_messages_session_id_fkey. The database service's createMessage never checks the session
// either, and nothing checks who owns a session.
import { defineTarget } from '../harness/contract/define-target.js';
import { JAAZ_CHAT_SQL, jaazChatStore, titleFrom, type JaazChatRequest, type JaazDbService } from './jaaz-chat-schema.js';

/** The edge function's chat handler before the fix. */
export class JaazChatHandlerBefore {
  constructor(private readonly dbService: JaazDbService) {}

  async handleChat(data: JaazChatRequest): Promise<void> {
    const { messages, session_id, user_id, text_model } = data;
    // BUG: only creates the session when messages.length === 1.
    if (messages.length === 1) {
      await this.dbService.createSession(session_id, user_id, titleFrom(messages), text_model);
    }
    // Always saves the last message, whether or not its session exists.
    if (messages.length > 0) {
      const lastMessage = messages[messages.length - 1]!;
      await this.dbService.createMessage(session_id, lastMessage.role, lastMessage.content, lastMessage.id);
    }
  }
}

export default defineTarget({
  name: 'jaaz-chat-before',
  description:
    'Seed 001 before its fix (raw pg, UUIDs): handleChat creates the session only when messages.length === 1, so a [system, user] first request fails with 23503 on chat_messages_session_id_fkey.',
  schema: { sql: JAAZ_CHAT_SQL },
  expect: { '*': 'fail' },
  create: ({ pool }) => jaazChatStore(pool, (db) => new JaazChatHandlerBefore(db)),
});
