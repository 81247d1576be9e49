// history: what a trial did, as Jepsen records it: every call as invoke then ok, fail or info
// (CallRecord, on a logical clock), every statement with its order, outcome and classified
// error (classify-error.ts: SQLSTATE, constraint, Prisma code). Hands on: the History the
// invariants check.
import type { OpName } from '../workload/workload.js';
import type { ErrorInfo } from './classify-error.js';
import type { Role } from '../contract/define-target.js';

/** A message a call persists, as sent; `stored` is the content the app declared it stores (api.input.normalize) when it differs, `serverId` the id the server gave it (api.messageIds 'server'). */
export interface CallMessage {
  messageId: string;
  role: Role;
  content: string;
  stored?: string;
  serverId?: string;
}

/** One call's record: invoked at `invokedAt`, then ok, fail or info (may or may not have happened) at `completedAt`. */
export interface CallRecord {
  index: number;
  client: number;
  op: OpName;
  label: string;
  valid: boolean;
  /** Physical ids, as the target saw them. */
  sessionId: string;
  userId: string;
  /** The message this call persists (the last one, for handleChat). */
  message?: CallMessage;
  messageCount?: number;
  /** handleChat with the reply in the request: the assistant's answer it persists after `message`. */
  reply?: CallMessage;
  /** Why a call the workload generated as valid may be refused: it breaks one of the target's declared input rules. */
  refusable?: string;
  invokedAt: number;
  completedAt: number;
  outcome: 'ok' | 'fail' | 'info';
  error?: ErrorInfo;
  durationMs: number;
  /** The harness killed this call's connection (what, in words): its failure is the harness's doing. */
  fault?: string;
  /** The call re-sends the client's previous call after it did not succeed. */
  retry?: boolean;
  /** What the call leaked after it returned, in words ("kept 1 connection checked out", "left a transaction open"). */
  leak?: string;
  /** Issue 25, op 'operation': its name, args and (outcome ok) the value it returned, all in logical ids. */
  operation?: { name: string; args: unknown; result?: unknown };
}

/** One SQL statement a target sent through the trial pool. */
export interface StatementRecord {
  seq: number;
  /** Index of the call that issued it, or -1 for the harness's own statements. */
  call: number;
  client: number;
  backendPid?: number;
  sql: string;
  startedAt: number;
  completedAt?: number;
  rowCount?: number | null;
  error?: ErrorInfo;
  /** Scheduled mode: the server reported it waiting on a lock another of the trial's connections held. */
  blocked?: boolean;
}

/** Everything a trial observed: calls in invocation order and the statements they sent. */
export interface History {
  /** Prefix that makes the trial's physical ids its own (`t12_`); reports print ids without it. */
  ns: string;
  calls: CallRecord[];
  statements: StatementRecord[];
  /** Errors the target's code raised outside any call's promise during the trial (uncaught exceptions, unhandled rejections). */
  uncaught?: string[];
  /** What the app declared it means (issue 24), for the checks that depend on it; absent: the defaults. */
  semantics?: DeclaredSemantics;
  /** Issue 25, targets with a model: the state the trial started from (logical ids). */
  model?: { initial: unknown };
}

/** The declared app semantics the checks read (from the target's `api`), all optional, defaults as before. */
export interface DeclaredSemantics {
  create?: 'implicit' | 'explicit';
  deleteMissing?: 'ok' | 'refuse';
  afterDelete?: 'recreate' | 'refuse';
  softDelete?: boolean;
  messageIds?: 'client' | 'server';
}

/** The content a stored row of `m` must have: what the app declared it stores, else what was sent. */
export function expectedContent(m: Pick<CallMessage, 'content' | 'stored'>): string {
  return m.stored ?? m.content;
}

/** The messages a call persists, in the order it stores them: its message (the last one, for handleChat), then its reply. */
export function storedMessages(c: Pick<CallRecord, 'message' | 'reply'>): NonNullable<CallRecord['message']>[] {
  return [...(c.message ? [c.message] : []), ...(c.reply ? [c.reply] : [])];
}

/** A physical id as the workload named it: `t12_s1` → `s1`. */
export function logicalId(history: Pick<History, 'ns'>, id: string): string {
  return id.startsWith(history.ns) ? id.slice(history.ns.length) : id;
}

/** The logical clock the history uses: every invoke and completion takes the next tick. */
export class Clock {
  private t = 0;
  tick(): number {
    return ++this.t;
  }
}
