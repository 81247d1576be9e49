// startServer on real processes (node -e scripts): both ways of telling a server is ready, the
// errors when it is not, and that stopping leaves no process behind.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, stopAllServers, takeServerLogs } from './start-server.js';
import { processAlive } from '../../test/process-alive.js';

const NODE = process.execPath;
const HTTP_SERVER = `
  const s = require('node:http').createServer((q, r) => r.end('hello'));
  s.listen(Number(process.env.PORT || 0), '127.0.0.1', () => console.log('listening on ' + s.address().port));
`;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

afterEach(async () => {
  await stopAllServers();
  takeServerLogs();
});

describe('startServer', () => {
  it('is ready when a line matches the RegExp, and exposes what it captured (the port)', async () => {
    const server = await startServer({ name: 'regex', command: NODE, args: ['-e', HTTP_SERVER], ready: /listening on (\d+)/ });
    expect(server.match?.[1]).toMatch(/^\d+$/);
    const res = await fetch(`http://127.0.0.1:${server.match![1]}/`);
    expect(await res.text()).toBe('hello');
    expect(server.output()).toContain(`listening on ${server.match![1]}`);
    expect(processAlive(server.pid)).toBe(true);
    await server.stop();
    expect(processAlive(server.pid)).toBe(false);
  });

  it('is ready when a GET of the URL answers, polling until it does', async () => {
    const port = await freePort();
    // Listens only after a while: the first polls are refused.
    const script = `setTimeout(() => { ${HTTP_SERVER} }, 300)`;
    const server = await startServer({
      command: NODE,
      args: ['-e', script],
      env: { PORT: String(port) },
      ready: { url: `http://127.0.0.1:${port}/health` },
    });
    expect(server.match).toBeNull();
    expect(server.name).toBe('node');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello');
    await server.stop();
  });

  it('merges env over the harness environment', async () => {
    const server = await startServer({
      command: NODE,
      args: ['-e', 'console.log("path " + !!process.env.PATH + " foo " + process.env.CHATFUZZ_FOO); setInterval(() => {}, 1000)'],
      env: { CHATFUZZ_FOO: 'bar' },
      ready: /foo (\w+)/,
    });
    expect(server.match?.[1]).toBe('bar');
    expect(server.output()).toContain('path true');
    await server.stop();
  });

  it('rejects with the command, the exit code and the last output when the process exits before it is ready', async () => {
    const script = 'for (let i = 1; i <= 30; i++) console.log("line " + i); console.error("boom: no DATABASE_URL"); process.exit(3)';
    const err = await startServer({ name: 'crasher', command: NODE, args: ['-e', script], ready: /listening/ }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain('server crasher');
    expect(message).toContain(NODE);
    expect(message).toContain('exited before it was ready (exit code 3)');
    expect(message).toContain('boom: no DATABASE_URL');
    expect(message).toContain('line 30');
    // Only the tail: the first lines are left out.
    expect(message).not.toMatch(/line 1\n/);
    const [log] = takeServerLogs();
    expect(log).toMatchObject({ name: 'crasher', exitCode: 3, signal: null });
    expect(processAlive(log!.pid)).toBe(false);
  });

  it('rejects when a command cannot be spawned', async () => {
    await expect(startServer({ command: '/nonexistent/chatfuzz-server', ready: /x/ })).rejects.toThrow(/could not be started: .*ENOENT/);
  });

  it('rejects after the timeout, and stops the process', async () => {
    const started = Date.now();
    // sh, not node: a loaded machine can take longer than the timeout to start node and print, never sh.
    const err = await startServer({
      name: 'slow',
      command: '/bin/sh',
      args: ['-c', 'echo warming up; exec sleep 600'],
      ready: /listening/,
      timeoutMs: 2000,
    }).catch((e: Error) => e);
    // The message names the 2000 ms it was given (not the 15 s default); a lower bound is all a busy machine lets a test say of the time.
    expect((err as Error).message).toMatch(/server slow \(.*\) was not ready after 2000 ms .*\n?warming up/s);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1990);
    const [log] = takeServerLogs();
    expect(log).toMatchObject({ name: 'slow', signal: 'SIGTERM', output: 'warming up\n' });
    expect(processAlive(log!.pid)).toBe(false);
  });

  it('stop() sends SIGKILL to a process that ignores SIGTERM', async () => {
    const script = 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("ready"); setInterval(() => {}, 1000)';
    const server = await startServer({ name: 'stubborn', command: NODE, args: ['-e', script], ready: /^ready$/ });
    const t0 = Date.now();
    await server.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(processAlive(server.pid)).toBe(false);
    // A second stop() of an exited server resolves at once.
    await server.stop();
    const [log] = takeServerLogs();
    expect(log).toMatchObject({ name: 'stubborn', signal: 'SIGKILL', exitCode: null });
    expect(log!.output).toContain('ignoring SIGTERM');
  });

  it('stopAllServers stops every server still running', async () => {
    const a = await startServer({ name: 'a', command: NODE, args: ['-e', HTTP_SERVER], ready: /listening on (\d+)/ });
    const b = await startServer({ name: 'b', command: NODE, args: ['-e', HTTP_SERVER], ready: /listening on (\d+)/ });
    expect([processAlive(a.pid), processAlive(b.pid)]).toEqual([true, true]);
    await stopAllServers();
    expect([processAlive(a.pid), processAlive(b.pid)]).toEqual([false, false]);
  });

  it('takeServerLogs hands over the logs of exited servers once, and none of running ones', async () => {
    expect(takeServerLogs()).toEqual([]);
    const running = await startServer({ name: 'running', command: NODE, args: ['-e', HTTP_SERVER], ready: /listening on (\d+)/ });
    const done = await startServer({
      name: 'done',
      command: NODE,
      args: ['-e', 'console.log("ready"); setTimeout(() => { console.log("bye"); process.exit(0) }, 100)'],
      ready: /ready/,
    });
    // Until `done` has exited and been reaped, however long a busy machine takes (the running server never adds a log).
    let logs = takeServerLogs();
    while (logs.length === 0) {
      await new Promise((r) => setTimeout(r, 20));
      logs = takeServerLogs();
    }
    expect(logs).toEqual([{ name: 'done', pid: done.pid, output: 'ready\nbye\n', exitCode: 0, signal: null }]);
    expect(takeServerLogs()).toEqual([]);
    await running.stop();
    const [log] = takeServerLogs();
    expect(log).toMatchObject({ name: 'running', pid: running.pid, exitCode: null, signal: 'SIGTERM' });
    expect(log!.output).toMatch(/^listening on \d+\n$/);
  });

  it('keeps only the last ~1 MB of output', async () => {
    const script =
      'const line = "x".repeat(1023) + "\\n"; for (let i = 0; i < 3072; i++) process.stdout.write(line); console.log("the end"); setInterval(() => {}, 1000)';
    const server = await startServer({ command: NODE, args: ['-e', script], ready: /^the end$/ });
    const out = server.output();
    expect(out.length).toBeLessThanOrEqual(1024 * 1024);
    expect(out.length).toBeGreaterThan(1000 * 1024);
    expect(out.endsWith('the end\n')).toBe(true);
    await server.stop();
  });
});
