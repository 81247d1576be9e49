import { describe, expect, it } from 'vitest';
import { alsoLines, clip, errorCode, findingText, formatDuration, mutedLines } from './report-text.js';
import { multiFailureResults } from './fixtures/sample-results.js';

describe('report text', () => {
  it('formats durations as "1.2 s" in every report', () => {
    expect([812.4, 1234, 59_949, 179_600, null, NaN].map(formatDuration)).toEqual(['812 ms', '1.2 s', '59.9 s', '3 min 0 s', '—', '—']);
  });

  it('clips with or without saying how much was cut', () => {
    expect(clip('abcdef', 3)).toBe('abc…');
    expect(clip('abcdef', 3, { count: true })).toBe('abc… (3 more chars)');
    expect(clip('abc', 3)).toBe('abc');
    expect(clip(undefined, 3)).toBe('');
  });

  it('names a finding and an error code one way', () => {
    expect(findingText({ invariant: 'no-db-error', sqlstate: '23505', prismaCode: 'P2002', constraint: 'pk' })).toBe(
      'no-db-error P2002/23505 on pk',
    );
    expect(findingText({ invariant: 'no-crash' })).toBe('no-crash');
    expect(errorCode({ kind: 'db', sqlstate: '23505', prismaCode: 'P2002', message: '' } as never)).toBe('23505');
    expect(errorCode({ kind: 'orm', prismaCode: 'P2002', message: '' } as never)).toBe('P2002');
    expect(errorCode({ kind: 'crash', causeSqlstate: '40001', message: '' } as never)).toBe('crash (cause 40001)');
    expect(errorCode({ kind: 'timeout', message: '' } as never)).toBe('timeout');
  });

  it('lists further failures and the muted findings that showed', () => {
    const [first, , , last] = multiFailureResults().cells;
    expect(alsoLines(first!)).toEqual([`also: no-db-error 23505 on chat_sessions_pkey — 2 calls — replay: ${first!.failures![1]!.replay}`]);
    expect(mutedLines(last!, 9)).toEqual(['muted: no-db-error 23505 on chat_sessions_pkey (12 trials) — known, se…']);
  });
});
