// The app's queries, unchanged by chatfuzz. saveChat is check-then-insert (the seeded bug: two
// first requests for one chat both see none and the second INSERT dies on chat_sessions_pkey);
// FIXED=1 in the environment makes it one INSERT … ON CONFLICT DO NOTHING (the fixed twin).
import { sql } from './db';

export async function getChatById(id: string): Promise<{ id: string; userId: string } | undefined> {
  const [row] = await sql<{ id: string; user_id: string }[]>`SELECT id, user_id FROM chat_sessions WHERE id = ${id}`;
  return row ? { id: row.id, userId: row.user_id } : undefined;
}

export async function saveChat(id: string, userId: string, title: string | null): Promise<void> {
  if (process.env.FIXED === '1') {
    await sql`INSERT INTO chat_sessions (id, user_id, title) VALUES (${id}, ${userId}, ${title}) ON CONFLICT (id) DO NOTHING`;
    return;
  }
  if (await getChatById(id)) return;
  await sql`INSERT INTO chat_sessions (id, user_id, title) VALUES (${id}, ${userId}, ${title})`;
}

export async function saveMessage(id: string, chatId: string, role: string, content: string): Promise<void> {
  await sql`INSERT INTO chat_messages (id, session_id, role, content) VALUES (${id}, ${chatId}, ${role}, ${content})`;
}

/** Ends the client (the process's exit would). */
export async function closeDb(): Promise<void> {
  await sql.end({ timeout: 1 });
}
