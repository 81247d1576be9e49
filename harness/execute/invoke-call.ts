import type { ChatStore, InputRules, TargetApi } from '../contract/define-target.js';
import { TargetContractError } from '../errors.js';
import { returnedPromise } from '../contract/returned-promise.js';
import { callContext, type CallContext } from '../gate/call-context.js';
import { classifyError } from '../history/classify-error.js';
import { storedMessages, type CallRecord, type Clock } from '../history/history.js';
import { callLabel, type CallSpec, type WorkloadMessage } from '../workload/workload.js';
import { brokenInputRule } from '../workload/broken-input-rule.js';
import { idCodec, type IdCodec } from './id-codec.js';
import { mapIds } from './map-ids.js';

/** What a call needs from its trial: the target's store, how long a call may take and the input it may refuse. */
export interface CallEnv {
  store: ChatStore;
  callTimeoutMs: number;
  inputRules?: InputRules;
  /** Calls `fn` once the target's code crashed (an uncaught error), and the call is abandoned; returns what stops listening. */
  onCrash?: (fn: () => void) => () => void;
  /** A gate that cannot see async context (the wire proxy) is told which call each client runs. */
  wire?: { setCall(client: number, ctx: CallContext | undefined): void };
  /** Declared app semantics (issue 24): `messageIds: 'server'` makes the harness read the ids a write resolves to. */
  api?: Pick<TargetApi, 'messageIds'>;
  /** Issue 25: the trial's logical ids (users, keys) and their physical ones, for operation args and results. */
  modelIds?: ModelIds;
}

/** Issue 25: a trial's id tables for operation calls, each way. */
export interface ModelIds {
  toPhysical: ReadonlyMap<string, string>;
  toLogical: ReadonlyMap<string, string>;
}

/** The id tables of a trial whose workload names `users` and `keys` (logical) in namespace `ns`. */
export function modelIds(ns: string, names: readonly string[], ids: IdCodec): ModelIds {
  const pairs = names.map((n) => [n, ids.encode(physicalId(ns, n))] as const);
  return { toPhysical: new Map(pairs), toLogical: new Map(pairs.map(([l, p]) => [p, l])) };
}

// --- Declared app semantics (issue 24): content as stored, server-minted ids ---

/** The content the app stores for `content`, as its `api.input.normalize` declares; the content itself without one. */
export function normalizedContent(content: string, normalize: InputRules['normalize']): string {
  if (normalize === 'strip-nul') return content.replaceAll('\u0000', '');
  if (normalize === 'trim') return content.trim();
  return typeof normalize === 'function' ? normalize(content) : content;
}

/** Records each stored message's declared stored content, where it differs from what was sent. */
function noteStoredContent(rec: CallRecord, normalize: InputRules['normalize']): void {
  if (!normalize) return;
  for (const m of storedMessages(rec)) {
    const stored = normalizedContent(m.content, normalize);
    if (stored !== m.content) m.stored = stored;
  }
}

/** A write's resolved `{ messageIds }`: the last ids belong to the messages the call stores (its last message, then its reply). A contract breach is thrown. */
function noteServerIds(rec: CallRecord, value: unknown): void {
  const ids = (value as { messageIds?: unknown } | undefined)?.messageIds;
  const wanted = storedMessages(rec);
  if (!Array.isArray(ids) || ids.length < wanted.length || !ids.every((id) => typeof id === 'string' || typeof id === 'number')) {
    throw new TargetContractError(
      `${rec.op}() must resolve to { messageIds: [...] } with the id of each message it stored (the target declares api.messageIds: 'server'), not ${JSON.stringify(value)?.slice(0, 80)}`,
    );
  }
  const tail = ids.slice(ids.length - wanted.length);
  wanted.forEach((m, i) => {
    m.serverId = String(tail[i]);
  });
}

const TIMEOUT = Symbol('timeout');
const CRASHED = Symbol('crashed');

/** Maps a workload's logical ids into the trial's own namespace. */
export function physicalId(ns: string, logical: string): string {
  return ns + logical;
}

function buildRequest(ns: string, call: CallSpec, ids: IdCodec, env: CallEnv): any {
  if (call.op === 'operation') return mapIds(call.operation!.args, env.modelIds?.toPhysical ?? new Map());
  const sessionId = ids.encode(physicalId(ns, call.session));
  const userId = ids.encode(physicalId(ns, call.user));
  const message = (m: WorkloadMessage) => ({ messageId: ids.encode(physicalId(ns, m.id)), role: m.role, content: m.content });
  const msgs = (call.messages ?? []).map(message);
  switch (call.op) {
    case 'createSession':
      return call.title === undefined ? { sessionId, userId } : { sessionId, userId, title: call.title };
    case 'deleteSession':
      return { sessionId, userId };
    case 'logMessage':
      return { sessionId, userId, ...msgs[0]! };
    case 'handleChat':
      return call.reply ? { sessionId, userId, messages: msgs, reply: message(call.reply) } : { sessionId, userId, messages: msgs };
  }
}

/** One call of a trial: the workload's `spec`, made by logical `client` as the trial's `index`-th call, with ids under the trial's namespace `ns`. */
export interface Call {
  env: CallEnv;
  clock: Clock;
  ns: string;
  spec: CallSpec;
  client: number;
  index: number;
  /** The scheduler's, in scheduled mode. */
  hooks?: CallHooks;
  /** The target's id format (default: text ids). */
  ids?: IdCodec;
}

/** Lets a scheduler know which calls are live. */
export interface CallHooks {
  callStarted(call: number): void;
  callEnded(call: number): void;
}

/**
 * Calls one ChatStore method inside its call context; a call that outlives the timeout is recorded as `info`.
 * A method that returns no Promise rejects with a TargetContractError instead of a record.
 */
export async function invokeCall(c: Call): Promise<CallRecord> {
  const { env, clock, ns, spec, client, index, hooks, ids = idCodec('text') } = c;
  const req = buildRequest(ns, spec, ids, env);
  const last = spec.messages?.at(-1);
  const broken = spec.op === 'operation' ? undefined : brokenInputRule(req, env.inputRules);
  const rec: CallRecord = {
    index,
    client,
    op: spec.op,
    label: callLabel(spec, client),
    valid: spec.valid && !broken,
    sessionId: physicalId(ns, spec.session),
    userId: physicalId(ns, spec.user),
    invokedAt: clock.tick(),
    completedAt: 0,
    outcome: 'ok',
    durationMs: 0,
  };
  if (last) rec.message = { messageId: physicalId(ns, last.id), role: last.role, content: last.content };
  if (spec.messages && spec.op === 'handleChat') rec.messageCount = spec.messages.length;
  if (spec.reply) rec.reply = { messageId: physicalId(ns, spec.reply.id), role: spec.reply.role, content: spec.reply.content };
  if (broken) rec.refusable = broken;
  if (spec.retry) rec.retry = true;
  // Issue 25: an operation is named, not a session write; the model judges it (serializable).
  if (spec.operation) {
    rec.sessionId = '';
    rec.userId = '';
    rec.operation = { name: spec.operation.name, args: spec.operation.args };
  }
  const methodName = spec.operation?.name ?? spec.op;
  noteStoredContent(rec, env.inputRules?.normalize);
  const serverIds = env.api?.messageIds === 'server' && (spec.op === 'logMessage' || spec.op === 'handleChat');
  let resolved: unknown;
  const started = performance.now();
  hooks?.callStarted(index);
  const ctx: CallContext = { call: index, client };
  env.wire?.setCall(client, ctx);
  let timer: NodeJS.Timeout | undefined;
  let stopListening = () => {};
  const method = (env.store as any)[methodName] as ((r: unknown) => unknown) | undefined;
  const call = callContext.run(ctx, async () => {
    if (typeof method !== 'function') throw new Error(`the target has no ${methodName}() method`);
    // A synchronous throw stays a call error: an awaiting caller cannot tell it from a rejection.
    resolved = await returnedPromise(method.call(env.store, req), methodName);
  });
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), env.callTimeoutMs);
  });
  try {
    const crash = new Promise<typeof CRASHED>((resolve) => {
      if (env.onCrash) stopListening = env.onCrash(() => resolve(CRASHED));
    });
    const r = await Promise.race([call.then(() => undefined), timeout, crash]);
    if (r === undefined && serverIds) noteServerIds(rec, resolved);
    if (r === undefined && rec.operation && resolved !== undefined)
      rec.operation.result = mapIds(resolved, env.modelIds?.toLogical ?? new Map());
    if (r === CRASHED) {
      rec.outcome = 'info';
      rec.error = { kind: 'timeout', message: 'abandoned: the target crashed (an uncaught error) while the call ran' };
      // The crash is the finding (no-crash); the calls it took down are not findings of their own.
      rec.fault = 'the target crashed while it ran';
      call.catch(() => {});
    } else if (r === TIMEOUT) {
      rec.outcome = 'info';
      rec.error = { kind: 'timeout', message: `did not settle within ${env.callTimeoutMs} ms (the call may or may not have taken effect)` };
      // The call keeps running: a late rejection must not become an unhandled one.
      call.catch(() => {});
    }
  } catch (e) {
    if (e instanceof TargetContractError) throw e;
    rec.error = classifyError(e);
    rec.outcome = rec.error.kind === 'connection' || rec.error.kind === 'timeout' ? 'info' : 'fail';
  } finally {
    clearTimeout(timer);
    stopListening();
    env.wire?.setCall(client, undefined);
    hooks?.callEnded(index);
  }
  rec.completedAt = clock.tick();
  rec.durationMs = Math.round((performance.now() - started) * 10) / 10;
  return rec;
}
