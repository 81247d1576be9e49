import type { CallRecord } from '../history/history.js';
import type { ErrorInfo } from '../history/classify-error.js';

/** `handleChat(s1, …)@c1 (step 3)`: how a verdict names a call. */
export function describeCall(call: CallRecord): string {
  return `${call.label} (step ${call.invokedAt})`;
}

/** `23503 on chat_messages_session_id_fkey: insert or update …`, or for a wrapper `AppError, caused by 23505 on chat_sessions_pkey: could not save`: how a verdict names an error, ids without the trial prefix. */
export function describeError(e: ErrorInfo | undefined, ns = ''): string {
  if (!e) return 'unknown error';
  const code = [e.prismaCode, e.sqlstate].filter(Boolean).join('/');
  const where = e.constraint ? ` on ${e.constraint}` : '';
  const cause = e.causeSqlstate ? `caused by ${e.causeSqlstate}${e.causeConstraint ? ` on ${e.causeConstraint}` : ''}` : '';
  const head = code ? code + where : [e.errorClass, cause].filter(Boolean).join(', ');
  return `${head ? head + ': ' : ''}${stripNamespace(firstLine(e.message), ns)}`;
}

/** Removes a trial's id prefix wherever a target echoed an id back (`session t1_s1 is gone` → `session s1 is gone`). */
export function stripNamespace(text: string, ns: string): string {
  if (!ns) return text;
  return text.replace(new RegExp(`\\b${ns.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g'), '');
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim()) ?? s;
  return line.length > 200 ? line.slice(0, 197) + '…' : line;
}
