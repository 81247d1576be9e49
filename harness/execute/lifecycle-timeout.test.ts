import { describe, expect, it } from 'vitest';
import { TargetContractError } from '../errors.js';
import { lifecycleTimeoutMs, withinLifecycleTimeout } from './lifecycle-timeout.js';

describe('withinLifecycleTimeout', () => {
  it('passes a settled value through and rejects a method that never settles with a contract error naming it and the fix', async () => {
    await expect(withinLifecycleTimeout('snapshot', 50, Promise.resolve(7))).resolves.toBe(7);
    const never = new Promise(() => {});
    const e: any = await withinLifecycleTimeout('create', 20, never, 't1').catch((x: any) => x);
    expect(e).toBeInstanceOf(TargetContractError);
    expect(e.message).toMatch(/^target t1: create\(\) did not settle within 20 ms .*make create\(\) resolve.*raise --call-timeout/);
  });

  it('is ten call timeouts, at least a second', () => {
    expect(lifecycleTimeoutMs(5000)).toBe(50_000);
    expect(lifecycleTimeoutMs(20)).toBe(1000);
  });
});
