import { describe, expect, it } from 'vitest';
import { describeLeak } from './describe-leak.js';

describe('describeLeak', () => {
  it.each<[number, boolean, string | undefined]>([
    [0, false, undefined],
    [1, false, 'kept 1 connection checked out'],
    [2, false, 'kept 2 connections checked out'],
    [0, true, 'left a transaction open'],
    [1, true, 'kept 1 connection checked out and left a transaction open'],
  ])('held %i, open transaction %s → %s', (held, openTransaction, words) => {
    expect(describeLeak({ held, openTransaction })).toBe(words);
  });
});
