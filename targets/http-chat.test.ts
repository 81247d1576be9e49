// http-chat on a real database: a chat API in a process of its own, fuzzed over HTTP through the
// wire gate. Seed 001's bug shows with the server's own SQL, the servers end with their cell and
// leave their output in the report, and correct traffic passes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import { processAlive } from '../test/process-alive.js';

// The pids of every server the target starts, to check none outlives its cell.
const started = vi.hoisted(() => [] as number[]);
vi.mock('../harness/contract/start-server.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../harness/contract/start-server.js')>();
  return {
    ...mod,
    startServer: async (o: Parameters<typeof mod.startServer>[0]) => {
      const server = await mod.startServer(o);
      started.push(server.pid);
      return server;
    },
  };
});

// test/run-test-cell.ts writes every cell's report here.
const REPORT_DIR = path.join(os.tmpdir(), `chatfuzz-test-${process.pid}`);

describe('http-chat (seed 001 as an HTTP server of its own)', () => {
  it("multi-message-first-request: a [system, user] first request fails with 23503, seen in the server's own SQL; no server outlives the cell", async () => {
    started.length = 0;
    const cell = await runTestCell('http-chat', 'multi-message-first-request', { runs: 30, seed: 61, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true, gate: 'wire' });
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(cell.failure!.counterexample.ops.map((o) => o.label)).toEqual(['handleChat(s1, [system,user], m2, u1)@c1']);
    // The HTTP answer carried the database's error: the call failed with the raw SQLSTATE.
    expect(cell.failure!.counterexample.ops[0]!.error).toMatchObject({
      kind: 'db',
      sqlstate: '23503',
      constraint: 'chat_messages_session_id_fkey',
    });
    // The session insert was skipped: the only statement is the server's message insert.
    expect(cell.failure!.statements.map((s) => s.sql)).toEqual([
      'INSERT INTO chat_messages (id, session_id, role, content) VALUES ($1, $2, $3, $4)',
    ]);

    // One server per logical client, each stopped with the cell, each with its output in the report.
    expect(started.length).toBeGreaterThan(0);
    expect(started.filter(processAlive)).toEqual([]);
    expect(cell.servers).toHaveLength(started.length);
    for (const s of cell.servers!) {
      expect(s.name).toMatch(/^http-chat c\d+$/);
      expect(s.exitCode).toBe(0);
      expect(s.log).toMatch(/^servers\/http-chat--multi-message-first-request--scheduled--\d+\.log$/);
      expect(fs.readFileSync(path.join(REPORT_DIR, s.log), 'utf8')).toMatch(/^listening on \d+$/m);
    }
  });

  it('correct traffic passes: sessions created before their messages, on two clients (two servers) at once', async () => {
    const msg = (id: string, role: 'system' | 'user' | 'assistant', content: string) => ({ id, role, content });
    const workload = {
      users: ['u1', 'u2'],
      clients: [
        [
          { op: 'handleChat' as const, session: 's1', user: 'u1', messages: [msg('m1', 'user', 'hello')], valid: true },
          { op: 'logMessage' as const, session: 's1', user: 'u1', messages: [msg('m2', 'assistant', 'hi there')], valid: true },
          {
            op: 'handleChat' as const,
            session: 's1',
            user: 'u1',
            messages: [msg('m1', 'user', 'hello'), msg('m2', 'assistant', 'hi there'), msg('m3', 'user', 'more')],
            valid: true,
          },
        ],
        [
          { op: 'createSession' as const, session: 's2', user: 'u2', title: 'second', valid: true },
          { op: 'logMessage' as const, session: 's2', user: 'u2', messages: [msg('m4', 'system', 'be brief')], valid: true },
          { op: 'logMessage' as const, session: 's2', user: 'u2', messages: [msg('m5', 'user', 'question')], valid: true },
        ],
      ],
    };
    // Stress mode replays the case `runs` times with real concurrency.
    const cell = await runTestCell('http-chat', 'mixed', { runs: 30, mode: 'stress', replay: { workload } });
    expect(cell.error).toBeUndefined();
    expect(cell.failure?.message).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', runs: 30, calls: 180 });
  });
});
