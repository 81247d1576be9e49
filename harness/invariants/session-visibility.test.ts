import { describe, expect, it } from 'vitest';
import { liveSession, visibleRow } from './session-visibility.js';
import { snapshot } from './fixtures/history-fixtures.js';

describe('session visibility (soft deletes)', () => {
  it('hides a row flagged deleted, a row of a flagged session and a row without its session', () => {
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1', s2: 'u1' },
      messages: [
        { id: 'm1', session: 's1' },
        { id: 'm2', session: 's1' },
        { id: 'm3', session: 's2' },
        { id: 'm4', session: 's3' },
      ],
    });
    snap.messages[1]!.deleted = true;
    snap.sessions[1]!.deleted = true;
    expect(snap.messages.map((r) => visibleRow(snap, r))).toEqual([true, false, false, false]);
    expect(['t1_s1', 't1_s2', 't1_s3'].map((id) => liveSession(snap, id))).toEqual([true, false, false]);
  });
});
