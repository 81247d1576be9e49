import type { History } from '../history/history.js';
import type { OpName } from '../workload/workload.js';
import type { Violation } from './invariant.js';

const OP_CLASS: Record<OpName, string> = {
  createSession: 'create',
  logMessage: 'write',
  handleChat: 'write',
  deleteSession: 'delete',
  operation: 'operation',
};

/**
 * What a violation without a SQLSTATE shows of its cause, as grouping text: the kinds of
 * operation involved (create, write, delete) and its sentence with calls, ids and numbers
 * masked, so "message m2 is missing" and "message m5 is stored altered: …" are two causes and
 * two lost messages are one, and every distinct refusal message is a cause of its own.
 * Undefined when the SQLSTATE and constraint already name the cause.
 */
export function violationCause(v: Violation, history: Pick<History, 'calls'>): string | undefined {
  if (v.sqlstate || v.prismaCode) return undefined;
  const ops = new Set<string>();
  for (const i of v.calls) {
    const op = history.calls.find((c) => c.index === i)?.op as OpName | undefined;
    if (op) ops.add(OP_CLASS[op] ?? op);
  }
  return `${[...ops].sort().join('+') || '-'}: ${maskSentence(v.message)}`;
}

/** A violation's sentence without what differs from one trial to the next: call labels, logical ids, numbers, quoted text. */
export function maskSentence(message: string): string {
  return message
    .replace(/\b(?:createSession|logMessage|handleChat|deleteSession)\((?:[^()]|\([^()]*\))*\)(?:@c\d+)?(?: \(step \d+\))?/g, 'CALL')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\b[a-zA-Z]?\d+\b/g, '#')
    .slice(0, 200);
}
