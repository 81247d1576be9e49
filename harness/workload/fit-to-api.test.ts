// What the workload promises a target that declared its API shape, on samples of every built-in scenario (no database).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';
import { apiWorkloads, fitToApi } from './fit-to-api.js';
import { FULL_CAPABILITIES, targetCapabilities, type TargetCapabilities } from './scenario.js';
import type { CallSpec, Workload } from './workload.js';

function sampleAll(caps: TargetCapabilities, numRuns = 150): { scenario: string; w: Workload }[] {
  return builtinScenarios.flatMap((s) => fc.sample(apiWorkloads(s, caps), { numRuns, seed: 7 }).map((w) => ({ scenario: s.name, w })));
}

const calls = (w: Workload): CallSpec[] => w.clients.flat();

describe('fitToApi', () => {
  it('gives a target without createSession none: its sessions are opened by a first message, valid where the createSession was', () => {
    const caps = { ...FULL_CAPABILITIES, createSession: false, history: 'any' as const };
    let opened = 0;
    for (const { w } of sampleAll(caps)) {
      expect(calls(w).map((c) => c.op)).not.toContain('createSession');
      opened += calls(w).filter((c) => c.messages?.some((m) => m.content.startsWith('Hi, a new chat starts'))).length;
    }
    expect(opened).toBeGreaterThan(100);
  });

  it('opens the session with the same message for the same request, so a double submit of createSession stays one request', () => {
    const create: CallSpec = { op: 'createSession', session: 's1', user: 'u1', title: 'New chat', valid: true };
    const w = fitToApi(
      {
        users: ['u1'],
        clients: [
          [create],
          [create],
          [{ op: 'logMessage', session: 's1', user: 'u1', valid: true, messages: [{ id: 'm4', role: 'user', content: 'x #m4' }] }],
        ],
      },
      { ...FULL_CAPABILITIES, createSession: false },
      'full',
    );
    expect(w.clients[0]).toEqual([
      {
        op: 'handleChat',
        session: 's1',
        user: 'u1',
        valid: true,
        messages: [{ id: 'm5', role: 'user', content: 'Hi, a new chat starts with this message #m5' }],
      },
    ]);
    expect(w.clients[1]).toEqual(w.clients[0]);
  });

  it('never sends a reply-in-request target a free-standing reply; replies travel in the request that asked', () => {
    const caps = { ...FULL_CAPABILITIES, replyInRequest: true, history: 'any' as const };
    let replies = 0;
    const bySenario = new Map<string, number>();
    for (const { scenario, w } of sampleAll(caps)) {
      for (const c of calls(w)) {
        expect(c.op === 'logMessage' && c.messages![0]!.role === 'assistant').toBe(false);
        if (c.reply) {
          expect(c.op).toBe('handleChat');
          expect(c.reply.role).toBe('assistant');
          replies++;
          bySenario.set(scenario, (bySenario.get(scenario) ?? 0) + 1);
        }
      }
    }
    expect(replies).toBeGreaterThan(300);
    // Two tabs' whole requests race on a new session instead of a reply logged beside its question.
    expect(bySenario.get('parallel-first-messages')).toBeGreaterThan(100);
  });

  it('attaches a reply to a retried request and to its faulted original alike', () => {
    const ask: CallSpec = {
      op: 'handleChat',
      session: 's1',
      user: 'u1',
      valid: true,
      messages: [{ id: 'm1', role: 'user', content: 'q #m1' }],
    };
    const reply: CallSpec = {
      op: 'logMessage',
      session: 's1',
      user: 'u1',
      valid: true,
      messages: [{ id: 'm2', role: 'assistant', content: 'a #m2' }],
    };
    const w = fitToApi(
      { users: ['u1'], clients: [[{ ...ask, fault: { statement: 'commit', when: 'after' } }, { ...ask, retry: true }, reply]] },
      { ...FULL_CAPABILITIES, replyInRequest: true },
      'full',
    );
    expect(w.clients[0]!.map((c) => c.reply?.id)).toEqual(['m2', 'm2']);
  });

  it('generates both the full-history and the new-message client for a target that takes either, and only one when declared', () => {
    const shapes = (caps: TargetCapabilities) => {
      const seen = new Set<string>();
      for (const { w } of sampleAll(caps, 100)) {
        for (const list of w.clients) {
          const sent = new Set<string>();
          // The client's own conversation: an intruder's request in the same list is a first request of its own.
          for (const c of list.filter((x) => x.user === list[0]!.user && x.session === list[0]!.session)) {
            if (c.op === 'deleteSession') sent.clear();
            if (c.op === 'handleChat' && !c.retry) {
              const earlier = c.messages!.slice(0, -1);
              if (earlier.some((m) => sent.has(m.id))) seen.add('full');
              else if (sent.size > 0) seen.add('new');
            }
            // A message PostgreSQL cannot store (NUL) never makes it into a client's history.
            for (const m of c.messages ?? []) if (!m.content.includes('\u0000')) sent.add(m.id);
          }
        }
      }
      return [...seen].sort();
    };
    expect(shapes({ ...FULL_CAPABILITIES, history: 'any' })).toEqual(['full', 'new']);
    expect(shapes({ ...FULL_CAPABILITIES, history: 'new' })).toEqual(['new']);
    expect(shapes({ ...FULL_CAPABILITIES, history: 'full' })).toEqual(['full']);
  });

  it('is idempotent: a saved case fits to itself', () => {
    const caps = { ...FULL_CAPABILITIES, createSession: false, replyInRequest: true, history: 'new' as const };
    for (const { w } of sampleAll(caps, 40)) expect(fitToApi(w, caps, 'new')).toEqual(w);
  });
});

describe('the workload vocabulary of real clients', () => {
  const all = sampleAll({ ...FULL_CAPABILITIES, history: 'any' }, 300);

  it('sends the identical request twice at once (double submit): same ids, same content, two clients', () => {
    const doubles = all.filter(({ w }) => {
      const seen = new Map<string, number>();
      return w.clients.some((list, client) =>
        list.some((c) => {
          if (c.op !== 'handleChat' && c.op !== 'logMessage') return false;
          const key = JSON.stringify({ ...c, retry: undefined, fault: undefined });
          const other = seen.get(key);
          seen.set(key, client);
          return other !== undefined && other !== client;
        }),
      );
    });
    expect(new Set(doubles.map((d) => d.scenario))).toEqual(new Set(['concurrent-duplicates', 'mixed']));
  });

  it('draws faults on statements past the fourth and on the COMMIT', () => {
    const faults = all.flatMap(({ w }) => calls(w).flatMap((c) => (c.fault ? [c.fault.statement] : [])));
    expect(faults).toContain('commit');
    expect(faults.some((s) => typeof s === 'number' && s > 4)).toBe(true);
  });

  it('uses user and session ids that differ only in case, and the same content in different messages', () => {
    const users = new Set(all.flatMap(({ w }) => [...w.users, ...calls(w).map((c) => c.user)]));
    expect(users).toContain('U1');
    expect(users).toContain('u1');
    expect(all.some(({ w }) => calls(w).some((c) => c.session === 'A.B') && calls(w).some((c) => c.session === 'a.b'))).toBe(true);
    const repeated = all.filter(({ w }) => {
      const ids = new Map<string, Set<string>>();
      for (const c of calls(w)) for (const m of c.messages ?? []) ids.set(m.content, (ids.get(m.content) ?? new Set()).add(m.id));
      return [...ids.values()].some((s) => s.size > 1);
    });
    expect(repeated.length).toBeGreaterThan(5);
  });
});

// Declared session semantics (issue 24): explicit create, deletes of missing sessions refused, tombstones.
const log = (id: string, o: Partial<CallSpec> = {}): CallSpec => ({
  op: 'logMessage',
  session: 's1',
  user: 'u1',
  valid: true,
  messages: [{ id, role: 'user', content: `x #${id}` }],
  ...o,
});
const del = (o: Partial<CallSpec> = {}): CallSpec => ({ op: 'deleteSession', session: 's1', user: 'u1', valid: true, ...o });
const EXPLICIT = { ...FULL_CAPABILITIES, explicitCreate: true };
const TOMBSTONES = { ...FULL_CAPABILITIES, deleteMissing: 'refuse' as const, afterDelete: 'refuse' as const };

describe('fitToApi with declared session semantics', () => {
  it("reads the semantics from the target's api", () => {
    const store = { logMessage: async () => {}, createSession: async () => {}, deleteSession: async () => {} };
    expect(
      targetCapabilities(store, { sessions: { create: 'explicit', delete: { missing: 'refuse', afterDelete: 'refuse', soft: true } } }),
    ).toMatchObject({ explicitCreate: true, deleteMissing: 'refuse', afterDelete: 'refuse' });
    expect(targetCapabilities(store, {})).not.toHaveProperty('explicitCreate');
  });

  it("explicit create: a session's only client creates it before its first write (once, also when fitted again)", () => {
    const w = fitToApi({ users: ['u1'], clients: [[log('m1'), log('m2')]] }, EXPLICIT, 'full');
    expect(w.clients[0]!.map((c) => `${c.op}:${c.valid}`)).toEqual(['createSession:true', 'logMessage:true', 'logMessage:true']);
    expect(fitToApi(w, EXPLICIT, 'full')).toEqual(w);
  });

  it('explicit create: a write to a session its client has not created, where another client may create it, may be refused', () => {
    const w = fitToApi({ users: ['u1'], clients: [[log('m1')], [log('m2')]] }, EXPLICIT, 'full');
    expect(w.clients.flat().map((c) => `${c.op}:${c.valid}`)).toEqual(['logMessage:false', 'logMessage:false']);
    const created = fitToApi(
      { users: ['u1'], clients: [[{ op: 'createSession', session: 's1', user: 'u1', valid: true }, log('m1')], [log('m2')]] },
      EXPLICIT,
      'full',
    );
    expect(created.clients.map((l) => l.map((c) => `${c.op}:${c.valid}`))).toEqual([
      ['createSession:true', 'logMessage:true'],
      ['logMessage:false'],
    ]);
  });

  it("tombstones: calls after the delete, and other clients' calls on the session, may be refused; a delete of a missing session too", () => {
    const w = fitToApi({ users: ['u1'], clients: [[del(), log('m1'), del(), log('m2')], [log('m3')]] }, TOMBSTONES, 'full');
    expect(w.clients.map((l) => l.map((c) => `${c.op}:${c.valid}`))).toEqual([
      ['deleteSession:false', 'logMessage:false', 'deleteSession:false', 'logMessage:false'],
      ['logMessage:false'],
    ]);
    const own = fitToApi({ users: ['u1'], clients: [[log('m1'), del(), log('m2')]] }, TOMBSTONES, 'full');
    expect(own.clients[0]!.map((c) => `${c.op}:${c.valid}`)).toEqual(['logMessage:true', 'deleteSession:true', 'logMessage:false']);
  });

  it('without declared semantics, every scenario fits as before', () => {
    for (const s of builtinScenarios) {
      for (const w of fc.sample(apiWorkloads(s, FULL_CAPABILITIES), { numRuns: 30, seed: 3 })) {
        expect(fitToApi(w, { ...FULL_CAPABILITIES, explicitCreate: undefined }, 'full')).toEqual(w);
      }
    }
  });
});
