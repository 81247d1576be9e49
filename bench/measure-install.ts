// `npm run bench:install`: what installing chatfuzz costs an app. Packs this checkout, installs the
// tarball as a dev dependency of an empty project in a fresh mkdtemp folder (0700, as `mktemp -d`
// makes it; run as root that is the case the embedded server must handle), prints the packages and
// bytes it added and the install scripts in the tree, then runs `npx chatfuzz` on a built-in target
// there, on the embedded server. Exit 0 when every goal is met, 1 when one is not.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

/** The goals of issue 27 for `npm install -D chatfuzz` into an empty project. */
export const INSTALL_GOALS = { maxPackages: 40, maxBytes: 100 * 1024 * 1024 } as const;

/** The environment for npm and chatfuzz in the user's project: none of the npm_* settings of an `npm run`/`npm test` around us, no DATABASE_URL. */
export function userProjectEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_/i.test(k) && k !== 'DATABASE_URL' && k !== 'INIT_CWD'));
}

/** What an install put in `project`'s node_modules: packages (npm's lockfile entries), bytes on disk, and the packages with install scripts. */
export interface InstallFootprint {
  packages: string[];
  bytes: number;
  installScripts: string[];
}

/** Reads node_modules/.package-lock.json (npm's record of the installed tree) and sums the bytes of every file under node_modules. */
export function installFootprint(project: string): InstallFootprint {
  const lock = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; link?: boolean }>;
  };
  const entries = Object.entries(lock.packages).filter(([p, e]) => p.startsWith('node_modules/') && !e.link);
  const name = (p: string) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return {
    packages: entries.map(([p]) => name(p)).sort(),
    bytes: du(path.join(project, 'node_modules')),
    installScripts: entries
      .filter(([, e]) => e.hasInstallScript)
      .map(([p]) => name(p))
      .sort(),
  };
}

function du(dir: string): number {
  let total = 0;
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) total += du(p);
    else if (d.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** Packs this checkout into `dir` and returns the tarball's path. */
export async function packChatfuzz(dir: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, env: userProjectEnv() });
  return path.join(dir, stdout.trim().split('\n').at(-1)!);
}

/** The lifecycle scripts of chatfuzz's own package.json that npm would run when a project installs it. */
export function ownInstallScripts(pkg: { scripts?: Record<string, string> }): string[] {
  return ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'preprepare', 'postprepare'].filter(
    (s) => pkg.scripts?.[s] !== undefined,
  );
}

async function main(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-install-'));
  try {
    const env = userProjectEnv();
    const tarball = await packChatfuzz(dir);
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'empty-app', version: '1.0.0', private: true }, null, 2) + '\n',
    );
    let t = Date.now();
    const install = await run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', tarball], { cwd: app, env, timeout: 600_000 });
    const installMs = Date.now() - t;
    const f = installFootprint(app);
    const own = ownInstallScripts(JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'chatfuzz', 'package.json'), 'utf8')));
    const npmWarning = /install scripts not yet covered by allowScripts:[\s\S]*?\bchatfuzz\b/.test(install.stdout + install.stderr);
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    console.log(`folder: ${dir} (mode ${(fs.statSync(dir).mode & 0o777).toString(8)}, uid ${process.getuid?.()})`);
    console.log(
      `installed: ${f.packages.length} packages (goal ≤ ${INSTALL_GOALS.maxPackages}), ${mb(f.bytes)} (goal ≤ ${mb(INSTALL_GOALS.maxBytes)}), in ${(installMs / 1000).toFixed(1)} s`,
    );
    console.log(`  ${f.packages.join(' ')}`);
    console.log(
      `chatfuzz's own install scripts: ${own.join(', ') || 'none'}${npmWarning ? ' (npm lists chatfuzz among scripts not covered by allowScripts)' : ''}`,
    );
    console.log(
      `packages in the tree with install scripts (npm runs them only where the project's allowScripts says so): ${f.installScripts.join(', ') || 'none'}`,
    );
    t = Date.now();
    const args = [
      '--no-install',
      'chatfuzz',
      '--target',
      'upsert',
      '--scenario',
      'multi-message-first-request',
      '--runs',
      '5',
      '--seed',
      '1',
      '--report',
      'chatfuzz-report',
    ];
    const fuzz = await run('npx', args, { cwd: app, env: { ...env, NO_COLOR: '1' }, timeout: 300_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e) => ({ code: e.code as number, stdout: String(e.stdout), stderr: String(e.stderr) }),
    );
    console.log(`npx ${args.slice(1).join(' ')}: exit ${fuzz.code} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (fuzz.code !== 0) console.log(fuzz.stdout + fuzz.stderr);
    const ok =
      f.packages.length <= INSTALL_GOALS.maxPackages &&
      f.bytes <= INSTALL_GOALS.maxBytes &&
      own.length === 0 &&
      !npmWarning &&
      fuzz.code === 0;
    console.log(ok ? 'every goal met' : 'a goal is not met');
    return ok ? 0 : 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) process.exitCode = await main();
