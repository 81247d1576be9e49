import { defineTarget } from '../harness/contract/define-target.js';
import { claim, handleModel, handleSchema, HandleTaken } from './handle-model.js';

/** Check, then insert ignoring conflicts: two users claiming a free handle at once are both told "ok" (Issue 25's broken example). */
export default defineTarget({
  name: 'claim-handle',
  description: 'a unique handle claimed by SELECT owner, then INSERT … ON CONFLICT DO NOTHING: both racing claimants are told ok',
  schema: handleSchema,
  expect: { operations: 'fail' },
  model: handleModel,
  operations: { claim },
  create({ pool }) {
    return {
      claim: async ({ user, handle }: { user: string; handle: string }) => {
        const { rows } = await pool.query<{ user_id: string }>('SELECT user_id FROM handles WHERE handle = $1', [handle]);
        if (rows[0] && rows[0].user_id !== user) throw new HandleTaken(handle);
        if (!rows[0])
          await pool.query('INSERT INTO handles (handle, user_id) VALUES ($1, $2) ON CONFLICT (handle) DO NOTHING', [handle, user]);
      },
    };
  },
});
