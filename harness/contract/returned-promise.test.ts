import { describe, expect, it } from 'vitest';
import { runFuzzProcess } from '../../test/run-cli-process.js';
import { TargetContractError } from '../errors.js';
import { returnedPromise } from './returned-promise.js';
import { inject } from 'vitest';

describe('returnedPromise', () => {
  it('passes any thenable through and names the method and the value of anything else', async () => {
    const p = Promise.resolve(1);
    expect(returnedPromise(p, 'logMessage')).toBe(p);
    const thenable = { then: (r: (v: number) => void) => r(2) };
    expect(await returnedPromise(thenable, 'logMessage')).toBe(2);
    for (const [value, shown] of [
      [undefined, 'undefined'],
      [null, 'null'],
      [3, 'a number (3)'],
      [{}, 'an object with no then()'],
      [[], 'an array'],
    ] as const) {
      expect(() => returnedPromise(value, 'registerUsers')).toThrow(TargetContractError);
      expect(() => returnedPromise(value, 'registerUsers')).toThrow(
        `registerUsers() returned ${shown}, not a Promise: every ChatStore method must return a Promise`,
      );
    }
  });
});

describe('lifecycle methods of a target written without async', () => {
  const target = './test/fixtures/sync-lifecycle-target.ts';
  const args = [
    '--target',
    target,
    '--scenario',
    'parallel-first-messages,cross-user',
    '--runs',
    '5',
    '--seed',
    '1',
    '--workers',
    '1',
    '--db',
    inject('pgAdminUrl'),
  ];

  it('a close() that returns undefined is fine: the run passes (it crashed with exit 3 before)', async () => {
    const r = await runFuzzProcess([...args, '--report', `/tmp/chatfuzz-sync-close-${process.pid}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2/2 cells met their expectation');
  });

  it('a registerUsers() that returns undefined is a usage error naming the rule, not a finding', async () => {
    const r = await runFuzzProcess([...args, '--report', `/tmp/chatfuzz-sync-register-${process.pid}`], {
      env: { CHATFUZZ_FIXTURE_SYNC_REGISTER: '1' },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`target sync-lifecycle (${target}): registerUsers() returned undefined, not a Promise`);
    expect(r.stdout).not.toMatch(/session-ownership|acked-durable|no-fk-error/);
  });
});
