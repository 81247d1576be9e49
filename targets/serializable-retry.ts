// serializable-retry: a correct target of the other kind. Every call is one SERIALIZABLE
// transaction on a checked-out connection (BEGIN … COMMIT, five or more statements), retried
// from the start when PostgreSQL aborts it for a serialization failure (40001) or a deadlock
// (40P01), as PostgreSQL's documentation asks of serializable clients. Check-then-insert is
// safe here because serializable transactions cannot both see "no session" and both commit.
// It refuses, with a plain Error, what it must not store (as upsert does). Expected to pass
// everything, COMMIT kills included: a retried message already stored is accepted.
import type { PoolClient } from 'pg';
import { defineTarget, type ChatStore, type LogMessageRequest } from '../harness/contract/define-target.js';
import { Refusal, logLastMessage, refuseNul } from './upsert-session.js';

const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 20;

export default defineTarget({
  name: 'serializable-retry',
  description: 'each call one SERIALIZABLE transaction (check, then insert), retried on 40001/40P01; expected to pass everything.',
  expect: { '*': 'pass' },
  isolation: 'serializable',
  create({ pool }) {
    /** Runs `work` in one serializable transaction, again from the start while it fails with a retryable SQLSTATE. */
    async function transaction(work: (c: PoolClient) => Promise<void>): Promise<void> {
      for (let attempt = 1; ; attempt++) {
        const c = await pool.connect();
        let broken: Error | undefined;
        try {
          await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
          await work(c);
          await c.query('COMMIT');
          return;
        } catch (e) {
          const code = (e as { code?: string }).code;
          // A dead connection must not go back to the pool; anything else is rolled back first.
          if (code?.startsWith('57P') || code?.startsWith('08') || /Connection terminated/.test(String((e as Error).message)))
            broken = e as Error;
          else
            await c.query('ROLLBACK').catch((r: Error) => {
              broken = r;
            });
          // A connection lost during the ROLLBACK leaves the outcome unknown: say so, not the error before it.
          if (broken) throw broken;
          if (!code || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw e;
        } finally {
          c.release(broken);
        }
      }
    }

    /** The caller's session, created when new; refuses unknown users and another user's session. */
    async function ownSession(c: PoolClient, sessionId: string, userId: string, title?: string): Promise<void> {
      const s = await c.query<{ user_id: string }>('SELECT user_id FROM chat_sessions WHERE id = $1', [sessionId]);
      if (s.rowCount) {
        if (s.rows[0]!.user_id !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
        return;
      }
      const u = await c.query('SELECT 1 FROM users WHERE id = $1', [userId]);
      if (!u.rowCount) throw new Refusal(`unknown user ${userId}`);
      await c.query('INSERT INTO chat_sessions (id, user_id, title) VALUES ($1, $2, $3)', [sessionId, userId, title ?? null]);
    }

    const store: ChatStore = {
      createSession: ({ sessionId, userId, title }) => {
        refuseNul('the title', title);
        return transaction((c) => ownSession(c, sessionId, userId, title));
      },
      logMessage: ({ sessionId, userId, messageId, role, content }: LogMessageRequest) => {
        refuseNul('the content', content);
        return transaction(async (c) => {
          await ownSession(c, sessionId, userId);
          const m = await c.query<{ session_id: string }>('SELECT session_id FROM chat_messages WHERE id = $1', [messageId]);
          // A retry (or a double submit) of a stored message is fine; an id used elsewhere is refused.
          if (m.rowCount) {
            if (m.rows[0]!.session_id !== sessionId) throw new Refusal(`message id ${messageId} is used in another session`);
            return;
          }
          await c.query('INSERT INTO chat_messages (id, session_id, role, content) VALUES ($1, $2, $3, $4)', [
            messageId,
            sessionId,
            role,
            content,
          ]);
        });
      },
      handleChat: (req) => logLastMessage(store.logMessage, req),
      deleteSession: ({ sessionId, userId }) =>
        transaction(async (c) => {
          const s = await c.query<{ user_id: string }>('SELECT user_id FROM chat_sessions WHERE id = $1', [sessionId]);
          if (!s.rowCount) return;
          if (s.rows[0]!.user_id !== userId) throw new Refusal(`session ${sessionId} belongs to another user`);
          await c.query('DELETE FROM chat_sessions WHERE id = $1', [sessionId]);
        }),
    };
    return store;
  },
});
