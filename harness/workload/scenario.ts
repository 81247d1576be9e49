import type fc from 'fast-check';
import type { ChatStore, InputRules, OperationDefinition, TargetApi } from '../contract/define-target.js';
import type { Workload } from './workload.js';

/** What a target's API can express; scenarios (and fitToApi after them) only generate calls it can take. */
export interface TargetCapabilities {
  handleChat: boolean;
  deleteSession: boolean;
  /** Without it, sessions are opened by their first message. */
  createSession: boolean;
  /** handleChat persists the assistant's reply in the same request: no reply is logged on its own. */
  replyInRequest: boolean;
  /** What handleChat's messages carry each turn; 'any' generates both shapes. */
  history: 'full' | 'new' | 'any';
  /** Input the target may refuse; calls that break a rule are generated as refusable. */
  input?: InputRules;
  // --- Declared app semantics (issue 24); absent: the defaults ---
  /** api.sessions.create 'explicit': a write to a session its client has not created may be refused. */
  explicitCreate?: boolean;
  /** api.sessions.delete.missing 'refuse': deleting a session that may not exist may be refused. */
  deleteMissing?: 'ok' | 'refuse';
  /** api.sessions.delete.afterDelete 'refuse': every call on a deleted session after (or racing) its delete may be refused. */
  afterDelete?: 'recreate' | 'refuse';
  /** Issue 25: the target's own operations (scenario `operations`, and `mixed` beside chat calls). */
  operations?: Record<string, OperationDefinition<any, any>>;
  /** Issue 25: false for a target of operations only (no logMessage): the chat scenarios do not apply to it. */
  chat?: boolean;
}

/** The capabilities of a store and its declared API shape. */
export function targetCapabilities(
  store: ChatStore,
  api: TargetApi = {},
  operations?: Record<string, OperationDefinition<any, any>>,
): TargetCapabilities {
  return {
    ...(operations && Object.keys(operations).length ? { operations } : {}),
    ...(typeof store.logMessage !== 'function' ? { chat: false } : {}),
    handleChat: typeof store.handleChat === 'function',
    deleteSession: typeof store.deleteSession === 'function',
    createSession: typeof store.createSession === 'function',
    replyInRequest: api.reply === 'in-request' && typeof store.handleChat === 'function',
    history: api.history ?? 'any',
    ...(api.input ? { input: api.input } : {}),
    ...(api.sessions?.create === 'explicit' ? { explicitCreate: true } : {}),
    ...(api.sessions?.delete?.missing ? { deleteMissing: api.sessions.delete.missing } : {}),
    ...(api.sessions?.delete?.afterDelete ? { afterDelete: api.sessions.delete.afterDelete } : {}),
  };
}

/** Every capability on, history 'full': what the harness generated before targets could declare their API. */
export const FULL_CAPABILITIES: TargetCapabilities = {
  handleChat: true,
  deleteSession: true,
  createSession: true,
  replyInRequest: false,
  history: 'full',
};

/** A named workload generator (the scenario names are a public contract). */
export interface Scenario {
  name: string;
  description: string;
  /** Issue 25: 'operations' scenarios apply to targets that declare operations; the others (default 'chat') to targets with logMessage. */
  kind?: 'chat' | 'operations';
  arbitrary(caps: TargetCapabilities): fc.Arbitrary<Workload>;
}

/** Issue 25: why a scenario does not apply to a target of these capabilities, or undefined when it does. */
export function notApplicable(scenario: Pick<Scenario, 'kind'>, caps: Pick<TargetCapabilities, 'operations' | 'chat'>): string | undefined {
  if (scenario.kind === 'operations') return caps.operations ? undefined : 'the target declares no operations';
  return caps.chat === false ? 'the target has operations only (no logMessage, or a schema of its own without `tables`)' : undefined;
}
