// Issue 25: the unique-handle example's model, shared by claim-handle and claim-handle-upsert: a
// handle (a key of the trial) belongs to the first user who claims it.
import fc from 'fast-check';
import { defineOperation, type TargetModel } from '../harness/contract/define-target.js';

/** The model's state: each claimed handle's owner. */
export interface Handles {
  owner: Record<string, string>;
}

/** The app's refusal: an Error without SQLSTATE. */
export class HandleTaken extends Error {
  constructor(handle: string) {
    super(`handle ${handle} is taken`);
    this.name = 'HandleTaken';
  }
}

export const handleSchema = { sql: 'CREATE TABLE handles (handle text PRIMARY KEY, user_id text NOT NULL);' };

/** No handle is claimed at the start; observe reads the trial's handles and their owners. */
export const handleModel: TargetModel<Handles> = {
  initial: () => ({ owner: {} }),
  observe: async ({ pool }, { keys }) => {
    const { rows } = await pool.query<{ handle: string; user_id: string }>('SELECT handle, user_id FROM handles WHERE handle = ANY($1)', [
      keys,
    ]);
    return { owner: Object.fromEntries(rows.map((r) => [r.handle, r.user_id])) };
  },
};

/** claim(user, handle): the handle becomes the user's; claiming one's own again is fine; another's is refused. */
export const claim = defineOperation<Handles, { user: string; handle: string }>({
  args: ({ users, keys }) => fc.record({ user: fc.constantFrom(...users), handle: fc.constantFrom(...keys) }),
  apply: (state, a) => {
    const owner = state.owner[a.handle];
    if (owner === undefined) return { state: { owner: { ...state.owner, [a.handle]: a.user } }, result: undefined };
    return owner === a.user ? { state, result: undefined } : { refuse: true };
  },
});
