import { defineTarget } from '../harness/contract/define-target.js';
import { creditsModel, creditsSchema, InsufficientCredits, spend } from './credits-model.js';

/** Read the balance, check it, write the new value: two concurrent spends overdraw or one is lost (Issue 25's broken example). */
export default defineTarget({
  name: 'credits-rmw',
  description: 'credits spent by read-check-write (SELECT balance, then UPDATE SET balance = the value computed in the app): a lost update',
  schema: creditsSchema,
  expect: { operations: 'fail' },
  model: creditsModel,
  operations: { spend },
  create({ pool }) {
    return {
      spend: async ({ user, amount }: { user: string; amount: number }) => {
        const { rows } = await pool.query<{ balance: number }>('SELECT balance FROM credits WHERE user_id = $1', [user]);
        const balance = rows[0]?.balance ?? 0;
        if (balance < amount) throw new InsufficientCredits(user, amount);
        await pool.query('UPDATE credits SET balance = $1 WHERE user_id = $2', [balance - amount, user]);
      },
    };
  },
});
