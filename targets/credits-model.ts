// Issue 25: the credits example's model, shared by credits-rmw and credits-atomic: a balance per
// user that a spend lowers, refused when it would go below zero.
import fc from 'fast-check';
import { defineOperation, type TargetModel } from '../harness/contract/define-target.js';

/** The model's state: each user's balance. */
export interface Credits {
  balance: Record<string, number>;
}

/** The balance every user starts a trial with. */
export const START_BALANCE = 10;

/** The app's refusal: an Error without SQLSTATE, as the contract asks. */
export class InsufficientCredits extends Error {
  constructor(user: string, amount: number) {
    super(`${user} cannot spend ${amount}: not enough credits`);
    this.name = 'InsufficientCredits';
  }
}

export const creditsSchema = { sql: 'CREATE TABLE credits (user_id text PRIMARY KEY, balance int NOT NULL);' };

/** Every user starts with START_BALANCE; the harness seeds and reads the table. */
export const creditsModel: TargetModel<Credits> = {
  initial: ({ users }) => ({ balance: Object.fromEntries(users.map((u) => [u, START_BALANCE])) }),
  seed: async ({ pool }, state) => {
    const users = Object.keys(state.balance);
    await pool.query('INSERT INTO credits (user_id, balance) SELECT * FROM unnest($1::text[], $2::int[])', [
      users,
      users.map((u) => state.balance[u]),
    ]);
  },
  observe: async ({ pool }, { users }) => {
    const { rows } = await pool.query<{ user_id: string; balance: number }>(
      'SELECT user_id, balance FROM credits WHERE user_id = ANY($1)',
      [users],
    );
    return { balance: Object.fromEntries(rows.map((r) => [r.user_id, r.balance])) };
  },
};

/** spend(user, amount): lowers the balance, or is refused when it would go below zero. */
export const spend = defineOperation<Credits, { user: string; amount: number }>({
  args: ({ users }) => fc.record({ user: fc.constantFrom(...users), amount: fc.integer({ min: 1, max: 4 }) }),
  apply: (state, a) =>
    (state.balance[a.user] ?? 0) >= a.amount
      ? { state: { balance: { ...state.balance, [a.user]: state.balance[a.user]! - a.amount } }, result: undefined }
      : { refuse: true },
});
