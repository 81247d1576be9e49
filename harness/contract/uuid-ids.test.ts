// The harness-id ↔ UUID mapping targets with UUID columns rely on (exported from 'chatfuzz').
import { describe, expect, it } from 'vitest';
import { UuidMap, uuidV5 } from './uuid-ids.js';

describe('the id mapping', () => {
  it('is a version-5 UUID, the same for the same id, different for look-alike ids, and maps back', () => {
    const u = uuidV5('t1_a.b');
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5('t1_a.b')).toBe(u);
    expect(new Set(['t1_a.b', 't1_A.B', 't1_a_b', 't1_a%b'].map(uuidV5)).size).toBe(4);
    const ids = new UuidMap();
    expect(ids.id(ids.uuid('t7_m3'))).toBe('t7_m3');
    expect(ids.id('00000000-0000-0000-0000-000000000000')).toBe('00000000-0000-0000-0000-000000000000');
  });
});
