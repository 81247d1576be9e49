// Hand-written histories and snapshots for the invariant unit tests (no database).
// Tests speak in logical ids (`s1`, `u1`, `m2`); the builders add the trial namespace
// (`t1_`) the way the executor does, so a test can check that verdicts print logical ids.
import type { CallRecord, History, StatementRecord } from '../history/history.js';
import type { ErrorInfo } from '../history/classify-error.js';
import type { Snapshot } from '../contract/define-target.js';
import { callLabel, type CallSpec, type OpName, type WorkloadMessage } from '../workload/workload.js';

/** The namespace every fixture uses unless told otherwise. */
export const NS = 't1_';

/** A logical id as the target saw it: `s1` → `t1_s1`. */
export function phys(id: string, ns = NS): string {
  return ns + id;
}

/** The (trial-unique) content the fixtures give message `id` unless told otherwise. */
export function contentOf(id: string): string {
  return `content of ${id}`;
}

/** A message in logical terms; `content` defaults to `contentOf(id)`. */
export interface MessageInput {
  id: string;
  role?: WorkloadMessage['role'];
  content?: string;
}

/** A call in logical ids; anything left out gets a sensible default. */
export interface CallInput {
  op?: OpName;
  /** Logical session id, default `s1`. */
  session?: string;
  /** Logical user id, default `u1`. */
  user?: string;
  /** logMessage: one; handleChat: the whole request (the last one is persisted). */
  messages?: MessageInput[];
  client?: number;
  valid?: boolean;
  outcome?: CallRecord['outcome'];
  error?: ErrorInfo;
  /** Defaults to the position in `history(...)`. */
  index?: number;
  /** Default: each call gets the next two ticks of the logical clock, in list order. */
  invokedAt?: number;
  completedAt?: number;
  label?: string;
  durationMs?: number;
  ns?: string;
  /** What the call leaked, as the executor words it (`kept 1 connection checked out`). */
  leak?: string;
  /** handleChat with the reply in the request: the assistant message it persists after its last message. */
  reply?: MessageInput;
}

/** A full CallRecord: `call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }] })`. */
export function call(input: CallInput = {}): CallRecord {
  const ns = input.ns ?? NS;
  const op = input.op ?? (input.messages ? (input.messages.length > 1 ? 'handleChat' : 'logMessage') : 'createSession');
  const session = input.session ?? 's1';
  const user = input.user ?? 'u1';
  const client = input.client ?? 0;
  const messages: WorkloadMessage[] | undefined = input.messages?.map((m) => ({
    id: m.id, role: m.role ?? 'user', content: m.content ?? contentOf(m.id),
  }));
  const reply: WorkloadMessage | undefined = input.reply && { id: input.reply.id, role: input.reply.role ?? 'assistant', content: input.reply.content ?? contentOf(input.reply.id) };
  const spec: CallSpec = { op, session, user, messages, valid: input.valid ?? true, ...(reply ? { reply } : {}) };
  const last = messages?.at(-1);
  const record: CallRecord = {
    index: input.index ?? -1,
    client,
    op,
    label: input.label ?? callLabel(spec, client),
    valid: input.valid ?? true,
    sessionId: phys(session, ns),
    userId: phys(user, ns),
    invokedAt: input.invokedAt ?? -1,
    completedAt: input.completedAt ?? -1,
    outcome: input.outcome ?? (input.error ? 'fail' : 'ok'),
    durationMs: input.durationMs ?? 1,
  };
  if (last && (op === 'logMessage' || op === 'handleChat')) {
    record.message = { messageId: phys(last.id, ns), role: last.role, content: last.content };
    if (op === 'handleChat') record.messageCount = messages!.length;
  }
  if (reply) record.reply = { messageId: phys(reply.id, ns), role: reply.role, content: reply.content };
  if (input.error) record.error = input.error;
  if (input.leak) record.leak = input.leak;
  return record;
}

/** A history of `calls` in invocation order; unset indexes and clock ticks follow the list. */
export function history(calls: CallRecord[], ns = NS, statements: StatementRecord[] = []): History {
  let tick = 0;
  return {
    ns,
    statements,
    calls: calls.map((c, i) => {
      const invokedAt = c.invokedAt >= 0 ? c.invokedAt : ++tick;
      const completedAt = c.completedAt >= 0 ? c.completedAt : Math.max(++tick, invokedAt + 1);
      tick = Math.max(tick, invokedAt, completedAt);
      return { ...c, index: c.index >= 0 ? c.index : i, invokedAt, completedAt };
    }),
  };
}

/** A message row in logical ids; `content` defaults to `contentOf(id)`, `role` to `user`. */
export interface MessageRow {
  id: string;
  session: string;
  role?: string;
  content?: string;
}

export interface SnapshotInput {
  users?: string[];
  /** session → owner, in logical ids. */
  sessions?: Record<string, string>;
  /** Each session's messages in display order. */
  messages?: MessageRow[];
}

/** A snapshot in physical ids; `withIds: false` leaves message ids out, as a target without them reports. */
export function snapshot(input: SnapshotInput = {}, opts: { ns?: string; withIds?: boolean } = {}): Snapshot {
  const ns = opts.ns ?? NS;
  const withIds = opts.withIds ?? true;
  return {
    users: (input.users ?? []).map((u) => ({ id: phys(u, ns) })),
    sessions: Object.entries(input.sessions ?? {}).map(([s, u]) => ({ id: phys(s, ns), userId: phys(u, ns) })),
    messages: (input.messages ?? []).map((m) => {
      const row: Snapshot['messages'][number] = {
        sessionId: phys(m.session, ns), role: m.role ?? 'user', content: m.content ?? contentOf(m.id),
      };
      if (withIds) row.id = phys(m.id, ns);
      return row;
    }),
  };
}

/** Errors as classifyError reports them for the failures the seeds describe. */
export const errors = {
  /** pg: a message inserted before its session (seed 001). */
  fk(constraint = 'chat_messages_session_id_fkey', table = 'chat_messages'): ErrorInfo {
    return {
      kind: 'db', sqlstate: '23503', constraint, table,
      message: `insert or update on table "${table}" violates foreign key constraint "${constraint}"`,
      detail: 'Key (session_id)=(t1_s1) is not present in table "chat_sessions".',
    };
  },
  /** Prisma with the pg driver adapter: P2003. */
  prismaFk(constraint = 'chat_messages_session_id_fkey'): ErrorInfo {
    return { kind: 'db', prismaCode: 'P2003', sqlstate: '23503', constraint,
      message: `Foreign key constraint violated on the constraint: \`${constraint}\`` };
  },
  /** pg: the loser of a check-then-insert race. */
  unique(constraint = 'chat_sessions_pkey'): ErrorInfo {
    return { kind: 'db', sqlstate: '23505', constraint, table: constraint.replace(/_pkey$/, ''),
      message: `duplicate key value violates unique constraint "${constraint}"`,
      detail: 'Key (id)=(t1_s1) already exists.' };
  },
  /** pg: a statement after a failed one in the same transaction. */
  aborted(): ErrorInfo {
    return { kind: 'db', sqlstate: '25P02',
      message: 'current transaction is aborted, commands ignored until end of transaction block' };
  },
  /** A clean refusal; `causeSqlstate` when it wraps a raw database error. */
  refusal(message = 'unknown user', causeSqlstate?: string): ErrorInfo {
    return causeSqlstate ? { kind: 'domain', message, causeSqlstate } : { kind: 'domain', message };
  },
  /** An app's own error class wrapping a raw database error (`new AppError('could not save', { cause })`). */
  wrapped(errorClass = 'AppError', message = 'could not save', causeSqlstate = '23505', causeConstraint = 'chat_sessions_pkey'): ErrorInfo {
    return { kind: 'domain', message, errorClass, causeSqlstate, causeConstraint };
  },
  /** What the executor records for a call that outlives its timeout (outcome `info`). */
  timeout(ms = 5000): ErrorInfo {
    return { kind: 'timeout', message: `did not settle within ${ms} ms (the call may or may not have taken effect)` };
  },
  /** A killed connection (outcome `info`). */
  connection(): ErrorInfo {
    return { kind: 'connection', sqlstate: '57P01', message: 'terminating connection due to administrator command' };
  },
};
