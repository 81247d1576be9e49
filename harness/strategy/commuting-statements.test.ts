import { describe, expect, it } from 'vitest';
import { commute, isPureRead } from './commuting-statements.js';

describe('isPureRead', () => {
  it.each([
    'SELECT 1 FROM chat_sessions WHERE id = $1',
    'SELECT user_id FROM chat_sessions WHERE id = $1',
    'select coalesce(max(seq), 0) + 1 AS next FROM chat_messages WHERE session_id = $1',
    'SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)',
    "SELECT current_setting('transaction_isolation') AS l",
  ])('a plain read: %s', (sql) => expect(isPureRead(sql)).toBe(true));

  it.each([
    'SELECT id FROM users WHERE id = $1 FOR UPDATE',
    'SELECT id FROM chat_sessions WHERE id = $1 FOR KEY SHARE',
    'INSERT INTO chat_sessions (id, user_id) VALUES ($1, $2)',
    'WITH s AS (SELECT id FROM chat_sessions) INSERT INTO chat_messages SELECT * FROM s',
    "SELECT nextval('chat_messages_seq_seq')",
    'SELECT now()',
    'SELECT pg_advisory_xact_lock(42)',
    'SELECT my_function_that_writes($1)',
    'SELECT 1; DELETE FROM users',
    'BEGIN',
    'COMMIT',
    'SELECT id INTO t FROM users',
  ])('not claimed: %s', (sql) => expect(isPureRead(sql)).toBe(false));
});

describe('commute', () => {
  it('two plain reads of different calls commute; of the same call never (program order)', () => {
    const r = 'SELECT 1 FROM chat_sessions WHERE id = $1';
    expect(commute({ call: 0, sql: r }, { call: 1, sql: r })).toBe(true);
    expect(commute({ call: 0, sql: r }, { call: 0, sql: r })).toBe(false);
  });
  it('a read and a write do not commute, whatever rows they name', () => {
    expect(
      commute({ call: 0, sql: 'SELECT 1 FROM chat_sessions WHERE id = $1' }, { call: 1, sql: 'INSERT INTO users (id) VALUES ($1)' }),
    ).toBe(false);
  });
});
