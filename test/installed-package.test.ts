// chatfuzz as a dev dependency of someone else's app: packed, installed from the tarball and
// the npm registry into a fresh project outside the repo, `chatfuzz init`, a target of the
// app's own (importing 'chatfuzz', an `@/` path alias and `server-only`, on its Drizzle
// migrations folder), then `npx chatfuzz` on the embedded PostgreSQL.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_MS } from './run-cli-process.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const APP_FILES = path.join(import.meta.dirname, 'fixtures', 'user-app');
// npm run by `npm test` exports npm_* settings (prefix, package name…) that must not leak into the user's project.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'DATABASE_URL' && k !== 'INIT_CWD'));

let dir: string;
let app: string;

function copyTree(from: string, to: string) {
  fs.cpSync(from, to, { recursive: true });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-user-'));
  // Like a project folder (mkdtemp makes it 0700): run as root, the embedded server runs as `postgres`, who must reach node_modules.
  fs.chmodSync(dir, 0o755);
  app = path.join(dir, 'app');
  fs.mkdirSync(app);
  const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, env: ENV });
  const tarball = path.join(dir, stdout.trim().split('\n').at(-1)!);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'my-chat-app', version: '1.0.0', private: true, scripts: { dev: 'next dev' } }, null, 2) + '\n');
  copyTree(APP_FILES, app);
  await run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', tarball], { cwd: app, env: ENV, timeout: HANG_MS });
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function chatfuzz(args: string[]) {
  try {
    const r = await run('npx', ['--no-install', 'chatfuzz', ...args], { cwd: app, env: { ...ENV, NO_COLOR: '1' }, timeout: HANG_MS });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    if (typeof e.code !== 'number') throw e;
    return { code: e.code as number, stdout: String(e.stdout), stderr: String(e.stderr) };
  }
}

describe('installed into a fresh project', () => {
  it('installs with npm\'s default script policy and no chatfuzz source around it', () => {
    const installed = path.join(app, 'node_modules', 'chatfuzz');
    expect(fs.existsSync(path.join(installed, 'bin', 'chatfuzz.mjs'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'harness', 'index.ts'))).toBe(true);
    // What ships is the tool, not its tests, fixtures or generated clients.
    expect(fs.readdirSync(installed).sort()).toEqual(['README.md', 'bin', 'harness', 'package.json', 'prisma', 'reports', 'scenarios', 'scripts', 'targets']);
    expect(fs.existsSync(path.join(installed, 'harness', 'run', 'run-cell.test.ts'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'prisma', 'generated'))).toBe(false);
  });

  it('chatfuzz init scaffolds a config, a target skeleton for the detected stack, a fuzz script and a CI workflow, then skips what exists', async () => {
    const first = await chatfuzz(['init']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('drizzle project, migrations in drizzle');
    for (const f of ['chatfuzz.config.ts', 'chatfuzz/target.ts', '.github/workflows/chatfuzz.yml']) expect(first.stdout).toContain(`created ${f}`);
    expect(fs.readFileSync(path.join(app, 'chatfuzz', 'target.ts'), 'utf8')).toContain("schema: { migrations: 'drizzle' }");
    expect(fs.readFileSync(path.join(app, '.github/workflows/chatfuzz.yml'), 'utf8')).toContain('npx chatfuzz --ci');
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    expect(pkg.scripts).toEqual({ dev: 'next dev', fuzz: 'chatfuzz' });
    expect(pkg.devDependencies.chatfuzz).toBeTruthy();

    // The skeleton says what to do before it is filled in.
    const unfilled = await chatfuzz(['--runs', '1']);
    expect(unfilled, unfilled.stderr).toMatchObject({ code: 2 });
    expect(unfilled.stderr).toContain('chatfuzz/target.ts: wire your chat persistence code');

    const second = await chatfuzz(['init']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('skipped chatfuzz.config.ts (it exists)');
    expect(second.stdout).toContain('skipped the "fuzz" script');
  });

  it('npx chatfuzz runs the config\'s targets only: the app\'s check-then-insert race is found, shrunk and reported', async () => {
    // The app's own target replaces the skeleton.
    fs.copyFileSync(path.join(app, 'my-target.ts'), path.join(app, 'chatfuzz', 'target.ts'));
    const r = await chatfuzz(['--scenario', 'concurrent-duplicates,multi-message-first-request', '--runs', '30', '--seed', '7']);
    expect(r.stderr).not.toContain('internal error');
    expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('config chatfuzz.config.ts');
    const results = JSON.parse(fs.readFileSync(path.join(app, 'chatfuzz-report', 'results.json'), 'utf8'));
    expect(results.cells.map((c: any) => `${c.target} × ${c.scenario}: ${c.outcome}`)).toEqual([
      'my-chat-app × concurrent-duplicates: fail',
      'my-chat-app × multi-message-first-request: pass',
    ]);
    const failure = results.cells[0].failure;
    expect(failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'Chat_pkey' });
    expect(failure.counterexample.ops.length).toBeLessThanOrEqual(3);
    expect(failure.replay).toMatch(/^npm run fuzz -- --replay chatfuzz-report\/cases\/my-chat-app--concurrent-duplicates--scheduled\.json$/);
    expect(results.exitCode).toBe(0);
    for (const f of ['index.html', 'junit.xml']) expect(fs.existsSync(path.join(app, 'chatfuzz-report', f))).toBe(true);

    // The replay line works as printed, on the case's own target, whatever else the config lists.
    fs.writeFileSync(path.join(app, 'chatfuzz.config.ts'), "import { defineConfig } from 'chatfuzz';\nexport default defineConfig({ targets: ['./chatfuzz/target.ts', 'upsert'], report: 'chatfuzz-report' });\n");
    const replay = await chatfuzz(['--replay', 'chatfuzz-report/cases/my-chat-app--concurrent-duplicates--scheduled.json', '--report', 'replay-report']);
    expect(replay, replay.stderr).toMatchObject({ code: 0 });
    const replayed = JSON.parse(fs.readFileSync(path.join(app, 'replay-report', 'results.json'), 'utf8')).cells;
    expect(replayed.map((c: any) => `${c.target} × ${c.scenario}`)).toEqual(['my-chat-app × concurrent-duplicates']);
    expect(replayed[0].failure.invariant).toBe('no-db-error');
  });
});
