// What every generated workload promises the invariants, checked on samples (no database).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallSpec, Workload } from '../harness/workload/workload.js';
import { workloadSize } from '../harness/workload/workload.js';
import { builtinScenarios } from './builtin-scenarios.js';
import { FULL_CAPABILITIES, type Scenario, type TargetCapabilities } from '../harness/workload/scenario.js';
import { REPEATED_TEXT } from './hostile-input.js';

const ALL_CAPS: TargetCapabilities[] = [
  { ...FULL_CAPABILITIES, handleChat: true, deleteSession: true },
  { ...FULL_CAPABILITIES, handleChat: true, deleteSession: false },
  { ...FULL_CAPABILITIES, handleChat: false, deleteSession: true },
  { ...FULL_CAPABILITIES, handleChat: false, deleteSession: false },
];
const FULL = ALL_CAPS[0]!;
const NEW_SCENARIOS = [
  'parallel-first-messages',
  'retry-after-error',
  'unknown-user',
  'cross-user',
  'delete-while-logging',
  'hostile-input',
  'mixed',
  'delete-by-other',
];

function scenario(name: string): Scenario {
  const s = builtinScenarios.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

function sample(name: string, caps: TargetCapabilities = FULL, numRuns = 300): Workload[] {
  return fc.sample(scenario(name).arbitrary(caps), { numRuns, seed: 42 });
}

function calls(w: Workload): { call: CallSpec; client: number; pos: number }[] {
  return w.clients.flatMap((list, client) => list.map((call, pos) => ({ call, client, pos })));
}

const persisted = (c: CallSpec) => c.messages?.at(-1);

describe('the scenario catalogue', () => {
  it('has all the documented scenarios in their order', () => {
    expect(builtinScenarios.map((s) => s.name)).toEqual([
      'multi-message-first-request',
      'log-before-create',
      'concurrent-duplicates',
      'parallel-first-messages',
      'retry-after-error',
      'unknown-user',
      'cross-user',
      'delete-while-logging',
      'hostile-input',
      'mixed',
      'delete-by-other',
      'operations',
    ]);
    for (const s of builtinScenarios) expect(s.description.length).toBeGreaterThan(20);
  });
});

describe.each(NEW_SCENARIOS)('%s: every workload', (name) => {
  it.each(ALL_CAPS.map((c) => [`handleChat ${c.handleChat}, deleteSession ${c.deleteSession}`, c] as const))(
    'is small and well formed (%s)',
    (_label, caps) => {
      for (const w of sample(name, caps, 200)) {
        expect(workloadSize(w)).toBeGreaterThan(0);
        expect(workloadSize(w)).toBeLessThanOrEqual(12);
        const contentOf = new Map<string, string>();
        const idOf = new Map<string, string>();
        for (const { call } of calls(w)) {
          if (!caps.handleChat) expect(call.op).not.toBe('handleChat');
          if (!caps.deleteSession) expect(call.op).not.toBe('deleteSession');
          if (call.op === 'logMessage') expect(call.messages).toHaveLength(1);
          if (call.op === 'handleChat') expect(call.messages!.length).toBeGreaterThan(0);
          if (call.op === 'createSession' || call.op === 'deleteSession') expect(call.messages).toBeUndefined();
          // Valid calls come from registered users and carry storable content.
          if (call.valid) {
            expect(w.users).toContain(call.user);
            expect(persisted(call)?.content ?? '').not.toContain('\u0000');
            expect(call.title ?? '').not.toContain('\u0000');
          }
          for (const m of call.messages ?? []) {
            // One id, one message; one content, one id (the invariants find messages by content too), except the deliberately repeated "ok".
            if (contentOf.has(m.id)) expect(contentOf.get(m.id)).toBe(m.content);
            contentOf.set(m.id, m.content);
            if (idOf.has(m.content) && m.content !== REPEATED_TEXT)
              expect(idOf.get(m.content), JSON.stringify(m.content.slice(0, 40))).toBe(m.id);
            idOf.set(m.content, m.id);
          }
          if (call.messages) expect(new Set(call.messages.map((m) => m.id)).size).toBe(call.messages.length);
        }
      }
    },
  );

  it('is the same for the same seed', () => {
    expect(sample(name, FULL, 20)).toEqual(sample(name, FULL, 20));
  });
});

describe('parallel-first-messages', () => {
  it('logs the user message and the reply of each new session from two clients at once, without createSession, all valid', () => {
    for (const w of sample('parallel-first-messages')) {
      const all = calls(w);
      expect(all.every(({ call }) => call.valid && call.op !== 'createSession')).toBe(true);
      const firstBySession = new Map<string, Set<string>>();
      for (const { call, pos } of all) {
        if (pos !== 0) continue;
        const roles = firstBySession.get(call.session) ?? new Set();
        roles.add(persisted(call)!.role);
        firstBySession.set(call.session, roles);
      }
      for (const roles of firstBySession.values()) expect([...roles].sort()).toEqual(['assistant', 'user']);
    }
  });
});

describe('unknown-user', () => {
  it('always has calls by users never registered, none of them valid, next to registered users whose calls are valid', () => {
    let registered = 0;
    for (const w of sample('unknown-user')) {
      const all = calls(w).map((x) => x.call);
      expect(all.some((c) => !w.users.includes(c.user))).toBe(true);
      for (const c of all) expect(c.valid).toBe(w.users.includes(c.user));
      registered += all.filter((c) => c.valid).length;
    }
    expect(registered).toBeGreaterThan(100);
  });
});

describe('cross-user', () => {
  it("starts every client with a valid write of the session's owner; the other user's calls follow and are not valid", () => {
    const ops = new Set<string>();
    for (const w of sample('cross-user')) {
      const owners = new Map<string, string>();
      let intrusions = 0;
      for (const list of w.clients) {
        const [first, ...rest] = list;
        expect(first!.valid).toBe(true);
        const owner = owners.get(first!.session) ?? first!.user;
        owners.set(first!.session, owner);
        expect(first!.user).toBe(owner);
        for (const c of rest) {
          expect(c.valid).toBe(c.user === owner);
          if (c.user !== owner) {
            intrusions++;
            ops.add(c.op);
          }
        }
      }
      expect(intrusions).toBeGreaterThan(0);
    }
    expect([...ops].sort()).toEqual(['createSession', 'deleteSession', 'handleChat', 'logMessage']);
  });
});

describe('delete-while-logging', () => {
  it("has the owner delete the session while other clients write to it; only the deleting client's calls are valid", () => {
    for (const w of sample('delete-while-logging')) {
      const [owner, ...writers] = w.clients;
      expect(owner!.some((c) => c.op === 'deleteSession')).toBe(true);
      expect(owner!.every((c) => c.valid)).toBe(true);
      expect(writers.length).toBeGreaterThan(0);
      for (const c of writers.flat()) expect([c.valid, c.op === 'deleteSession', c.session]).toEqual([false, false, owner![0]!.session]);
    }
  });

  it('without deleteSession the same writes run without the deletes', () => {
    for (const w of sample('delete-while-logging', ALL_CAPS[1]))
      expect(calls(w).some(({ call }) => call.op === 'deleteSession')).toBe(false);
  });
});

describe('hostile-input', () => {
  it('covers every kind of awkward content and look-alike ids; NUL bytes are the only invalid calls', () => {
    const seen = new Set<string>();
    for (const w of sample('hostile-input')) {
      let empties = 0;
      for (const { call } of calls(w)) {
        seen.add(`session ${call.session}`);
        const m = persisted(call);
        if (!m) continue;
        const c = m.content;
        expect(call.valid).toBe(!c.includes('\u0000'));
        if (c === '') empties++;
        if (c.includes('\u0000')) seen.add('nul');
        if (c.length >= 100_000) seen.add('100 kB');
        if (c.includes('DROP TABLE')) seen.add('sql');
        if (c.includes('<script>')) seen.add('html');
        if (/\u0301/.test(c) && /\u{1F469}/u.test(c)) seen.add('emoji');
        if (c === '') seen.add('empty');
      }
      expect(empties).toBeLessThanOrEqual(1);
    }
    for (const k of ['nul', '100 kB', 'sql', 'html', 'emoji', 'empty', 'session a.b', 'session A.B', 'session a_b'])
      expect(seen).toContain(k);
  });
});

describe('mixed', () => {
  it("combines the other scenarios' features", () => {
    const seen = new Set<string>();
    for (const w of sample('mixed', FULL, 500)) {
      const all = calls(w);
      const ids = new Map<string, number[]>();
      for (const { call, client } of all) {
        const m = persisted(call);
        if (!w.users.includes(call.user)) seen.add('unknown user');
        if (call.op === 'deleteSession') seen.add('delete');
        if (/^(a\.b|A\.B|a_b|a%b)$/.test(call.session)) seen.add('look-alike id');
        if (m?.content.includes('\u0000')) seen.add('nul');
        if (call.op === 'handleChat' && call.messages!.length >= 4) seen.add('long conversation');
        if (m) ids.set(m.id, [...(ids.get(m.id) ?? []), client]);
      }
      // Another registered user writing to a session whose owner wrote first.
      const owners = new Map<string, string>();
      for (const { call } of all.sort((a, b) => a.pos - b.pos)) if (!owners.has(call.session)) owners.set(call.session, call.user);
      if (all.some(({ call }) => w.users.includes(call.user) && owners.get(call.session) !== call.user)) seen.add('intruder');
      if ([...ids.values()].some((cs) => new Set(cs).size > 1)) seen.add('same request twice');
      const sessionsFirst = new Map<string, Set<number>>();
      for (const { call, client, pos } of all)
        if (pos === 0) sessionsFirst.set(call.session, new Set([...(sessionsFirst.get(call.session) ?? []), client]));
      if ([...sessionsFirst.values()].some((cs) => cs.size > 1)) seen.add('two clients on a new session');
      if (w.clients.length >= 3) seen.add('three or more clients');
    }
    expect([...seen].sort()).toEqual([
      'delete',
      'intruder',
      'long conversation',
      'look-alike id',
      'nul',
      'same request twice',
      'three or more clients',
      'two clients on a new session',
      'unknown user',
    ]);
  });

  it('sends the whole conversation so far with every handleChat of the owner', () => {
    for (const w of sample('mixed')) {
      for (const list of w.clients) {
        const owner = list[0]!.user;
        let sent: string[] = [];
        for (const c of list) {
          // A retry re-sends its call's request as it was.
          if (c.user !== owner || c.retry) continue;
          if (c.op === 'deleteSession') {
            sent = [];
            continue;
          }
          if (c.op === 'handleChat') {
            const earlier = c
              .messages!.slice(0, -1)
              .filter((m) => m.role !== 'system')
              .map((m) => m.id);
            // Everything this client sent since the last delete, in order; besides, only a reply logged in parallel by another client.
            expect(earlier.filter((id) => sent.includes(id))).toEqual(sent);
            for (const id of earlier.filter((x) => !sent.includes(x))) {
              expect(
                w.clients.some(
                  (other) => other !== list && other.some((o) => persisted(o)?.id === id && persisted(o)?.role === 'assistant'),
                ),
              ).toBe(true);
            }
          }
          const m = persisted(c);
          if (m && !m.content.includes('\u0000')) sent.push(m.id);
        }
      }
    }
  });

  it('marks as valid only calls of registered owners, with storable content, that cannot race a delete', () => {
    for (const w of sample('mixed')) {
      // An intruder's delete (another user's, refused by a correct target) does not end the owner's conversation.
      const owners = new Map<string, string>();
      for (const { call } of calls(w).sort((a, b) => a.pos - b.pos)) if (!owners.has(call.session)) owners.set(call.session, call.user);
      const ownDeletes = calls(w).filter(({ call }) => call.op === 'deleteSession' && owners.get(call.session) === call.user);
      const deleted = new Set(ownDeletes.map(({ call }) => call.session));
      const deleter = new Map(ownDeletes.map(({ call, client }) => [call.session, client]));
      for (const { call, client } of calls(w)) {
        if (!call.valid) continue;
        expect(w.users).toContain(call.user);
        if (deleted.has(call.session)) expect(client).toBe(deleter.get(call.session));
      }
    }
  });
});

describe('retry-after-error', () => {
  it('follows every faulted call with its retry: the same request, same ids, no fault; nothing else is a retry', () => {
    let faulted = 0;
    for (const w of sample('retry-after-error')) {
      for (const list of w.clients) {
        list.forEach((c, i) => {
          if (c.fault) {
            faulted++;
            if (c.fault.statement !== 'commit') expect(c.fault.statement).toBeGreaterThanOrEqual(1);
            const { fault: _f, ...request } = c;
            expect(list[i + 1]).toEqual({ ...request, retry: true });
          }
          if (c.retry) expect(list[i - 1]?.fault).toBeDefined();
        });
      }
    }
    expect(faulted).toBeGreaterThan(50);
  });
});
