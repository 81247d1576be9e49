import { describe, expect, it } from 'vitest';
import { validateConfig } from './validate-config.js';

describe('validateConfig: durations a run cannot work with', () => {
  it('a zero, tiny or overflowing callTimeout / timeBudget is named with its range', () => {
    expect(validateConfig({ targets: ['naive'], callTimeout: 0 })).toEqual(['`callTimeout` must be from 100ms to 1h (got 0)']);
    expect(validateConfig({ targets: ['naive'], callTimeout: '10ms' })).toEqual(['`callTimeout` must be from 100ms to 1h (got "10ms")']);
    expect(validateConfig({ targets: ['naive'], timeBudget: 2 ** 31 })).toEqual(['`timeBudget` must be from 1s to 24h (got 2147483648)']);
    expect(validateConfig({ targets: ['naive'], timeBudget: Number.NaN })).toEqual([
      "`timeBudget` must be a duration like '30s' or '2m', or milliseconds",
    ]);
  });

  it('values inside the ranges pass', () => {
    expect(validateConfig({ targets: ['naive'], callTimeout: '100ms', timeBudget: '24h' })).toEqual([]);
    expect(validateConfig({ targets: ['naive'], callTimeout: 3_600_000, timeBudget: 1000 })).toEqual([]);
  });
});
