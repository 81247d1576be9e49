// chatfuzz's public entry: what a target module imports.
export { defineTarget } from './contract/define-target.js';
export type {
  Role, InvariantName, ChatStore, Snapshot, SnapshotScope, TargetContext, TargetDefinition,
  CreateSessionRequest, LogMessageRequest, HandleChatRequest, DeleteSessionRequest, ChatMessageInput,
} from './contract/define-target.js';
