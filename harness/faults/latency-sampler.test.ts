import { describe, expect, it } from 'vitest';
import { latencySampler } from './latency-sampler.js';

describe('latencySampler', () => {
  it('draws from the whole range and never outside it', () => {
    const next = latencySampler({ minMs: 1, maxMs: 5 }, 42);
    const draws = Array.from({ length: 2000 }, next);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...draws)).toBeLessThanOrEqual(5);
    // Spread over the range, not stuck at one end.
    expect(draws.filter((d) => d < 2).length).toBeGreaterThan(200);
    expect(draws.filter((d) => d > 4).length).toBeGreaterThan(200);
  });

  it('is seeded: the same seed draws the same delays, another seed others', () => {
    const a = Array.from({ length: 20 }, latencySampler({ minMs: 0, maxMs: 5 }, 7));
    const b = Array.from({ length: 20 }, latencySampler({ minMs: 0, maxMs: 5 }, 7));
    const c = Array.from({ length: 20 }, latencySampler({ minMs: 0, maxMs: 5 }, 8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('a single value (2ms) is a fixed delay', () => {
    const next = latencySampler({ minMs: 2, maxMs: 2 }, 1);
    expect(new Set(Array.from({ length: 10 }, next))).toEqual(new Set([2]));
  });
});
