import { describe, expect, it } from 'vitest';
import { brokenInputRule } from './broken-input-rule.js';

describe('brokenInputRule', () => {
  const req = { sessionId: 't1_s1', userId: 't1_u1' };

  it("judges the messages a call stores: logMessage's, handleChat's last and its reply, not the history before", () => {
    const rules = { emptyContent: 'refuse' as const, maxContentLength: 5 };
    expect(brokenInputRule({ ...req, messageId: 'm1', content: ' \t' }, rules)).toBe('empty content');
    expect(brokenInputRule({ ...req, messageId: 'm1', content: '123456' }, rules)).toBe('content longer than 5 characters');
    // Code points, not UTF-16 units: five emoji are five characters.
    expect(brokenInputRule({ ...req, messageId: 'm1', content: '😀😀😀😀😀' }, rules)).toBeUndefined();
    expect(
      brokenInputRule(
        {
          ...req,
          messages: [
            { messageId: 'm1', content: 'a long history' },
            { messageId: 'm2', content: 'hi' },
          ],
        },
        rules,
      ),
    ).toBeUndefined();
    expect(
      brokenInputRule({ ...req, messages: [{ messageId: 'm2', content: 'hi' }], reply: { messageId: 'm3', content: '' } }, rules),
    ).toBe('empty content');
    expect(brokenInputRule({ ...req, messageId: 'm1', content: '' }, undefined)).toBeUndefined();
  });

  it('checks every id the target is handed against idPattern, given as a RegExp or a string', () => {
    expect(brokenInputRule({ sessionId: 't1_a%b', userId: 't1_u1' }, { idPattern: /^[\w-]+$/ })).toBe(
      'id "t1_a%b" does not match /^[\\w-]+$/',
    );
    expect(brokenInputRule({ ...req, messages: [{ messageId: 't1_m1', content: 'x' }] }, { idPattern: '^t1_' })).toBeUndefined();
    // A global RegExp keeps lastIndex between tests: every id is judged from the start.
    const g = /^t1_/g;
    expect(brokenInputRule({ ...req, messageId: 't1_m1', content: 'x' }, { idPattern: g })).toBeUndefined();
  });
});
