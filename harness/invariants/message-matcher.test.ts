import { describe, expect, it } from 'vitest';
import { messageMatcher } from './message-matcher.js';
import { ackedDurable } from './acked-durable.js';
import { noPhantomWrites } from './no-phantom-writes.js';
import { orderPreserved } from './order-preserved.js';
import { sessionOwnership } from './session-ownership.js';
import { noDuplicates } from './no-duplicates.js';
import { call, contentOf, errors, history, phys, snapshot } from './fixtures/history-fixtures.js';

describe('messageMatcher', () => {
  it('matches by id when the row has one, by content otherwise', () => {
    const m = { messageId: phys('m1'), role: 'user' as const, content: contentOf('m1') };
    const match = messageMatcher(history([call({ messages: [{ id: 'm1' }] })]));
    expect(match.find(snapshot({ messages: [{ id: 'm1', session: 's1', content: 'other' }] }), m)).toHaveLength(1);
    expect(match.find(snapshot({ messages: [{ id: 'm9', session: 's1', content: contentOf('m1') }] }), m)).toHaveLength(0);
    expect(match.find(snapshot({ messages: [{ id: 'm9', session: 's1', content: contentOf('m1') }] }, { withIds: false }), m)).toHaveLength(
      1,
    );
  });

  it('cannot tell rows without ids apart when two messages of the trial share their content, and says so', () => {
    const h = history([call({ messages: [{ id: 'm1', content: 'ok' }] }), call({ messages: [{ id: 'm2', content: 'ok' }] })]);
    const match = messageMatcher(h);
    const m2 = h.calls[1]!.message!;
    expect(match.find(snapshot({ messages: [{ id: 'm1', session: 's1', content: 'ok' }] }, { withIds: false }), m2)).toBeUndefined();
    // With ids the rows tell: m2 is missing.
    expect(match.find(snapshot({ messages: [{ id: 'm1', session: 's1', content: 'ok' }] }), m2)).toEqual([]);
    // No row with the content at all: missing, whatever the ids.
    expect(match.find(snapshot({ messages: [] }, { withIds: false }), m2)).toEqual([]);
  });
});

// False alarms the repeated "ok" would raise if content stood for identity (regressions).
describe('repeated content in different messages', () => {
  const owner = call({ messages: [{ id: 'm1', content: 'ok' }] });
  const refused = call({ user: 'u2', valid: false, messages: [{ id: 'm2', content: 'ok' }], error: errors.refusal('not your session') });
  const h = history([owner, refused]);
  const rows = snapshot(
    { sessions: { s1: 'u1' }, users: ['u1', 'u2'], messages: [{ id: 'm1', session: 's1', content: 'ok' }] },
    { withIds: false },
  );

  it('is no phantom write and no ownership breach when only the owner\'s "ok" is stored (rows without ids)', () => {
    expect(noPhantomWrites.check(h, rows)).toEqual([]);
    expect(sessionOwnership.check(h, rows)).toEqual([]);
    expect(noDuplicates.check(h, rows)).toEqual([]);
  });

  it('keeps judging by id: the refused message stored under its own id is a phantom write', () => {
    const withIds = snapshot({
      sessions: { s1: 'u1' },
      users: ['u1', 'u2'],
      messages: [
        { id: 'm1', session: 's1', content: 'ok' },
        { id: 'm2', session: 's1', content: 'ok' },
      ],
    });
    expect(noPhantomWrites.check(h, withIds).map((v) => v.invariant)).toEqual(['no-phantom-writes']);
    expect(noDuplicates.check(h, withIds)).toEqual([]);
  });

  it('is no order breach when two "ok" rows without ids are in order', () => {
    const a = call({ messages: [{ id: 'm1', content: 'ok' }] });
    const b = call({ messages: [{ id: 'm2', content: 'later' }] });
    const c = call({ messages: [{ id: 'm3', content: 'ok' }] });
    const s = snapshot(
      {
        sessions: { s1: 'u1' },
        users: ['u1'],
        messages: [
          { id: 'm1', session: 's1', content: 'ok' },
          { id: 'm2', session: 's1', content: 'later' },
          { id: 'm3', session: 's1', content: 'ok' },
        ],
      },
      { withIds: false },
    );
    expect(orderPreserved.check(history([a, b, c]), s)).toEqual([]);
  });
});

describe('a reply persisted in the same request', () => {
  const chat = call({ op: 'handleChat', messages: [{ id: 'm1' }], reply: { id: 'm2' } });

  it('must be stored (acked-durable) and come after its message (order-preserved)', () => {
    const lost = snapshot({ sessions: { s1: 'u1' }, users: ['u1'], messages: [{ id: 'm1', session: 's1' }] });
    expect(ackedDurable.check(history([chat]), lost).map((v) => v.message)).toEqual([
      'message m2 (the reply) (acked to handleChat(s1, [user], m1 +reply m2, u1)@c1 (step 1)) is missing from session s1',
    ]);
    const swapped = snapshot({
      sessions: { s1: 'u1' },
      users: ['u1'],
      messages: [
        { id: 'm2', session: 's1', role: 'assistant' },
        { id: 'm1', session: 's1' },
      ],
    });
    expect(orderPreserved.check(history([chat]), swapped).map((v) => v.invariant)).toEqual(['order-preserved']);
    const right = snapshot({
      sessions: { s1: 'u1' },
      users: ['u1'],
      messages: [
        { id: 'm1', session: 's1' },
        { id: 'm2', session: 's1', role: 'assistant' },
      ],
    });
    expect([...ackedDurable.check(history([chat]), right), ...orderPreserved.check(history([chat]), right)]).toEqual([]);
  });

  it('is a phantom write when the request was refused but its reply stored', () => {
    const refused = call({ op: 'handleChat', messages: [{ id: 'm1' }], reply: { id: 'm2' }, error: errors.refusal('no') });
    const s = snapshot({ sessions: { s1: 'u1' }, users: ['u1'], messages: [{ id: 'm2', session: 's1', role: 'assistant' }] });
    expect(noPhantomWrites.check(history([refused]), s).map((v) => v.message)).toEqual([
      expect.stringContaining('message m2 of handleChat(s1, [user], m1 +reply m2, u1)@c1'),
    ]);
  });
});

describe('messageMatcher with server-minted ids (issue 24)', () => {
  it('tells repeated contents apart by the ids the server returned, and falls back to content for a call that got none', () => {
    const a = call({ op: 'logMessage', messages: [{ id: 'm1', content: 'ok' }] });
    const b = call({ op: 'logMessage', messages: [{ id: 'm2', content: 'ok' }] });
    const c = call({ op: 'logMessage', messages: [{ id: 'm3', content: 'only me' }], outcome: 'info' });
    a.message!.serverId = '1';
    b.message!.serverId = '2';
    const match = messageMatcher({ ...history([a, b, c]), semantics: { messageIds: 'server' } });
    const row = (id: string, content: string) => ({ id, sessionId: 't1_s1', role: 'user', content });
    expect(match.is(row('2', 'ok'), b.message!)).toBe(true);
    expect(match.is(row('2', 'ok'), a.message!)).toBe(false);
    expect(match.is(row('9', 'only me'), c.message!)).toBe(true);
  });
});
