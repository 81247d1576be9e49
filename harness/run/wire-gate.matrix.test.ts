// The full-size twins of wire-gate.test.ts (`npm run test:matrix`): five runs of one seed give the same
// counterexample through the wire gate, and the correct postgres.js and Drizzle targets pass 60 trials a cell.
import { describe, expect, it } from 'vitest';
import { expectSameSessionRace, expectWireTargetsPass } from '../../test/wire-gate-checks.js';

describe('wire gate at full size', () => {
  it('postgres.js session-first × concurrent-duplicates: 23505 shrunk to 2 calls, and five runs of one seed give the same counterexample', () =>
    expectSameSessionRace(5));

  it('correct postgres.js (sql.begin) and Drizzle (db.transaction) targets pass races and deletes, scheduled and stressed', () =>
    expectWireTargetsPass(60));
});
