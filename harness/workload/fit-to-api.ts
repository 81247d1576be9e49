import fc from 'fast-check';
import type { InputRules } from '../contract/define-target.js';
import type { Scenario, TargetCapabilities } from './scenario.js';
import type { CallSpec, Workload, WorkloadMessage } from './workload.js';
import { brokenInputRule } from './broken-input-rule.js';

/** The shape of handleChat requests a workload was fitted to. */
export type HistoryShape = 'full' | 'new';

/**
 * A scenario's workloads, fitted to what the target's API can express (fitToApi); a target
 * that takes either history shape gets both, drawn per workload ('full' first, so shrinking
 * goes there).
 */
export function apiWorkloads(scenario: Scenario, caps: TargetCapabilities): fc.Arbitrary<Workload> {
  const workloads = scenario.arbitrary(caps);
  if (caps.history !== 'any') return workloads.map((w) => fitToApi(w, caps, caps.history as HistoryShape));
  return fc.tuple(workloads, fc.constantFrom<HistoryShape>('full', 'new')).map(([w, shape]) => fitToApi(w, caps, shape));
}

/**
 * Rewrites a workload into calls the target's API can express, keeping what each call
 * promises: without createSession a session is opened by a first message (the same request
 * for the same session and user, so a double submit stays one); with the reply in the
 * request an assistant message a client logs right after its handleChat becomes that
 * request's reply, and no reply is ever logged on its own; with 'new' history a handleChat
 * carries only the messages since the last assistant reply that its client has not sent yet;
 * calls that break a declared content rule are refusable, and so are an owner's later calls on
 * a session another user may take once such a call is refused. Idempotent: a fitted workload (a saved case) fits to itself.
 */
export function fitToApi(w: Workload, caps: TargetCapabilities, history: HistoryShape): Workload {
  let next = maxMessageNumber(w);
  const openers = new Map<string, WorkloadMessage>();
  /** Calls that fitting made refusable although the scenario counted on a valid write in them. */
  const lost = new Set<CallSpec>();
  const opener = (c: CallSpec): WorkloadMessage => {
    const key = `${c.session}\u0000${c.user}\u0000${c.title ?? ''}`;
    let m = openers.get(key);
    if (!m) {
      const id = `m${++next}`;
      m = { id, role: 'user', content: `Hi, a new chat starts with this message #${id}` };
      openers.set(key, m);
    }
    return m;
  };
  const clients = w.clients.map((calls) => {
    const out: CallSpec[] = [];
    const sent = new Map<string, Set<string>>();
    const speaker = new Map<string, string>();
    for (const original of calls) {
      let c: CallSpec = original;
      if (c.op === 'createSession' && !caps.createSession) {
        const { title: _title, ...rest } = c;
        c = caps.handleChat ? { ...rest, op: 'handleChat', messages: [opener(c)] } : { ...rest, op: 'logMessage', messages: [opener(c)] };
      }
      if (caps.replyInRequest && c.op === 'logMessage' && c.messages?.[0]?.role === 'assistant') {
        const prev = out.at(-1);
        // A retried reply follows its original, which was attached (or dropped) already.
        if (!c.retry && prev?.op === 'handleChat' && !prev.reply && prev.session === c.session && prev.user === c.user) {
          const withReply = (p: CallSpec): CallSpec => {
            const merged = { ...p, reply: c.messages![0]!, valid: p.valid && c.valid };
            // Question or reply was a valid write on its own; together in a refusable request neither may be stored.
            if ((c.valid || p.valid) && !merged.valid) lost.add(merged);
            return merged;
          };
          out[out.length - 1] = withReply(prev);
          // A retry re-sends its original request: both carry the reply.
          const before = out.at(-2);
          if (prev.retry && before?.op === 'handleChat' && !before.reply && before.session === c.session)
            out[out.length - 2] = withReply(before);
        }
        continue;
      }
      if (c.op === 'handleChat' && history === 'new' && c.messages?.length) {
        const prev = out.at(-1);
        if (c.retry && prev?.op === 'handleChat') {
          c = { ...c, messages: prev.messages };
        } else {
          const mine = sent.get(c.session) ?? new Set<string>();
          const replies = c.messages.map((m) => m.role === 'assistant');
          const fresh = c.messages.slice(replies.lastIndexOf(true) + 1).filter((m) => !mine.has(m.id));
          c = { ...c, messages: fresh.length ? fresh : [c.messages.at(-1)!] };
        }
      }
      // Another user's delete (refused or not) does not end this client's conversation.
      if (c.op === 'deleteSession') {
        if (speaker.get(c.session) === c.user) sent.delete(c.session);
      } else if (c.messages) {
        if (!speaker.has(c.session)) speaker.set(c.session, c.user);
        const mine = sent.get(c.session) ?? new Set<string>();
        for (const m of [...c.messages, ...(c.reply ? [c.reply] : [])]) mine.add(m.id);
        sent.set(c.session, mine);
      }
      out.push(c);
    }
    return out;
  });
  if (caps.explicitCreate || caps.deleteMissing === 'refuse' || caps.afterDelete === 'refuse') fitSessionSemantics(clients, caps, lost);
  if (caps.input) markRefusable(clients, caps.input, lost);
  if (lost.size) handOverContested(clients, lost);
  return { ...w, clients: clients.filter((calls) => calls.length > 0) };
}

// --- Declared app semantics (issue 24) ---

const isWrite = (c: CallSpec) => c.op === 'logMessage' || c.op === 'handleChat';

/**
 * Fits calls to the session life cycle the target declared. Explicit create: a client that is
 * a session's only one opens it with a createSession before its first write (idempotent: a
 * fitted workload already has it); a write to a session its client has not created (another
 * client's create may not have run yet) may be refused. Deletes of missing sessions refused:
 * a delete is valid only after its client wrote the session and when no other client deletes
 * it. Tombstones: every later call of the deleting client on the session, and every call of
 * the other clients on it (they may run after the delete), may be refused.
 */
function fitSessionSemantics(clients: CallSpec[][], caps: TargetCapabilities, lost: Set<CallSpec>): void {
  // A write made refusable may have been its owner's first: refused, it lets another user create the session (handOverContested).
  const refusable = (c: CallSpec): CallSpec => {
    const out = { ...c, valid: false };
    if (c.valid && c.op !== 'deleteSession') lost.add(out);
    return out;
  };
  const clientsOf = new Map<string, Set<number>>();
  clients.forEach((calls, i) => calls.forEach((c) => clientsOf.set(c.session, (clientsOf.get(c.session) ?? new Set()).add(i))));
  const deleters = new Map<string, Set<number>>();
  clients.forEach((calls, i) =>
    calls.forEach((c) => {
      if (c.op === 'deleteSession') deleters.set(c.session, (deleters.get(c.session) ?? new Set()).add(i));
    }),
  );
  clients.forEach((calls, i) => {
    const out: CallSpec[] = [];
    const created = new Set<string>();
    const written = new Set<string>();
    const tombstoned = new Set<string>();
    for (let c of calls) {
      const alone = clientsOf.get(c.session)!.size === 1;
      const deletedElsewhere = caps.afterDelete === 'refuse' && [...(deleters.get(c.session) ?? [])].some((d) => d !== i);
      if (tombstoned.has(c.session) || deletedElsewhere) {
        out.push(refusable(c));
        continue;
      }
      if (caps.explicitCreate && isWrite(c) && !created.has(c.session)) {
        if (alone && !c.retry) {
          out.push({ op: 'createSession', session: c.session, user: c.user, valid: c.valid });
          created.add(c.session);
        } else c = refusable(c);
      }
      if (c.op === 'createSession' && c.valid) created.add(c.session);
      if (c.op === 'deleteSession') {
        const exists = written.has(c.session) || created.has(c.session);
        if (caps.deleteMissing === 'refuse' && (!exists || deleters.get(c.session)!.size > 1)) c = { ...c, valid: false };
        created.delete(c.session);
        written.delete(c.session);
        if (caps.afterDelete === 'refuse') tombstoned.add(c.session);
      } else if (c.valid && (c.op === 'createSession' || isWrite(c))) written.add(c.session);
      out.push(c);
    }
    clients[i] = out;
  });
}

/** Marks calls whose content breaks a declared input rule as refusable (and lost writes). Id rules are judged at invocation, on the ids the target sees. */
function markRefusable(clients: CallSpec[][], input: InputRules, lost: Set<CallSpec>): void {
  const rules = { ...input, idPattern: undefined };
  const req = (c: CallSpec) => ({
    sessionId: c.session,
    userId: c.user,
    ...(c.op === 'logMessage' ? { messageId: c.messages![0]!.id, content: c.messages![0]!.content } : {}),
    ...(c.op === 'handleChat' ? { messages: c.messages!.map((m) => ({ messageId: m.id, content: m.content })) } : {}),
    ...(c.reply ? { reply: { messageId: c.reply.id, content: c.reply.content } } : {}),
  });
  for (const calls of clients)
    calls.forEach((c, pos) => {
      if (!c.valid || !brokenInputRule(req(c), rules)) return;
      calls[pos] = { ...c, valid: false };
      lost.add(calls[pos]!);
    });
}

/**
 * A lost write may have been its owner's first on a session another user also writes to;
 * refused, it lets that user take the session, so the owner's calls there (except earlier
 * ones of the same client) become refusable too.
 */
function handOverContested(clients: CallSpec[][], lost: Set<CallSpec>): void {
  const all = clients.flatMap((calls, client) => calls.map((call, pos) => ({ call, client, pos })));
  for (const x of all.filter((a) => lost.has(a.call))) {
    if (!all.some((o) => o.call.session === x.call.session && o.call.user !== x.call.user)) continue;
    for (const o of all) {
      if (o.call.session !== x.call.session || o.call.user !== x.call.user || (o.client === x.client && o.pos < x.pos)) continue;
      clients[o.client]![o.pos] = { ...clients[o.client]![o.pos]!, valid: false };
    }
  }
}

function maxMessageNumber(w: Workload): number {
  let max = 0;
  for (const calls of w.clients)
    for (const c of calls) {
      for (const m of [...(c.messages ?? []), ...(c.reply ? [c.reply] : [])]) {
        const n = /^m(\d+)$/.exec(m.id);
        if (n) max = Math.max(max, Number(n[1]));
      }
    }
  return max;
}
