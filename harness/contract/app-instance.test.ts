import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyError } from '../history/classify-error.js';
import { AppInstance, RouteError, RouteRefusal } from './app-instance.js';

const FIXTURES = path.resolve('harness/contract/fixtures/app-instance');
const targetFile = path.join(FIXTURES, 'target.ts');
const open: AppInstance[] = [];
function instance(client: number, env: Record<string, string> = {}, output?: string[]) {
  const i = new AppInstance({
    client,
    targetFile,
    env,
    alias: { './real-auth': './fake-auth.ts', 'fixture-auth': './fake-auth.ts' },
    onOutput: (stream, line) => output?.push(`${stream}: ${line}`),
  });
  open.push(i);
  return i;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((i) => i.close()));
});

describe('AppInstance', () => {
  it('gives each logical client its own module graph, globalThis and process.env; loads of one client share one module', async () => {
    const a = instance(0, { FIXTURE_URL: 'postgres://a' });
    const b = instance(1, { FIXTURE_URL: 'postgres://b' });
    const [ma, mb, ma2] = [await a.load('./state.ts'), await b.load('./state'), await a.load('./state.ts')];
    expect(await ma.bump()).toEqual({ calls: 1, url: 'postgres://a' });
    expect(await ma2.bump()).toEqual({ calls: 2, url: 'postgres://a' });
    expect(await mb.bump()).toEqual({ calls: 1, url: 'postgres://b' });
    expect(process.env.FIXTURE_URL).toBeUndefined();
    expect(await ma.config.nested.hello('x')).toBe('hello x');
  });

  it('hands a thrown error back with its class, properties and cause, so it classifies as the database error it is', async () => {
    const m = await instance(0).load('./state.ts');
    const e = await m.fail().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(classifyError(e)).toMatchObject({ kind: 'domain', causeSqlstate: '23505', causeConstraint: 'x_pkey' });
  });

  it('calls a route handler with a Request: aliases replace its auth import (by path and by specifier), 2xx resolves, 4xx is a refusal, 5xx an error', async () => {
    const post = await instance(0).route('./route.ts');
    await expect(post({ headers: { 'x-user': 'u1' }, body: { text: 'hi' } })).resolves.toMatchObject({ status: 200, body: 'u1: hi' });
    await expect(post({ body: { text: 'hi' } })).rejects.toBeInstanceOf(RouteRefusal);
    await expect(post({ headers: { 'x-user': 'u1' }, body: {} })).rejects.toBeInstanceOf(RouteError);
  });

  it("keeps the app's output off the terminal and hands it over line by line", async () => {
    const output: string[] = [];
    const m = await instance(0, {}, output).load('./state.ts');
    await m.log('Failed to update title for chat 1');
    await expect.poll(() => output).toContain('stdout: Failed to update title for chat 1');
  });

  it('a module that does not load is a clear error, and calls after close reject', async () => {
    const i = instance(0);
    await expect(i.load('./missing.ts')).rejects.toThrow(/ctx\.load\("\.\/missing\.ts"\) for client 0 failed/);
    const m = await i.load('./state.ts');
    await i.close();
    await expect(m.bump()).rejects.toThrow(/closed/);
  });
});
