import { defineTarget } from '../harness/contract/define-target.js';
import { creditsModel, creditsSchema, InsufficientCredits, spend } from './credits-model.js';

/** One conditional UPDATE: the check and the write are one statement, so concurrent spends serialize on the row (Issue 25's fixed example). */
export default defineTarget({
  name: 'credits-atomic',
  description: 'credits spent by UPDATE … SET balance = balance - $1 WHERE user_id = $2 AND balance >= $1, refused when no row changed',
  schema: creditsSchema,
  // READ COMMITTED re-checks the WHERE on the row's newest version; stricter levels raise 40001 instead.
  isolation: 'read-committed',
  model: creditsModel,
  operations: { spend },
  create({ pool }) {
    return {
      spend: async ({ user, amount }: { user: string; amount: number }) => {
        const r = await pool.query('UPDATE credits SET balance = balance - $1 WHERE user_id = $2 AND balance >= $1', [amount, user]);
        if (r.rowCount === 0) throw new InsufficientCredits(user, amount);
      },
    };
  },
});
