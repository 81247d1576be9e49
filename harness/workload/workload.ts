// workload: what a trial asks of a target. A Scenario (scenario.ts) is a fast-check generator
// of Workloads: registered users and, per client, the calls it makes in order, in logical ids
// (`s1`, `u1`, `m2`), each marked valid or refusable and perhaps faulted. Builders shared by the
// scenarios live here too (message-factory.ts, per-session-workload.ts). Hands on: Workloads.
import type { Role } from '../contract/define-target.js';

/** The calls a workload can make on a ChatStore. */
export type OpName =
  | 'createSession'
  | 'logMessage'
  | 'handleChat'
  | 'deleteSession'
  // Issue 25: one of the target's own declared operations (CallSpec.operation names it).
  | 'operation';

/** A message as the workload names it: logical id (`m3`), role and content unique within the trial. */
export interface WorkloadMessage {
  id: string;
  role: Role;
  content: string;
}

/** One call a client makes, in logical ids (`s1`, `u1`, `m2`); `valid` marks calls that must succeed. */
export interface CallSpec {
  op: OpName;
  session: string;
  user: string;
  title?: string;
  /** logMessage: exactly one; handleChat: the whole request, the last one is persisted. */
  messages?: WorkloadMessage[];
  /** handleChat of a target that persists the reply in the same request: the assistant's answer, stored at the end of the call. */
  reply?: WorkloadMessage;
  valid: boolean;
  /** The harness kills this call's connection before or after its n-th statement (retry-after-error). */
  fault?: Fault;
  /** Re-sends the client's previous call, with the same ids, if that call did not succeed. */
  retry?: boolean;
  /** Issue 25, op 'operation': the declared operation and its JSON args in logical ids (`session` and `user` are then ''). */
  operation?: { name: string; args: unknown };
}

/**
 * A fault at a call's n-th statement (or at its first COMMIT): `before`, the connection is
 * killed before it is sent; `after`, it ran (outside a transaction or a COMMIT: committed) and
 * the connection is killed before its result arrives; `timeout`, it hits a statement timeout
 * (57014) and the connection lives on.
 */
export interface Fault {
  statement: number | 'commit';
  when: 'before' | 'after' | 'timeout';
}

/** `stmt 3` or `COMMIT`: where a fault strikes, as labels print it. */
export function faultPlace(f: Fault): string {
  return f.statement === 'commit' ? 'COMMIT' : `stmt ${f.statement}`;
}

/** A generated case: registered users, and per client the calls it makes in order. */
export interface Workload {
  users: string[];
  clients: CallSpec[][];
  /** Issue 25: logical names besides users the trial owns (`k1`), mapped to physical ids like users. */
  keys?: string[];
}

/** Short, stable text for a call: `handleChat(s1, [system,user])@c1`. */
export function callLabel(call: CallSpec, client: number): string {
  const base = baseLabel(call, client);
  const fault = !call.fault
    ? ''
    : call.fault.when === 'timeout'
      ? ` [timeout ${faultPlace(call.fault)}]`
      : ` [kill ${call.fault.when} ${faultPlace(call.fault)}]`;
  return `${call.retry ? 'retry ' : ''}${base}${fault}`;
}

function baseLabel(call: CallSpec, client: number): string {
  const at = `@c${client + 1}`;
  switch (call.op) {
    case 'createSession':
      return `createSession(${call.session}, ${call.user})${at}`;
    case 'deleteSession':
      return `deleteSession(${call.session}, ${call.user})${at}`;
    case 'logMessage': {
      const m = call.messages![0]!;
      return `logMessage(${call.session}, ${m.id}, ${m.role}, ${call.user})${at}`;
    }
    case 'handleChat': {
      const ms = call.messages ?? [];
      const reply = call.reply ? ` +reply ${call.reply.id}` : '';
      return `handleChat(${call.session}, [${ms.map((m) => m.role).join(',')}], ${ms.at(-1)?.id ?? '-'}${reply}, ${call.user})${at}`;
    }
    case 'operation':
      return `${call.operation!.name}(${argsText(call.operation!.args)})${at}`;
  }
}

/** `u1, 3` for `{ user: 'u1', amount: 3 }`: a record's values in order, strings bare, anything else as JSON. */
export function argsText(args: unknown): string {
  const one = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? 'undefined' : JSON.stringify(v));
  if (args !== null && typeof args === 'object' && !Array.isArray(args)) return Object.values(args).map(one).join(', ');
  if (Array.isArray(args)) return args.map(one).join(', ');
  return args === undefined ? '' : one(args);
}

/** Every logical id a workload mentions, for scoping the snapshot. */
export function workloadIds(w: Workload): { users: string[]; sessions: string[] } {
  const users = new Set(w.users);
  const sessions = new Set<string>();
  for (const calls of w.clients)
    for (const c of calls)
      if (c.op !== 'operation') {
        users.add(c.user);
        sessions.add(c.session);
      }
  return { users: [...users], sessions: [...sessions] };
}

/** Number of calls in a workload. */
export function workloadSize(w: Workload): number {
  return w.clients.reduce((n, calls) => n + calls.length, 0);
}
