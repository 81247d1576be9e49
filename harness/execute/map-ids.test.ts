import { describe, expect, it } from 'vitest';
import { mapIds } from './map-ids.js';

describe('mapIds', () => {
  const table = new Map([
    ['u1', 't3_u1'],
    ['k1', 't3_k1'],
  ]);
  it('maps strings and object keys deeply, and nothing else', () => {
    expect(mapIds({ balance: { u1: 3, u2: 4 }, owner: 'u1', list: ['k1', 'u1x', 7], n: null }, table)).toEqual({
      balance: { t3_u1: 3, u2: 4 },
      owner: 't3_u1',
      list: ['t3_k1', 'u1x', 7],
      n: null,
    });
  });
  it('turns values that are not JSON into JSON', () => {
    expect(mapIds({ big: 12n, at: new Date(0) }, table)).toEqual({ big: '12', at: '1970-01-01T00:00:00.000Z' });
  });
});
