import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capturedIo } from '../../test/captured-io.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { invokeCall, normalizedContent } from './invoke-call.js';
import { Clock } from '../history/history.js';
import type { CallSpec } from '../workload/workload.js';
import type { ChatStore } from '../contract/define-target.js';
import { runCli } from '../cli/run-cli.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-invoke-call-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; report: string }> {
  const report = path.join(root, `r${Math.random().toString(36).slice(2)}`);
  const out = capturedIo({ NO_COLOR: '1' });
  const code = await runCli([...argv, '--db', inject('pgAdminUrl'), '--no-corpus', '--report', report], out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr(), report };
}

const FIRE_AND_FORGET = './test/fixtures/fire-and-forget-target.ts';
const RULE =
  /target fire-and-forget \(\.\/test\/fixtures\/fire-and-forget-target\.ts\): logMessage\(\) returned undefined, not a Promise: every ChatStore method must return a Promise \(declare it `async`, and `await`\/return its queries\)/;

it.each([['scheduled'], ['stress']])(
  'a logMessage that returns undefined (%s mode) is a usage error naming the rule (exit 2), not an acked-durable finding',
  async (mode) => {
    const r = await cli([
      '--target',
      FIRE_AND_FORGET,
      '--scenario',
      'parallel-first-messages',
      '--mode',
      mode,
      '--runs',
      '3',
      '--seed',
      '1',
      '--workers',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(RULE);
    // The run stopped before any cell ended: no cell line, no finding, no report.
    expect(r.stdout + r.stderr).not.toMatch(/acked-durable|fire-and-forget × \S+: /);
    expect(fs.existsSync(path.join(r.report, 'results.json'))).toBe(false);
  },
);

it('with --workers 2 the breach found in a worker process still exits 2 with the rule, and no cell is reported', async () => {
  const r = await cli([
    '--target',
    FIRE_AND_FORGET,
    '--scenario',
    'parallel-first-messages,log-before-create',
    '--runs',
    '2',
    '--seed',
    '1',
    '--workers',
    '2',
  ]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(RULE);
  expect(r.stdout + r.stderr).not.toMatch(/acked-durable|fire-and-forget × \S+: /);
  expect(fs.existsSync(path.join(r.report, 'results.json'))).toBe(false);
});

// Declared app semantics (issue 24): content as stored, server-minted ids. The store is a fixture: invokeCall is under test.
describe('invokeCall with declared app semantics', () => {
  const spec = (content: string): CallSpec => ({
    op: 'logMessage',
    session: 's1',
    user: 'u1',
    valid: true,
    messages: [{ id: 'm1', role: 'user', content }],
  });

  it('normalises content as declared', () => {
    expect(normalizedContent('a\u0000b\u0000', 'strip-nul')).toBe('ab');
    expect(normalizedContent('  hi \n', 'trim')).toBe('hi');
    expect(normalizedContent('Hi', (s) => s.toLowerCase())).toBe('hi');
    expect(normalizedContent(' a\u0000 ', undefined)).toBe(' a\u0000 ');
  });

  it('records the content the app declared it stores, and only where it differs', async () => {
    const store = { logMessage: async () => {} };
    const rec = await invokeCall({
      env: { store, callTimeoutMs: 1000, inputRules: { normalize: 'strip-nul' } },
      clock: new Clock(),
      ns: 't1_',
      spec: spec('a\u0000b'),
      client: 0,
      index: 0,
    });
    expect(rec.message).toMatchObject({ content: 'a\u0000b', stored: 'ab' });
    const plain = await invokeCall({
      env: { store, callTimeoutMs: 1000, inputRules: { normalize: 'strip-nul' } },
      clock: new Clock(),
      ns: 't1_',
      spec: spec('ab'),
      client: 0,
      index: 0,
    });
    expect(plain.message).not.toHaveProperty('stored');
  });

  it('reads the ids a server-id target resolves to (the last ones), and calls a write without them a contract breach', async () => {
    // A server may hand back numeric ids (bigserial): they compare as text.
    const store = { logMessage: async () => ({ messageIds: ['7', 42] }) } as unknown as ChatStore;
    const rec = await invokeCall({
      env: { store, callTimeoutMs: 1000, api: { messageIds: 'server' } },
      clock: new Clock(),
      ns: 't1_',
      spec: spec('ok'),
      client: 0,
      index: 0,
    });
    expect(rec.outcome).toBe('ok');
    expect(rec.message!.serverId).toBe('42');
    const silent = { logMessage: async () => {} };
    await expect(
      invokeCall({
        env: { store: silent, callTimeoutMs: 1000, api: { messageIds: 'server' } },
        clock: new Clock(),
        ns: 't1_',
        spec: spec('ok'),
        client: 0,
        index: 0,
      }),
    ).rejects.toThrow(/logMessage\(\) must resolve to \{ messageIds: \[\.\.\.\] \}/);
    // Without the declaration the resolved value is ignored, as before.
    const rec2 = await invokeCall({
      env: { store, callTimeoutMs: 1000 },
      clock: new Clock(),
      ns: 't1_',
      spec: spec('ok'),
      client: 0,
      index: 0,
    });
    expect(rec2.message).not.toHaveProperty('serverId');
  });
});

// Issue 25: an operation call gets its args in the trial's ids and records its result, and a refusal, in the workload's.
it('an operation call: args mapped to physical ids, the result mapped back, a plain Error recorded as a domain refusal', async () => {
  const { invokeCall, modelIds } = await import('./invoke-call.js');
  const { idCodec } = await import('./id-codec.js');
  const { Clock } = await import('../history/history.js');
  const seen: unknown[] = [];
  const store = {
    whoOwns: async (a: { handle: string }) => {
      seen.push(a);
      return { owner: 't7_u2', [a.handle]: ['t7_u2', 3] };
    },
    claim: async () => {
      throw new Error('handle t7_k1 is taken');
    },
  } as never;
  const env = { store, callTimeoutMs: 2000, modelIds: modelIds('t7_', ['u1', 'u2', 'k1'], idCodec('text')) };
  const call = (name: string, args: unknown) => ({
    op: 'operation' as const,
    session: '',
    user: '',
    valid: false,
    operation: { name, args },
  });
  const ok = await invokeCall({ env, clock: new Clock(), ns: 't7_', spec: call('whoOwns', { handle: 'k1' }), client: 1, index: 0 });
  expect(seen).toEqual([{ handle: 't7_k1' }]);
  expect(ok).toMatchObject({
    outcome: 'ok',
    label: 'whoOwns(k1)@c2',
    op: 'operation',
    operation: { name: 'whoOwns', args: { handle: 'k1' }, result: { owner: 'u2', k1: ['u2', 3] } },
  });
  const refused = await invokeCall({
    env,
    clock: new Clock(),
    ns: 't7_',
    spec: call('claim', { user: 'u1', handle: 'k1' }),
    client: 0,
    index: 1,
  });
  expect(refused).toMatchObject({ outcome: 'fail', error: { kind: 'domain' }, operation: { name: 'claim' } });
  expect(refused.operation!.result).toBeUndefined();
});
