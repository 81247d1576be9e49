import type pg from 'pg';
import pLimit from 'p-limit';
import type { ChatStore, InvariantName, Snapshot, TargetDefinition } from '../../targets/define-target.js';
import { canonicalRegisterUsers, canonicalSnapshot } from '../../targets/canonical-schema.js';
import { classifyError, type ErrorInfo } from '../history/classify-error.js';
import { stripNamespace } from '../invariants/describe.js';
import { Clock, type CallRecord, type History, type StatementRecord } from '../history/history.js';
import { checkInvariants } from '../invariants/check-invariants.js';
import type { Violation } from '../invariants/invariant.js';
import { callLabel, workloadIds, type CallSpec, type Workload } from '../workload/workload.js';
import { callContext } from './call-context.js';
import { StatementRecorder } from './statement-recorder.js';
import type { StatementGate, TrialPool } from './trial-pool.js';
import { ScheduledGate, type Chooser, type ScheduleStep } from './scheduled-gate.js';
import { FaultInjector, lockAllTables, terminateBackend } from './fault-injector.js';
import type { Fault } from '../workload/workload.js';

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
  /** The control connection: sees which statements wait on locks (scheduled mode) and kills connections (faults). */
  control?: pg.Client;
}

/** A trial's evidence and verdict. */
export interface TrialResult {
  history: History;
  snapshot: Snapshot;
  violations: Violation[];
  /** Scheduled mode: the statements in release order, each with how many were waiting when it was chosen. */
  schedule?: ScheduleStep[];
  /** The index chosen at each decision (replayable as `choices`). */
  picks?: number[];
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

/** Runs one workload with real concurrency (stress mode), then snapshots and checks it. */
export async function runStressTrial(env: TrialEnv, workload: Workload, ns: string): Promise<TrialResult> {
  const clock = new Clock();
  const recorder = new StatementRecorder(clock, env.latency);
  const limit = pLimit(Math.max(1, env.concurrency ?? workload.clients.length));
  return runTrial(env, workload, ns, clock, recorder, (run) => limit(run), () => ({ statements: recorder.statements }));
}

/** Runs one workload with every statement held at a gate and released in the order `choices` dictate (scheduled mode). */
export async function runScheduledTrial(env: TrialEnv, workload: Workload, ns: string, choices: readonly number[] | Chooser): Promise<TrialResult> {
  if (!env.control) throw new Error('scheduled mode needs a control connection');
  const clock = new Clock();
  const gate = new ScheduledGate(choices, clock, env.control);
  try {
    return await runTrial(env, workload, ns, clock, gate, (run) => run(), () => ({
      statements: gate.statements, schedule: gate.steps, picks: gate.picks,
    }), gate);
  } finally {
    gate.close();
  }
}

async function runTrial(
  env: TrialEnv, workload: Workload, ns: string, clock: Clock, gate: StatementGate,
  wrap: (run: () => Promise<CallRecord>) => Promise<CallRecord>,
  evidence: () => { statements: StatementRecord[]; schedule?: ScheduleStep[]; picks?: number[] },
  hooks?: CallHooks,
): Promise<TrialResult> {
  const calls: CallRecord[] = [];
  const { users, sessions } = workloadIds(workload);
  if (env.store.registerUsers) {
    await env.store.registerUsers(workload.users.map((u) => physicalId(ns, u)));
  } else if (isCanonical(env.def)) {
    await canonicalRegisterUsers(env.harnessPool, workload.users.map((u) => physicalId(ns, u)));
  }
  let index = 0;
  const ordered = workload.clients.map((list, client) => list.map((spec) => ({ spec, client, index: index++ })));
  const faults = new Map<number, Fault>(ordered.flat().filter((c) => c.spec.fault).map((c) => [c.index, c.spec.fault!]));
  let injector: FaultInjector | undefined;
  if (faults.size) {
    const control = env.control;
    if (!control) throw new Error('a workload with connection faults needs a control connection');
    injector = new FaultInjector(gate, faults, {
      kill: terminateBackend((sql, params) => control.query(sql, params)),
      lockTables: lockAllTables(env.harnessPool),
    });
  }
  env.pool.setGate(injector ?? gate);
  // Every client's first call counts as live from the start, so no decision is made before a late-starting client arrives.
  if (hooks) for (const list of ordered) if (list[0]) hooks.callStarted(list[0].index);
  try {
    await Promise.all(ordered.map(async (list, ci) => {
      // Scheduled mode starts the clients one macrotask apart, in order: a client library that
      // merges requests made in the same tick (Prisma batches findUnique calls into one
      // statement) would otherwise leave one call waiting on another's statement, which no
      // gate sees, and every decision would wait for the settle timeout.
      if (hooks) for (let k = 0; k < ci; k++) await new Promise((r) => setImmediate(r));
      let previous: CallRecord | undefined;
      for (const { spec, client, index: i } of list) {
        // A client retries only what did not succeed.
        if (spec.retry && previous?.outcome === 'ok') continue;
        previous = await wrap(() => invokeCall(env, clock, ns, spec, client, i, hooks));
        const fired = injector?.fired.get(i);
        if (fired) previous.fault = fired;
        // A call shorter than its fault's statement (or a timeout on a lock-free statement) ran untouched: say so.
        else if (spec.fault) previous.label += ' (fault did not fire)';
        calls.push(previous);
      }
    }));
  } finally {
    env.pool.setGate(undefined);
  }
  // Trials share the pool, not state: a connection left in a transaction would fail the next
  // trial's first statement (25P02) with nothing in that trial to explain it or replay it.
  env.pool.evictDirty();
  calls.sort((a, b) => a.invokedAt - b.invokedAt);
  const { statements, schedule, picks } = evidence();
  // Errors echo physical ids (`Key (id)=(t6_s1)`); without the trial prefix a replay reads the same.
  for (const rec of [...calls, ...statements]) if (rec.error) rec.error = withoutNamespace(rec.error, ns);
  const scope = { userIds: users.map((u) => physicalId(ns, u)), sessionIds: sessions.map((s) => physicalId(ns, s)) };
  const snapshot = env.store.snapshot ? await env.store.snapshot(scope) : await canonicalSnapshot(env.harnessPool, scope);
  const history: History = { ns, calls, statements };
  const violations = checkInvariants(history, snapshot, env.def.invariants as Partial<Record<InvariantName, false>>);
  return { history, snapshot, violations, ...(schedule ? { schedule, picks } : {}) };
}

function withoutNamespace(e: ErrorInfo, ns: string): ErrorInfo {
  const out = { ...e, message: stripNamespace(e.message, ns) };
  if (e.detail) out.detail = stripNamespace(e.detail, ns);
  return out;
}

/** Lets a scheduler know which calls are live. */
export interface CallHooks { callStarted(call: number): void; callEnded(call: number): void }

/** Calls one ChatStore method inside its call context; a call that outlives the timeout is recorded as `info`. */
export async function invokeCall(env: TrialEnv, clock: Clock, ns: string, spec: CallSpec, client: number, index: number, hooks?: CallHooks): Promise<CallRecord> {
  const req = buildRequest(ns, spec);
  const last = spec.messages?.at(-1);
  const rec: CallRecord = {
    index, client, op: spec.op, label: callLabel(spec, client), valid: spec.valid,
    sessionId: req.sessionId, userId: req.userId,
    invokedAt: clock.tick(), completedAt: 0, outcome: 'ok', durationMs: 0,
  };
  if (last) rec.message = { messageId: physicalId(ns, last.id), role: last.role, content: last.content };
  if (spec.messages && spec.op === 'handleChat') rec.messageCount = spec.messages.length;
  if (spec.retry) rec.retry = true;
  const started = performance.now();
  hooks?.callStarted(index);
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
    rec.outcome = rec.error.kind === 'connection' || rec.error.kind === 'timeout' ? 'info' : 'fail';
  } finally {
    clearTimeout(timer);
    hooks?.callEnded(index);
  }
  rec.completedAt = clock.tick();
  rec.durationMs = Math.round((performance.now() - started) * 10) / 10;
  return rec;
}

/** A target on the canonical schema, whose users and snapshot the harness handles. */
export function isCanonical(def: Pick<TargetDefinition, 'schema'>): boolean {
  return def.schema === undefined || def.schema === 'canonical';
}
