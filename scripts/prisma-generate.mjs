// Generates the Prisma clients of prisma/*.prisma into prisma/generated/<name>/ (git-ignored).
// Runs on first use from a Prisma target (ensurePrismaClient) and before the type check
// (`npm run typecheck`, `npm run prisma:generate`), with no hand steps and without network access.
// Not an install script: a project that installs chatfuzz runs none of chatfuzz's (issue 27).
// A client is regenerated only when its schema or the Prisma version changed (a stamp file
// records both), and a lock directory keeps two processes from generating the same client at once.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PRISMA_DIR = path.join(ROOT, 'prisma');
const GENERATED = path.join(PRISMA_DIR, 'generated');
const STAMP = '.chatfuzz-stamp';
const LOCK_STALE_MS = 120_000;

function prismaCli() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const pkg = require.resolve('prisma/package.json');
  return { cli: path.join(path.dirname(pkg), 'build', 'index.js'), version: JSON.parse(fs.readFileSync(pkg, 'utf8')).version };
}

function stampOf(schemaFile, version) {
  return createHash('sha256').update(version).update('\0').update(fs.readFileSync(schemaFile)).digest('hex');
}

/** The schema names under prisma/ (assistant-logging, canonical, …). */
export function prismaSchemaNames() {
  return fs
    .readdirSync(PRISMA_DIR)
    .filter((f) => f.endsWith('.prisma'))
    .map((f) => f.slice(0, -'.prisma'.length))
    .sort();
}

/** Whether prisma/generated/<name> holds a client generated from the current schema by the installed Prisma. */
export function isPrismaClientFresh(name) {
  const { version } = prismaCli();
  const stampFile = path.join(GENERATED, name, STAMP);
  return fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stampOf(path.join(PRISMA_DIR, `${name}.prisma`), version);
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock(name, fn) {
  fs.mkdirSync(GENERATED, { recursive: true });
  const lock = path.join(GENERATED, `.${name}.lock`);
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock older than any generation is left over from a killed process.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS || Date.now() > deadline) fs.rmSync(lock, { recursive: true, force: true });
      else sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Generates the client of prisma/<name>.prisma unless it is fresh; throws with Prisma's output when generation fails. */
export function ensurePrismaClient(name, { quiet = true } = {}) {
  if (isPrismaClientFresh(name)) return false;
  return withLock(name, () => {
    if (isPrismaClientFresh(name)) return false;
    const { cli, version } = prismaCli();
    const schemaFile = path.join(PRISMA_DIR, `${name}.prisma`);
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
    // `prisma generate` only checks that a schema engine exists, it never runs it, and downloading
    // one needs the network: any existing file will do when the real engine is not installed.
    if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !hasSchemaEngine()) env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(import.meta.url);
    fs.rmSync(path.join(GENERATED, name), { recursive: true, force: true });
    try {
      execFileSync(process.execPath, [cli, 'generate', '--schema', schemaFile], { cwd: ROOT, env, stdio: quiet ? 'pipe' : 'inherit' });
    } catch (e) {
      const out = [e.stdout, e.stderr].filter(Boolean).map(String).join('\n').trim();
      throw new Error(`prisma generate failed for prisma/${name}.prisma${out ? `:\n${out}` : ''}`);
    }
    fs.writeFileSync(path.join(GENERATED, name, STAMP), stampOf(schemaFile, version));
    return true;
  });
}

function hasSchemaEngine() {
  try {
    const require = createRequire(path.join(ROOT, 'package.json'));
    const dir = path.dirname(require.resolve('@prisma/engines/package.json'));
    return fs.readdirSync(dir).some((f) => f.startsWith('schema-engine'));
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    for (const name of prismaSchemaNames()) {
      const generated = ensurePrismaClient(name);
      console.log(`prisma/${name}.prisma: ${generated ? 'client generated' : 'client up to date'} (prisma/generated/${name})`);
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
