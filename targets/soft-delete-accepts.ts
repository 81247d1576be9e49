// soft-delete-accepts: BUG — semantic-chat whose logMessage does not look at deleted_at: a
// soft-deleted chat (a tombstone, by its own declaration) keeps accepting messages. Caught by
// `deleted-stays-deleted` wherever the owner writes after a delete (delete-by-other,
// delete-while-logging, mixed).
import { defineTarget } from '../harness/contract/define-target.js';
import { SEMANTIC_CHAT_API, SEMANTIC_CHAT_SQL, semanticChatStore } from './semantic-chat-store.js';

export default defineTarget({
  name: 'soft-delete-accepts',
  description: 'Soft delete that keeps accepting messages to the deleted chat; fails deleted-stays-deleted.',
  schema: { sql: SEMANTIC_CHAT_SQL },
  api: SEMANTIC_CHAT_API,
  expect: { 'delete-by-other': 'fail', 'delete-while-logging': 'fail', mixed: 'fail', '*': 'pass' },
  create: ({ pool }) => semanticChatStore(pool, { acceptAfterDelete: true }),
});
