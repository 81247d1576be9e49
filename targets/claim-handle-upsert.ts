import { defineTarget } from '../harness/contract/define-target.js';
import { claim, handleModel, handleSchema, HandleTaken } from './handle-model.js';

/** One upsert that returns the handle's owner: whoever inserted first owns it, and the others learn it (Issue 25's fixed example). */
export default defineTarget({
  name: 'claim-handle-upsert',
  description:
    'a unique handle claimed by INSERT … ON CONFLICT (handle) DO UPDATE SET handle = excluded.handle RETURNING user_id, refused when the owner is another user',
  schema: handleSchema,
  // READ COMMITTED lets ON CONFLICT DO UPDATE lock the row another claimant committed; stricter levels raise 40001 instead.
  isolation: 'read-committed',
  model: handleModel,
  operations: { claim },
  create({ pool }) {
    return {
      claim: async ({ user, handle }: { user: string; handle: string }) => {
        const { rows } = await pool.query<{ user_id: string }>(
          'INSERT INTO handles (handle, user_id) VALUES ($1, $2) ON CONFLICT (handle) DO UPDATE SET handle = excluded.handle RETURNING user_id',
          [handle, user],
        );
        if (rows[0]!.user_id !== user) throw new HandleTaken(handle);
      },
    };
  },
});
