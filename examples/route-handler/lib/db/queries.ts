// The app's queries: postgres.js built when the module loads, from POSTGRES_URL (as ai-chatbot's lib/db/queries.ts).
import postgres from 'postgres';

const url = process.env.POSTGRES_URL;
if (!url) throw new Error('POSTGRES_URL is not set');
export const sql = postgres(url, { max: 4, onnotice: () => {} });

export type DBMessage = { id: string; chatId: string; role: string; content: string };

/** A message id already used in another chat, or a chat deleted mid-request: the request is refused. */
export class ChatSDKError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getUser(id: string): Promise<{ id: string } | undefined> {
  const [row] = await sql<{ id: string }[]>`SELECT id FROM users WHERE id = ${id}`;
  return row;
}

export async function getChatById(id: string): Promise<{ id: string; userId: string } | undefined> {
  const [row] = await sql<{ id: string; user_id: string }[]>`SELECT id, user_id FROM chat_sessions WHERE id = ${id}`;
  return row ? { id: row.id, userId: row.user_id } : undefined;
}

export async function saveChat({ id, userId, title }: { id: string; userId: string; title: string }): Promise<void> {
  await sql`INSERT INTO chat_sessions (id, user_id, title) VALUES (${id}, ${userId}, ${title})`;
}

/** The chat, created when new: one statement, so two first requests cannot both create it. */
export async function saveChatIfAbsent({
  id,
  userId,
  title,
}: {
  id: string;
  userId: string;
  title: string;
}): Promise<{ userId: string } | undefined> {
  await sql`INSERT INTO chat_sessions (id, user_id, title) VALUES (${id}, ${userId}, ${title}) ON CONFLICT (id) DO NOTHING`;
  const chat = await getChatById(id);
  return chat && { userId: chat.userId };
}

/** Saves messages; one already stored in the same chat (a retry, a double submit) is fine, one stored elsewhere is refused. */
export async function saveMessages(messages: DBMessage[]): Promise<void> {
  for (const m of messages) {
    const inserted = await sql`
      INSERT INTO chat_messages (id, session_id, role, content)
      SELECT ${m.id}, id, ${m.role}, ${m.content} FROM chat_sessions WHERE id = ${m.chatId}
      ON CONFLICT (id) DO NOTHING RETURNING id`;
    if (inserted.count) continue;
    const [existing] = await sql<{ session_id: string }[]>`SELECT session_id FROM chat_messages WHERE id = ${m.id}`;
    if (!existing) throw new ChatSDKError(409, `chat ${m.chatId} was deleted while message ${m.id} was being saved`);
    if (existing.session_id !== m.chatId) throw new ChatSDKError(409, `message id ${m.id} is used in another chat`);
  }
}
