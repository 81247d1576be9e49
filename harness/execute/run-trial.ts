// execute: runs one trial. Takes a workload (and, in scheduled mode, the schedule's choices or
// a chooser), registers its users, invokes every client's calls on the target through the
// cell's gated pool (invoke-call.ts: call contexts, timeouts, Jepsen-style ok/fail/info
// records), reads the snapshot and checks the invariants. Hands on a TrialResult: the
// history, the snapshot, the violations and, when scheduled, the schedule that ran.
import type pg from 'pg';
import pLimit from 'p-limit';
import type { ChatStore, InvariantName, Snapshot, SnapshotScope, TargetDefinition } from '../contract/define-target.js';
import { TargetContractError } from '../errors.js';
import { classifyError, isConnectionLoss } from '../history/classify-error.js';
import { lifecycleTimeoutMs, withinLifecycleTimeout } from './lifecycle-timeout.js';
import { canonicalRegisterUsers, canonicalSnapshot, isCanonical } from '../contract/canonical-schema.js';
import { tableRegisterUsers, tableSnapshot } from '../contract/table-snapshot.js';
import type { ErrorInfo } from '../history/classify-error.js';
import { Clock, type CallRecord, type DeclaredSemantics, type History, type StatementRecord } from '../history/history.js';
import { attachStatementCauses } from '../history/attach-statement-causes.js';
import { describeLeak } from '../history/describe-leak.js';
import { stripNamespace } from '../invariants/describe.js';
import { checkInvariants } from '../invariants/check-invariants.js';
import type { Violation } from '../invariants/invariant.js';
import { workloadIds, type CallSpec, type Fault, type Workload } from '../workload/workload.js';
import { StatementRecorder } from '../gate/statement-recorder.js';
import { returnedPromise } from '../contract/returned-promise.js';
import type { StatementGate } from '../gate/statement-gate.js';
import type { TrialPool } from '../gate/trial-pool.js';
import type { ControlConnection } from '../gate/control-connection.js';
import type { WireProxy } from '../gate/wire-proxy.js';
import { ScheduledGate, type Chooser, type ScheduleStep } from '../gate/scheduled-gate.js';
import { FaultInjector, lockAllTables, terminateBackend } from '../faults/fault-injector.js';
import { invokeCall, modelIds, physicalId, type CallEnv, type CallHooks, type ModelIds } from './invoke-call.js';
import { mapIds } from './map-ids.js';
import { builtinInvariants } from '../invariants/builtin-invariants.js';
import { decodeSnapshot, idCodec, type IdCodec } from './id-codec.js';
import type { UncaughtErrors } from './uncaught-errors.js';

/** What a cell sets up once and every trial reuses. */
export interface TrialEnv extends CallEnv {
  def: TargetDefinition;
  /** The pool the target was given. */
  pool: TrialPool;
  /** The harness's own connection for registering users and reading snapshots. */
  harnessPool: pg.Pool;
  /** Upper bound on calls in flight at once (p-limit); defaults to one per client. */
  concurrency?: number;
  latency?: () => number;
  /** The control connection: sees which statements wait on locks (scheduled mode) and kills connections (faults). */
  control?: ControlConnection;
  /** Wire-gated targets: the proxy their statements pass… */
  wire?: WireProxy;
  /** Errors the target raised outside its calls' promises, caught for the cell. */
  uncaught?: UncaughtErrors;
  /** Closes the target's stores and creates them again (after a crash). */
  restart?: () => Promise<void>;
  /** …and the store of each of the first `n` logical clients, each connected through a URL of its own. */
  clientStores?: (n: number) => Promise<ChatStore[]>;
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

/** Runs one workload with real concurrency (stress mode), then snapshots and checks it. */
export async function runStressTrial(env: TrialEnv, workload: Workload, ns: string): Promise<TrialResult> {
  const clock = new Clock();
  const recorder = new StatementRecorder(clock, env.latency);
  const limit = pLimit(Math.max(1, env.concurrency ?? workload.clients.length));
  return runTrial({
    env,
    workload,
    ns,
    clock,
    gate: recorder,
    wrap: (run) => limit(run),
    evidence: () => ({ statements: recorder.statements }),
  });
}

/** Runs one workload with every statement held at a gate and released in the order `choices` dictate (scheduled mode). */
export async function runScheduledTrial(
  env: TrialEnv,
  workload: Workload,
  ns: string,
  choices: readonly number[] | Chooser,
): Promise<TrialResult> {
  if (!env.control) throw new Error('scheduled mode needs a control connection');
  const clock = new Clock();
  const gate = new ScheduledGate(choices, clock, env.control);
  try {
    return await runTrial({
      env,
      workload,
      ns,
      clock,
      gate,
      wrap: (run) => run(),
      hooks: gate,
      evidence: () => ({ statements: gate.statements, schedule: gate.steps, picks: gate.picks }),
    });
  } finally {
    gate.close();
  }
}

/** One trial as both modes run it: the gate statements pass, how each call is wrapped, what the gate saw, and the scheduler's hooks. */
interface TrialRun {
  env: TrialEnv;
  workload: Workload;
  ns: string;
  clock: Clock;
  gate: StatementGate;
  wrap: (run: () => Promise<CallRecord>) => Promise<CallRecord>;
  evidence: () => { statements: StatementRecord[]; schedule?: ScheduleStep[]; picks?: number[] };
  hooks?: CallHooks;
}

/** A call of the workload, in client order, with its index in the trial. */
type OrderedCall = { spec: CallSpec; client: number; index: number };

async function runTrial(t: TrialRun): Promise<TrialResult> {
  const { env, workload, ns } = t;
  // The target sees its own id format; everything recorded keeps the harness's ids.
  const ids = idCodec(env.def.ids);
  await registerUsers(
    env,
    workload.users.map((u) => ids.encode(physicalId(ns, u))),
  );
  const m = await seedModel(env, workload, ns, ids);
  let index = 0;
  const ordered = workload.clients.map((list, client) => list.map((spec) => ({ spec, client, index: index++ })));
  const injector = faultInjector(env, t.gate, ordered);
  const calls = await runClients(t, ordered, ids, injector, m);
  // A call that returned and still holds a connection, or released one inside its own transaction,
  // leaked it; a call that timed out may still be using its connection, so it is not judged.
  for (const c of calls) {
    const leak = c.outcome === 'info' ? undefined : describeLeak(leaksOf(env, c.index));
    if (leak) c.leak = leak;
  }
  // Trials share the pool, not state: a leaked connection would starve later trials into timeouts,
  // one left in a transaction would fail their first statement (25P02), neither explained nor
  // replayable from those trials.
  env.pool.reclaim();
  env.wire?.reclaim();
  calls.sort((a, b) => a.invokedAt - b.invokedAt);
  return judgeTrial(t, calls, ids, m);
}

/** Issue 25: a trial's model state and id tables (logical ↔ physical), for targets with a `model`. */
interface ModelRun {
  idTables: ModelIds;
  physicalScope: { users: string[]; keys: string[] };
  initial: unknown;
}

/** Issue 25: the model's initial state, written into the database by its seed hook (physical ids). */
async function seedModel(env: TrialEnv, workload: Workload, ns: string, ids: IdCodec): Promise<ModelRun> {
  const model = env.def.model;
  const keys = workload.keys ?? [];
  const idTables = modelIds(ns, [...workload.users, ...keys], ids);
  const physicalScope = {
    users: workload.users.map((u) => idTables.toPhysical.get(u)!),
    keys: keys.map((k) => idTables.toPhysical.get(k)!),
  };
  const initial = model ? mapIds(model.initial({ users: [...workload.users], keys: [...keys] }), new Map()) : undefined;
  if (model?.seed) await model.seed({ pool: env.harnessPool }, mapIds(initial, idTables.toPhysical), physicalScope);
  return { idTables, physicalScope, initial };
}

async function registerUsers(env: TrialEnv, registered: string[]): Promise<void> {
  if (env.store.registerUsers) {
    // Users a trial's calls refer to must exist before the first call: a registerUsers still running would race them.
    await withinLifecycleTimeout(
      'registerUsers',
      lifecycleTimeoutMs(env.callTimeoutMs),
      returnedPromise(env.store.registerUsers(registered), 'registerUsers'),
    );
  } else if (env.def.tables) {
    await tableRegisterUsers(env.harnessPool, env.def.tables, registered);
  } else if (isCanonical(env.def)) {
    await canonicalRegisterUsers(env.harnessPool, registered);
  }
}

function faultInjector(env: TrialEnv, gate: StatementGate, ordered: OrderedCall[][]): FaultInjector | undefined {
  const faults = new Map<number, Fault>(
    ordered
      .flat()
      .filter((c) => c.spec.fault)
      .map((c) => [c.index, c.spec.fault!]),
  );
  if (!faults.size) return undefined;
  const control = env.control;
  if (!control) throw new Error('a workload with connection faults needs a control connection');
  return new FaultInjector(gate, faults, {
    kill: terminateBackend((sql, params) => control.query(sql, params)),
    lockTables: lockAllTables(env.harnessPool),
  });
}

/** Runs every client's calls at once (each client's in turn) behind the gate; resolves to the calls made, in the order they ended. */
async function runClients(
  t: TrialRun,
  ordered: OrderedCall[][],
  ids: IdCodec,
  injector: FaultInjector | undefined,
  m: ModelRun,
): Promise<CallRecord[]> {
  const { env, hooks } = t;
  const calls: CallRecord[] = [];
  const stores = await env.clientStores?.(t.workload.clients.length);
  env.pool.setGate(injector ?? t.gate);
  env.wire?.setGate(injector ?? t.gate);
  // Every client's first call counts as live from the start, so no decision is made before a late-starting client arrives.
  if (hooks) for (const list of ordered) if (list[0]) hooks.callStarted(list[0].index);
  // A call that could not be judged (the target broke the ChatStore contract) ends the trial once
  // the calls in flight settled: none is left running on a pool the cell is about to close.
  let breach: { error: unknown } | undefined;
  try {
    await Promise.all(
      ordered.map(async (list, ci) => {
        // Scheduled mode starts the clients one macrotask apart, in order: a client library that
        // merges requests made in the same tick (Prisma batches findUnique calls into one
        // statement) would otherwise leave one call waiting on another's statement, which no
        // gate sees, and every decision would wait for the settle timeout.
        if (hooks) for (let k = 0; k < ci; k++) await new Promise((r) => setImmediate(r));
        let previous: CallRecord | undefined;
        for (const { spec, client, index: i } of list) {
          // A crashed target takes no more calls until it is started again.
          if (breach || env.uncaught?.pending()) {
            // A client's first call counted as live from the start: the scheduler must not wait for it.
            if (i === list[0]!.index) hooks?.callEnded(i);
            break;
          }
          // A client retries only what did not succeed.
          if (spec.retry && previous?.outcome === 'ok') continue;
          const callEnv = {
            ...env,
            store: stores?.[client] ?? env.store,
            onCrash: env.uncaught?.onError,
            api: env.def.api,
            modelIds: m.idTables,
          };
          try {
            previous = await t.wrap(() => invokeCall({ env: callEnv, clock: t.clock, ns: t.ns, spec, client, index: i, hooks, ids }));
          } catch (e) {
            breach ??= { error: e };
            break;
          }
          const fired = injector?.fired.get(i);
          if (fired) previous.fault = fired;
          // A kill hits what else was on the connection too; such a call is judged as faulted, not as the target's failure.
          else if (injector?.fired.size && collateral(previous, env)) previous.fault = "its connection was killed by another call's fault";
          // A call shorter than its fault's statement (or a timeout on a lock-free statement) ran untouched: say so.
          else if (spec.fault) previous.label += ' (fault did not fire)';
          calls.push(previous);
        }
      }),
    );
  } finally {
    env.pool.setGate(undefined);
    env.wire?.setGate(undefined);
  }
  if (breach) throw breach.error;
  return calls;
}

/** The trial's history (ids without its namespace), the target's rows after it, and the invariants it broke. */
async function judgeTrial(t: TrialRun, calls: CallRecord[], ids: IdCodec, m: ModelRun): Promise<TrialResult> {
  const { env, ns } = t;
  const model = env.def.model;
  const { users, sessions } = workloadIds(t.workload);
  const { statements, schedule, picks } = t.evidence();
  // Errors echo physical ids (`Key (id)=(t6_s1)`); without the trial prefix a replay reads the same.
  for (const rec of [...calls, ...statements]) if (rec.error) rec.error = withoutNamespace(rec.error, ns, ids);
  attachStatementCauses(calls, statements);
  const scope = {
    userIds: users.map((u) => ids.encode(physicalId(ns, u))),
    sessionIds: sessions.map((s) => ids.encode(physicalId(ns, s))),
  };
  // Issue 25: a target of operations only has no chat tables to read.
  const chatless = typeof env.store.logMessage !== 'function' && !env.store.snapshot && !env.def.tables && !isCanonical(env.def);
  const raw = env.store.snapshot
    ? await targetSnapshot(env, scope)
    : env.def.tables
      ? await tableSnapshot(env.harnessPool, env.def.tables, scope)
      : chatless
        ? { users: [], sessions: [], messages: [] }
        : await canonicalSnapshot(env.harnessPool, scope);
  const decoded = decodeSnapshot(raw, ids);
  const snapshot = model
    ? { ...decoded, model: mapIds(await model.observe({ pool: env.harnessPool }, m.physicalScope), m.idTables.toLogical) }
    : decoded;
  const uncaught = env.uncaught?.take() ?? [];
  // A crashed target's client state is gone (a crashed server restarts): the next trial gets new stores.
  if (uncaught.length) await env.restart?.();
  const semantics = declaredSemantics(env.def);
  const history: History = {
    ns,
    calls,
    statements,
    ...(uncaught.length ? { uncaught } : {}),
    ...(semantics ? { semantics } : {}),
    ...(model ? { model: { initial: m.initial } } : {}),
  };
  const violations = checkInvariants(
    history,
    snapshot,
    env.def.invariants as Partial<Record<InvariantName, false>>,
    builtinInvariants,
    env.def.operations ? { operations: env.def.operations } : undefined,
  );
  return { history, snapshot, violations, ...(schedule ? { schedule, picks } : {}) };
}

/** The declared app semantics (issue 24) the checks read; undefined when the target declared none. */
export function declaredSemantics(def: Pick<TargetDefinition, 'api'>): DeclaredSemantics | undefined {
  const a = def.api;
  const d = a?.sessions?.delete;
  const s: DeclaredSemantics = {
    ...(a?.sessions?.create ? { create: a.sessions.create } : {}),
    ...(d?.missing ? { deleteMissing: d.missing } : {}),
    ...(d?.afterDelete ? { afterDelete: d.afterDelete } : {}),
    ...(d?.soft !== undefined ? { softDelete: d.soft } : {}),
    ...(a?.messageIds ? { messageIds: a.messageIds } : {}),
  };
  return Object.keys(s).length ? s : undefined;
}

/** The target's own snapshot(): bounded by the lifecycle timeout; a throw (other than a lost connection) or a wrong shape is a contract error naming snapshot(). */
async function targetSnapshot(env: TrialEnv, scope: SnapshotScope): Promise<Snapshot> {
  let raw: unknown;
  try {
    raw = await withinLifecycleTimeout(
      'snapshot',
      lifecycleTimeoutMs(env.callTimeoutMs),
      returnedPromise(env.store.snapshot!(scope), 'snapshot'),
    );
  } catch (e) {
    // A lost connection is the infrastructure's doing, told apart by the cell; a contract breach is already named.
    if (e instanceof TargetContractError || isConnectionLoss(classifyError(e))) throw e;
    throw new TargetContractError(
      `snapshot() threw: ${(e as Error)?.message ?? String(e)}; snapshot() must read the trial's rows and resolve to { users, sessions, messages }`,
    );
  }
  const problem = snapshotShapeProblem(raw);
  if (problem)
    throw new TargetContractError(
      `snapshot() returned ${problem}; it must resolve to { users: [{ id }], sessions: [{ id, userId }], messages: [{ sessionId, role, content }] }`,
    );
  return raw as Snapshot;
}

function snapshotShapeProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `${typeof raw === 'undefined' ? 'undefined' : `a ${typeof raw}`}`;
  for (const key of ['users', 'sessions', 'messages'] as const) {
    const v = (raw as Record<string, unknown>)[key];
    if (!Array.isArray(v))
      return `an object whose ${key} is ${v === undefined ? 'missing' : Array.isArray(v) ? 'an array' : `not an array (${v === null ? 'null' : typeof v})`}`;
    if (v.some((row) => typeof row !== 'object' || row === null)) return `an object whose ${key} holds a row that is not an object`;
  }
  return undefined;
}

// Only the harness terminates backends (57P01): a driver may hand a retry the connection whose
// FATAL it has read but whose close it has not seen yet, as it would after a real kill.
function collateral(c: CallRecord, env: TrialEnv): boolean {
  return c.outcome !== 'ok' && (env.wire?.lostCalls().has(c.index) || c.error?.kind === 'connection');
}

function leaksOf(env: TrialEnv, call: number) {
  const pooled = env.pool.leaksOf(call);
  const wired = env.wire?.leaksOf(call);
  return wired ? { held: pooled.held + wired.held, openTransaction: pooled.openTransaction || wired.openTransaction } : pooled;
}

function withoutNamespace(e: ErrorInfo, ns: string, ids: IdCodec): ErrorInfo {
  const out = { ...e, message: stripNamespace(ids.decode(e.message), ns) };
  if (e.detail) out.detail = stripNamespace(ids.decode(e.detail), ns);
  return out;
}
