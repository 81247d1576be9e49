import type pg from 'pg';
import pLimit from 'p-limit';
import type { ChatStore, InvariantName, Snapshot, TargetDefinition } from '../../targets/define-target.js';
import { canonicalRegisterUsers, canonicalSnapshot } from '../../targets/canonical-schema.js';
import { classifyError } from '../history/classify-error.js';
import { Clock, type CallRecord, type History } from '../history/history.js';
import { checkInvariants } from '../invariants/check-invariants.js';
import type { Violation } from '../invariants/invariant.js';
import { callLabel, workloadIds, type CallSpec, type Workload } from '../workload/workload.js';
import { callContext } from './call-context.js';
import { StatementRecorder } from './statement-recorder.js';
import type { TrialPool } from './trial-pool.js';

/** What a cell sets up once and every trial reuses. */
export interface TrialEnv {
  def: TargetDefinition;
  store: ChatStore;
  /** The pool the target was given. */
  pool: TrialPool;
  /** The harness's own connection for registering users and reading snapshots. */
  harnessPool: pg.Pool;
  callTimeoutMs: number;
  /** Upper bound on calls in flight at once (p-limit); defaults to one per client. */
  concurrency?: number;
  latency?: () => number;
}

/** A trial's evidence and verdict. */
export interface TrialResult {
  history: History;
  snapshot: Snapshot;
  violations: Violation[];
}

const TIMEOUT = Symbol('timeout');

/** Maps a workload's logical ids into the trial's own namespace. */
export function physicalId(ns: string, logical: string): string {
  return ns + logical;
}

function buildRequest(ns: string, call: CallSpec): any {
  const sessionId = physicalId(ns, call.session);
  const userId = physicalId(ns, call.user);
  const msgs = (call.messages ?? []).map((m) => ({ messageId: physicalId(ns, m.id), role: m.role, content: m.content }));
  switch (call.op) {
    case 'createSession': return call.title === undefined ? { sessionId, userId } : { sessionId, userId, title: call.title };
    case 'deleteSession': return { sessionId, userId };
    case 'logMessage': return { sessionId, userId, ...msgs[0]! };
    case 'handleChat': return { sessionId, userId, messages: msgs };
  }
}

/** Runs one workload against the target with real concurrency (stress mode), then snapshots and checks it. */
export async function runStressTrial(env: TrialEnv, workload: Workload, ns: string): Promise<TrialResult> {
  const clock = new Clock();
  const recorder = new StatementRecorder(clock, env.latency);
  const calls: CallRecord[] = [];
  const { users, sessions } = workloadIds(workload);

  if (env.store.registerUsers) {
    await env.store.registerUsers(workload.users.map((u) => physicalId(ns, u)));
  } else if (isCanonical(env.def)) {
    await canonicalRegisterUsers(env.harnessPool, workload.users.map((u) => physicalId(ns, u)));
  }

  let index = 0;
  const ordered = workload.clients.map((list, client) => list.map((spec) => ({ spec, client, index: index++ })));
  const limit = pLimit(Math.max(1, env.concurrency ?? workload.clients.length));
  env.pool.setGate(recorder);
  try {
    await Promise.all(ordered.map(async (list) => {
      for (const { spec, client, index: i } of list) {
        const rec = await limit(() => invokeCall(env, clock, ns, spec, client, i));
        calls.push(rec);
      }
    }));
  } finally {
    env.pool.setGate(undefined);
  }
  calls.sort((a, b) => a.invokedAt - b.invokedAt);

  const scope = { userIds: users.map((u) => physicalId(ns, u)), sessionIds: sessions.map((s) => physicalId(ns, s)) };
  const snapshot = env.store.snapshot ? await env.store.snapshot(scope) : await canonicalSnapshot(env.harnessPool, scope);
  const history: History = { ns, calls, statements: recorder.statements };
  return { history, snapshot, violations: checkInvariants(history, snapshot, env.def.invariants as Partial<Record<InvariantName, false>>) };
}

/** Calls one ChatStore method inside its call context; a call that outlives the timeout is recorded as `info`. */
export async function invokeCall(env: TrialEnv, clock: Clock, ns: string, spec: CallSpec, client: number, index: number): Promise<CallRecord> {
  const req = buildRequest(ns, spec);
  const last = spec.messages?.at(-1);
  const rec: CallRecord = {
    index, client, op: spec.op, label: callLabel(spec, client), valid: spec.valid,
    sessionId: req.sessionId, userId: req.userId,
    invokedAt: clock.tick(), completedAt: 0, outcome: 'ok', durationMs: 0,
  };
  if (last) rec.message = { messageId: physicalId(ns, last.id), role: last.role, content: last.content };
  if (spec.messages && spec.op === 'handleChat') rec.messageCount = spec.messages.length;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const method = (env.store as any)[spec.op] as ((r: unknown) => Promise<void>) | undefined;
  const call = callContext.run({ call: index, client }, async () => {
    if (typeof method !== 'function') throw new Error(`the target has no ${spec.op}() method`);
    await method.call(env.store, req);
  });
  const timeout = new Promise<typeof TIMEOUT>((resolve) => { timer = setTimeout(() => resolve(TIMEOUT), env.callTimeoutMs); });
  try {
    const r = await Promise.race([call.then(() => undefined), timeout]);
    if (r === TIMEOUT) {
      rec.outcome = 'info';
      rec.error = { kind: 'timeout', message: `did not settle within ${env.callTimeoutMs} ms (the call may or may not have taken effect)` };
      // The call keeps running: a late rejection must not become an unhandled one.
      call.catch(() => {});
    }
  } catch (e) {
    rec.error = classifyError(e);
    rec.outcome = rec.error.kind === 'connection' ? 'info' : 'fail';
  } finally {
    clearTimeout(timer);
  }
  rec.completedAt = clock.tick();
  rec.durationMs = Math.round((performance.now() - started) * 10) / 10;
  return rec;
}

/** A target on the canonical schema, whose users and snapshot the harness handles. */
export function isCanonical(def: Pick<TargetDefinition, 'schema'>): boolean {
  return def.schema === undefined || def.schema === 'canonical';
}
