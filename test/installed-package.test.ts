// chatfuzz as a dev dependency of someone else's app: packed, installed from the tarball and
// the npm registry into a fresh project outside the repo (under a 0700 folder, as `mktemp -d`
// makes it: run as root, the embedded server's OS user cannot enter it), what the install added
// (bench/measure-install.ts), `chatfuzz init`, a target of the app's own (importing 'chatfuzz',
// an `@/` path alias and `server-only`, on its Drizzle migrations folder), then `npx chatfuzz`
// on the embedded PostgreSQL.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_MS } from './run-cli-process.js';
import { INSTALL_GOALS, installFootprint, ownInstallScripts, packChatfuzz, userProjectEnv } from '../bench/measure-install.js';

const run = promisify(execFile);
const APP_FILES = path.join(import.meta.dirname, 'fixtures', 'user-app');
// npm run by `npm test` exports npm_* settings (prefix, package name…) that must not leak into the user's project.
const ENV = userProjectEnv();

let dir: string;
let app: string;
let npmOutput: string;

function copyTree(from: string, to: string) {
  fs.cpSync(from, to, { recursive: true });
}

beforeAll(async () => {
  // Left 0700: run as root, the embedded server runs as `postgres`, who cannot reach node_modules in here.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-user-'));
  app = path.join(dir, 'app');
  fs.mkdirSync(app);
  const tarball = await packChatfuzz(dir);
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'my-chat-app', version: '1.0.0', private: true, scripts: { dev: 'next dev' } }, null, 2) + '\n',
  );
  copyTree(APP_FILES, app);
  const installed = await run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', tarball], {
    cwd: app,
    env: ENV,
    timeout: HANG_MS,
  });
  npmOutput = installed.stdout + installed.stderr;
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
  it("installs with npm's default script policy and no chatfuzz source around it", () => {
    const installed = path.join(app, 'node_modules', 'chatfuzz');
    expect(fs.existsSync(path.join(installed, 'bin', 'chatfuzz.mjs'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'harness', 'index.ts'))).toBe(true);
    // What ships is the tool, not its tests, fixtures or generated clients.
    expect(fs.readdirSync(installed).sort()).toEqual([
      'README.md',
      'bin',
      'docs',
      'harness',
      'package.json',
      'prisma',
      'reports',
      'scenarios',
      'scripts',
      'targets',
    ]);
    expect(fs.existsSync(path.join(installed, 'harness', 'run', 'run-cell.test.ts'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'prisma', 'generated'))).toBe(false);
  });

  it('adds at most 40 packages and 100 MB, none of the ORMs or Docker clients, and no install script of its own', () => {
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const f = installFootprint(app);
    expect(f.packages.length, f.packages.join(' ')).toBeLessThanOrEqual(INSTALL_GOALS.maxPackages);
    expect(f.bytes).toBeLessThanOrEqual(INSTALL_GOALS.maxBytes);
    // Optional peers: installed only by an app that uses them; pg is a peer, so the app's own copy is the one used.
    for (const heavy of [
      '@prisma/client',
      'prisma',
      '@prisma/adapter-pg',
      'drizzle-orm',
      'postgres',
      'testcontainers',
      '@testcontainers/postgresql',
    ])
      expect(f.packages).not.toContain(heavy);
    expect(f.packages).toContain('pg');
    expect(ownInstallScripts(JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'chatfuzz', 'package.json'), 'utf8')))).toEqual([]);
    expect(npmOutput).not.toMatch(/not yet covered by allowScripts:[\s\S]*\bchatfuzz@/);
  });

  it('a built-in target or --db container that needs a package the app lacks exits 2 naming the npm install command', async () => {
    const r = await chatfuzz(['--target', 'prisma-upsert', '--runs', '1']);
    expect(r, r.stderr).toMatchObject({ code: 2 });
    expect(r.stderr).toContain(
      'the built-in target prisma-upsert needs the packages @prisma/client, @prisma/adapter-pg, prisma, which are not installed (optional peer dependencies of chatfuzz): npm install -D @prisma/client @prisma/adapter-pg prisma',
    );
    const c = await chatfuzz(['--db', 'container', '--target', 'upsert', '--runs', '1']);
    expect(c, c.stderr).toMatchObject({ code: 2 });
    expect(c.stderr).toContain('--db container needs the packages testcontainers, @testcontainers/postgresql');
  });

  it('chatfuzz init scaffolds a config, a target skeleton for the detected stack, a fuzz script and a CI workflow, then skips what exists', async () => {
    const first = await chatfuzz(['init']);
    expect(first.code).toBe(0);
    // init names the driver it read from the project (Drizzle over pg here) and the migrations folder.
    expect(first.stdout).toMatch(/drizzle project on [\w.-]+, migrations in drizzle/);
    for (const f of ['chatfuzz.config.ts', 'chatfuzz/target.ts', '.github/workflows/chatfuzz.yml'])
      expect(first.stdout).toContain(`created ${f}`);
    expect(fs.readFileSync(path.join(app, 'chatfuzz', 'target.ts'), 'utf8')).toContain("schema: { migrations: 'drizzle' }");
    expect(fs.readFileSync(path.join(app, '.github/workflows/chatfuzz.yml'), 'utf8')).toContain('npx chatfuzz --ci');
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    expect(pkg.scripts).toEqual({ dev: 'next dev', fuzz: 'chatfuzz' });
    expect(pkg.devDependencies.chatfuzz).toBeTruthy();

    // With the chat tables found in the migrations, the skeleton runs as written (its users table's required
    // email is filled in): every cell reaches a verdict, none stops on an error of the harness or the skeleton.
    const skeleton = await chatfuzz(['--runs', '1']);
    expect([0, 1], skeleton.stderr).toContain(skeleton.code);
    expect(skeleton.stdout + skeleton.stderr).not.toMatch(/could not be checked|\berror \(/);

    const second = await chatfuzz(['init']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('skipped chatfuzz.config.ts (it exists)');
    expect(second.stdout).toContain('skipped the "fuzz" script');
  });

  it("npx chatfuzz runs the config's targets only: the app's check-then-insert race is found, shrunk and reported", async () => {
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
    expect(failure.replay).toMatch(
      /^npm run fuzz -- --replay chatfuzz-report\/cases\/my-chat-app--concurrent-duplicates--scheduled\.json$/,
    );
    expect(results.exitCode).toBe(0);
    for (const f of ['index.html', 'junit.xml']) expect(fs.existsSync(path.join(app, 'chatfuzz-report', f))).toBe(true);

    // The replay line works as printed, on the case's own target, whatever else the config lists.
    fs.writeFileSync(
      path.join(app, 'chatfuzz.config.ts'),
      "import { defineConfig } from 'chatfuzz';\nexport default defineConfig({ targets: ['./chatfuzz/target.ts', 'upsert'], report: 'chatfuzz-report' });\n",
    );
    const replay = await chatfuzz([
      '--replay',
      'chatfuzz-report/cases/my-chat-app--concurrent-duplicates--scheduled.json',
      '--report',
      'replay-report',
    ]);
    expect(replay, replay.stderr).toMatchObject({ code: 0 });
    const replayed = JSON.parse(fs.readFileSync(path.join(app, 'replay-report', 'results.json'), 'utf8')).cells;
    expect(replayed.map((c: any) => `${c.target} × ${c.scenario}`)).toEqual(['my-chat-app × concurrent-duplicates']);
    expect(replayed[0].failure.invariant).toBe('no-db-error');
  });
});
