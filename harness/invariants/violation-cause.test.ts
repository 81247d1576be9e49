import { describe, expect, it } from 'vitest';
import { call, history } from './fixtures/history-fixtures.js';
import type { Violation } from './invariant.js';
import { maskSentence, violationCause } from './violation-cause.js';

const h = history([
  call({ op: 'logMessage', messages: [{ id: 'm1' }] }),
  call({ op: 'handleChat', messages: [{ id: 'm2' }] }),
  call({ op: 'deleteSession' }),
]);
const v = (message: string, calls: number[], extra: Partial<Violation> = {}): Violation => ({
  invariant: 'acked-durable',
  message,
  calls,
  ...extra,
});

describe('violationCause', () => {
  it('two lost messages on other calls and ids are one cause; a lost message and stripped content are two', () => {
    const lostA = violationCause(v('message m2 (acked to logMessage(s1, m2, user, u1)@c2 (step 2)) is missing from session s1', [0]), h);
    const lostB = violationCause(
      v('message m7 (acked to handleChat(s3, [system,user], m7, u2)@c1 (step 5)) is missing from session s3', [1]),
      h,
    );
    const altered = violationCause(
      v(
        'message m4 (acked to logMessage(s1, m4, user, u1)@c1 (step 1)) is stored altered in session s1: content of 12 characters stored as 11, first difference at character 7',
        [0],
      ),
      h,
    );
    expect(lostA).toBe(lostB);
    expect(lostA).toBe('write: message # (acked to CALL) is missing from session #');
    expect(altered).not.toBe(lostA);
  });

  it('names the kinds of operation involved, and distinct refusal messages are distinct causes', () => {
    const refused = (text: string, calls: number[]) =>
      violationCause(
        v(`deleteSession(s1, u1)@c1 (step 3) is valid but was refused: ${text}`, calls, { invariant: 'valid-calls-succeed' }),
        h,
      );
    expect(refused('Error: not your chat', [2])).toBe('delete: CALL is valid but was refused: Error: not your chat');
    expect(refused('Error: not your chat', [2])).not.toBe(refused('Error: chat is being deleted', [2]));
    expect(violationCause(v('x', [0, 2]), h)).toBe('delete+write: x');
  });

  it('is undefined when a SQLSTATE names the cause, so those keys stay invariant + SQLSTATE + constraint', () => {
    expect(violationCause(v('23505 on chat_sessions_pkey', [0], { invariant: 'no-db-error', sqlstate: '23505' }), h)).toBeUndefined();
  });

  it('masks quoted text and numbers', () => {
    expect(maskSentence('session s12 has "a \\"b\\" c" 3 times')).toBe('session # has "…" # times');
  });
});
