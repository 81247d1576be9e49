import type { Pool } from 'pg';
import type { HandleChatRequest, LogMessageRequest } from '../harness/contract/define-target.js';

/** A refusal: the request is invalid and nothing was written (an Error without SQLSTATE, as the contract asks). */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refusal';
  }
}

/** Refuses text PostgreSQL's `text` cannot hold (NUL bytes, 22021) before it reaches the database. */
export function refuseNul(what: string, text: string | undefined): void {
  if (text?.includes('\u0000')) throw new Refusal(`${what} contains a NUL byte, which PostgreSQL text cannot store`);
}

/**
 * Creates the canonical session for a registered user (INSERT … ON CONFLICT DO NOTHING, so
 * concurrent first requests are idempotent) and refuses a title with NUL, unknown users,
 * deleted sessions and, unless `checkOwner` is false, another user's session.
 */
export async function upsertSession(
  pool: Pool,
  req: { sessionId: string; userId: string; title?: string },
  checkOwner = true,
): Promise<void> {
  const { sessionId, userId, title } = req;
  refuseNul('the title', title);
  await pool.query(
    `INSERT INTO chat_sessions (id, user_id, title)
     SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM users WHERE id = $2)
     ON CONFLICT (id) DO NOTHING`,
    [sessionId, userId, title ?? null],
  );
  const owner = await pool.query<{ user_id: string }>('SELECT user_id FROM chat_sessions WHERE id = $1', [sessionId]);
  if (owner.rowCount === 0) {
    const user = await pool.query('SELECT 1 FROM users WHERE id = $1', [userId]);
    throw new Refusal(user.rowCount === 0 ? `unknown user ${userId}` : `session ${sessionId} was deleted while it was being written`);
  }
  if (checkOwner && owner.rows[0]!.user_id !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
}

/** Deletes the caller's own session (its messages go with it, ON DELETE CASCADE); refuses another user's; a missing session is a no-op. */
export async function deleteOwnSession(pool: Pool, req: { sessionId: string; userId: string }): Promise<void> {
  const { sessionId, userId } = req;
  const deleted = await pool.query('DELETE FROM chat_sessions WHERE id = $1 AND user_id = $2', [sessionId, userId]);
  if (deleted.rowCount) return;
  const owner = await pool.query<{ user_id: string }>('SELECT user_id FROM chat_sessions WHERE id = $1', [sessionId]);
  if (owner.rowCount && owner.rows[0]!.user_id !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
}

/** handleChat as logMessage of the request's last message (the session is created by logMessage); an empty request is refused. */
export async function logLastMessage(
  logMessage: (req: LogMessageRequest) => Promise<void>,
  { sessionId, userId, messages }: HandleChatRequest,
): Promise<void> {
  const last = messages[messages.length - 1];
  if (!last) throw new Refusal('handleChat needs at least one message');
  return logMessage({ sessionId, userId, messageId: last.messageId, role: last.role, content: last.content });
}

/** After a message insert that stored nothing: a retry of a message already in this session is fine; a deleted session or an id used elsewhere is refused. */
export async function acceptRetriedMessage(pool: Pool, messageId: string, sessionId: string): Promise<void> {
  const existing = await pool.query<{ session_id: string }>('SELECT session_id FROM chat_messages WHERE id = $1', [messageId]);
  if (existing.rowCount === 0) throw new Refusal(`session ${sessionId} was deleted while the message was being written`);
  if (existing.rows[0]!.session_id !== sessionId) throw new Refusal(`message id ${messageId} is used in another session`);
}
