import fc from 'fast-check';
import { faultArbitrary } from '../harness/workload/fault-arbitrary.js';
import { MessageFactory } from '../harness/workload/message-factory.js';
import type { CallSpec, Fault, Workload, WorkloadMessage } from '../harness/workload/workload.js';
import type { Role } from '../harness/contract/define-target.js';
import type { Scenario, TargetCapabilities } from '../harness/workload/scenario.js';
import { operationCall, OPERATION_SCOPE } from './operations.js';
import { HOSTILE_KINDS, HostileMessages, LOOKALIKE_SESSION_IDS, type HostileKind } from './hostile-input.js';

const MAX_CALLS = 12;
// Shrinking goes to the first: a one-call first request keeps counterexamples at three calls or fewer.
const STARTS = ['handleChat', 'logMessage', 'createSession', 'handleChat-system', 'parallel'] as const;

/** One conversation on one session, and what happens around it. */
interface Thread {
  /** An owner who was never registered: every call of the thread may be refused. */
  unknownOwner: boolean;
  lookalikeId: boolean;
  start: (typeof STARTS)[number];
  /** A second client sends the same first request at once (double submit, same ids) or its own (another tab). */
  duplicate: 'none' | 'same' | 'tab';
  turns: number;
  /** Content kinds, used in turn for the thread's messages. */
  content: HostileKind[];
  /** Another registered user writes to (or deletes: a target without deleteSession gets a log) the session once its first request is done. */
  intruder: 'none' | 'log' | 'chat' | 'delete';
  /** The owner deletes the session after this many turns (never together with an intruder). */
  deleteAfter: number | null;
  /** The harness kills the connection of one of the owner's calls (`at`, counted modulo its calls), which the owner then retries. */
  fault: (Fault & { at: number }) | null;
}

function cost(t: Thread): number {
  const first = t.start === 'createSession' || t.start === 'handleChat-system' ? 2 : 1;
  return (
    first * (t.duplicate !== 'none' ? 2 : 1) +
    1 +
    2 * t.turns +
    (t.intruder !== 'none' ? 1 : 0) +
    (t.deleteAfter !== null ? 2 : 0) +
    (t.fault ? 1 : 0)
  );
}

/**
 * Everything at once: several conversations, each on its own session, run side by side.
 * A conversation may have an unknown owner, a look-alike session id, hostile content, a
 * first request that is duplicated or whose reply is logged in parallel, an intruding user,
 * a delete in the middle, or a killed connection and its retry. Every handleChat carries the whole conversation so far plus
 * the new message, as real chat clients send it. A call is valid unless its owner is
 * unknown, its content holds a NUL, it is another user's, or it may race a delete.
 */
export const mixed: Scenario = {
  name: 'mixed',
  description:
    'all of the above randomly combined: conversations (handleChat carries the whole history) with duplicates, parallel replies, killed connections and retries, unknown and intruding users (who may delete), deletes and hostile content',
  arbitrary(caps) {
    const chat = chatArbitrary(caps);
    if (!caps.operations) return chat;
    // Issue 25: a target with operations of its own gets up to two more clients making them beside the chats.
    const opClients = fc.array(fc.array(operationCall(caps.operations), { minLength: 1, maxLength: 2 }), { minLength: 0, maxLength: 2 });
    return fc.tuple(chat, opClients).map(([w, ops]) => ({ ...w, keys: [...OPERATION_SCOPE.keys], clients: [...w.clients, ...ops] }));
  },
};

/** The conversations (the inner block keeps the body's indentation, so the change merges). */
function chatArbitrary(caps: TargetCapabilities): fc.Arbitrary<Workload> {
  {
    const thread: fc.Arbitrary<Thread> = fc.record({
      unknownOwner: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
      lookalikeId: fc.boolean(),
      start: fc.constantFrom(...STARTS),
      duplicate: fc.constantFrom('none' as const, 'same' as const, 'tab' as const),
      turns: fc.integer({ min: 0, max: 2 }),
      content: fc.array(fc.constantFrom<HostileKind>('plain', ...HOSTILE_KINDS), { minLength: 1, maxLength: 3 }),
      intruder: fc.constantFrom('none' as const, 'log' as const, 'chat' as const, 'delete' as const),
      deleteAfter: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
      fault: fc.option(
        fc.tuple(fc.nat({ max: 7 }), faultArbitrary()).map(([at, f]) => ({ at, ...f })),
        { freq: 3, nil: null },
      ),
    });
    return fc.array(thread, { minLength: 1, maxLength: 3 }).map((generated) => {
      // Fit the workload in MAX_CALLS: fewer turns first, then fewer threads.
      const threads = generated.map((t) => ({
        ...t,
        deleteAfter: caps.deleteSession && t.intruder === 'none' && t.deleteAfter !== null ? Math.min(t.deleteAfter, t.turns) : null,
      }));
      const total = () => threads.reduce((n, t) => n + cost(t), 0);
      for (let some = threads.filter((t) => t.turns > 0); total() > MAX_CALLS && some.length; some = threads.filter((t) => t.turns > 0)) {
        const t = some.reduce((a, b) => (cost(b) >= cost(a) ? b : a));
        t.turns--;
        if (t.deleteAfter !== null) t.deleteAfter = Math.min(t.deleteAfter, t.turns);
      }
      while (total() > MAX_CALLS && threads.length > 1) threads.pop();

      const hostile = new HostileMessages(new MessageFactory());
      const clients: CallSpec[][] = [];
      threads.forEach((t, i) => {
        const session = t.lookalikeId ? LOOKALIKE_SESSION_IDS[i]! : `s${i + 1}`;
        const owner = t.unknownOwner ? `x${(i % 2) + 1}` : `u${(i % 2) + 1}`;
        const intruder = `u${((i + 1) % 2) + 1}`;
        let k = 0;
        const next = (role: Role, kind?: HostileKind) => hostile.next(role, kind ?? t.content[k++ % t.content.length]!);
        // A call racing a delete may be refused; so may anything of an unknown owner or with a NUL.
        const racesDelete = t.deleteAfter !== null;
        const ok = (storable: boolean, races = false) => storable && !t.unknownOwner && !races;
        /** One client's side of the conversation: every handleChat carries its whole history. */
        const client = (races: boolean) => {
          const calls: CallSpec[] = [];
          let history: WorkloadMessage[] = [];
          const say = (role: Role, kind?: HostileKind) => {
            const { message, storable } = next(role, kind);
            calls.push(
              caps.handleChat && role === 'user'
                ? { op: 'handleChat', session, user: owner, messages: [...history, message], valid: ok(storable, races) }
                : { op: 'logMessage', session, user: owner, messages: [message], valid: ok(storable, races) },
            );
            // A client keeps what it could send; a message with a NUL never makes it into the history.
            if (storable) history.push(message);
            return { message, storable };
          };
          const firstRequest = () => {
            if (t.start === 'createSession')
              calls.push({ op: 'createSession', session, user: owner, title: 'New chat', valid: ok(true, races) });
            if (t.start === 'handleChat-system') {
              const system = next('system', 'plain');
              if (caps.handleChat) history.push(system.message);
              else calls.push({ op: 'logMessage', session, user: owner, messages: [system.message], valid: ok(true, races) });
            }
            say('user');
          };
          return {
            calls,
            say,
            firstRequest,
            remember: (m: WorkloadMessage) => history.push(m),
            restart: () => {
              history = [];
            },
          };
        };
        const main = client(false);
        // Writes of a second client may race the owner's delete.
        const partner = client(racesDelete);

        main.firstRequest();
        // The same request sent twice (double submit: same ids), or another tab's own first request.
        if (t.duplicate === 'same') partner.calls.push(...main.calls.map((c) => ({ ...c, valid: c.valid && !racesDelete })));
        if (t.duplicate === 'tab') partner.firstRequest();
        // The reply: logged by the same client, or (parallel) by another one at the same time;
        // either way the user sees it, so the next turn's history has it.
        if (t.start === 'parallel') {
          const reply = partner.say('assistant');
          if (reply.storable) main.remember(reply.message);
        } else {
          main.say('assistant');
        }
        // The intruder comes once one of the owner's writes is known to be done (in this client, before it),
        // so the session is the owner's; with an unknown owner every call may be refused anyway.
        if (t.intruder !== 'none' && (t.unknownOwner || main.calls.some((c) => c.valid))) {
          const { message } = next('user');
          if (t.intruder === 'delete' && caps.deleteSession)
            main.calls.push({ op: 'deleteSession', session, user: intruder, valid: false });
          else
            main.calls.push(
              t.intruder === 'chat' && caps.handleChat
                ? { op: 'handleChat', session, user: intruder, messages: [message], valid: false }
                : { op: 'logMessage', session, user: intruder, messages: [message], valid: false },
            );
        }
        for (let turn = 0; turn < t.turns; turn++) {
          if (t.deleteAfter === turn) {
            main.calls.push({ op: 'deleteSession', session, user: owner, valid: ok(true) });
            main.restart();
          }
          main.say('user');
          main.say('assistant');
        }
        if (t.deleteAfter !== null && t.deleteAfter >= t.turns) {
          main.calls.push({ op: 'deleteSession', session, user: owner, valid: ok(true) });
          main.restart();
          main.say('user', 'plain');
        }
        if (t.fault && main.calls.length) {
          // The faulted call is followed by its retry: same request, same ids.
          const at = t.fault.at % main.calls.length;
          const call = main.calls[at]!;
          main.calls.splice(at, 1, { ...call, fault: { statement: t.fault.statement, when: t.fault.when } }, { ...call, retry: true });
        }
        clients.push(main.calls);
        if (partner.calls.length) clients.push(partner.calls);
      });
      return { users: ['u1', 'u2'], clients };
    });
  }
}
