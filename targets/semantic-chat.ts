// semantic-chat: a correct app that declares its semantics (issue 24): explicit create, soft
// delete as a tombstone (a deleted chat refuses new messages, a missing one refuses its delete),
// NUL stripped from content, server-minted message ids. The twin of delete-no-owner-check and
// soft-delete-accepts; expected to pass every scenario without a false alarm.
import { defineTarget } from '../harness/contract/define-target.js';
import { SEMANTIC_CHAT_API, SEMANTIC_CHAT_SQL, semanticChatStore } from './semantic-chat-store.js';

export default defineTarget({
  name: 'semantic-chat',
  description: 'Declares explicit create, soft delete with tombstones, strip-nul and server ids; correct: expected to pass everything.',
  schema: { sql: SEMANTIC_CHAT_SQL },
  api: SEMANTIC_CHAT_API,
  expect: { '*': 'pass' },
  create: ({ pool }) => semanticChatStore(pool),
});
