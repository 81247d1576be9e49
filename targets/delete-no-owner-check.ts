// delete-no-owner-check: BUG — semantic-chat whose deleteSession soft-deletes any chat by id,
// whoever asks (`UPDATE … WHERE id = $1`, no `AND user_id = $2`): another user deletes your chat
// (vercel/ai-chatbot's delete route before its owner check). Caught by `delete-ownership` in
// delete-by-other, cross-user and mixed (whose intruders also delete).
import { defineTarget } from '../harness/contract/define-target.js';
import { SEMANTIC_CHAT_API, SEMANTIC_CHAT_SQL, semanticChatStore } from './semantic-chat-store.js';

export default defineTarget({
  name: 'delete-no-owner-check',
  description: "Soft-deletes any user's chat (no owner check on delete); fails delete-ownership in delete-by-other.",
  schema: { sql: SEMANTIC_CHAT_SQL },
  api: SEMANTIC_CHAT_API,
  expect: { 'delete-by-other': 'fail', 'cross-user': 'fail', mixed: 'fail', '*': 'pass' },
  create: ({ pool }) => semanticChatStore(pool, { deleteWithoutOwnerCheck: true }),
});
