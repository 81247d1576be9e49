// startEmbeddedPostgres on real servers: a warm start from the data dir cache, the fall-back to
// initdb when the cache is bad, the password every run sets for itself, and what the next run does
// with the server and dir of a run killed with SIGKILL.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirCache } from './data-dir-cache.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { createRunDatabase, createdDatabases } from '../run-database.js';
import { runningProcess } from '../running-process.js';
import { serverOsUser } from './server-os-user.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-embedded-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const newCacheDir = () => path.join(scratch, `cache-${n++}`);

async function query<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end().catch(() => {});
  }
}

/** initdb gives each cluster its own system identifier; a copied data dir keeps it. */
const systemIdentifier = async (url: string) =>
  (await query<{ id: string }>(url, 'SELECT system_identifier::text AS id FROM pg_control_system()'))[0]!.id;

/** The one entry of a cache dir (its `data/` and marker). */
function cacheEntry(cacheDir: string): string {
  const root = path.join(cacheDir, 'embedded-postgres');
  const entries = fs.readdirSync(root).filter((e) => !e.startsWith('.'));
  expect(entries).toHaveLength(1);
  return path.join(root, entries[0]!);
}

/** The system identifier of the cluster a cache entry holds: the first 8 bytes of pg_control. */
const cachedIdentifier = (cacheDir: string) =>
  fs
    .readFileSync(path.join(cacheEntry(cacheDir), 'data/global/pg_control'))
    .readBigUInt64LE(0)
    .toString();

/** What a valid entry of `cacheDir` was made from (what startEmbeddedPostgres asks the cache for). */
const cacheInputs = (cacheDir: string) =>
  JSON.parse(fs.readFileSync(path.join(cacheEntry(cacheDir), 'chatfuzz-cache.json'), 'utf8')).inputs;

async function cacheValid(cacheDir: string, inputs: Record<string, unknown>): Promise<boolean> {
  const cache = new DataDirCache(path.join(cacheDir, 'embedded-postgres'), inputs);
  expect(cache.dir).toBe(cacheEntry(cacheDir));
  return cache.valid();
}

const ALARMING = /\b(FATAL|PANIC|ERROR|WARNING)\b/;

describe('startEmbeddedPostgres', () => {
  it('starts a throwaway PostgreSQL 18, and stop() removes its data directory', async () => {
    const hooks = [process.listenerCount('beforeExit'), process.listenerCount('exit')];
    const server = await startEmbeddedPostgres({ cacheDir: newCacheDir() });
    // The package's exit hooks would exit with 0 (or crash) whatever process.exitCode says; they must not stay installed.
    expect([process.listenerCount('beforeExit'), process.listenerCount('exit')]).toEqual(hooks);
    expect(fs.existsSync(server.dataDir!)).toBe(true);
    expect(server.kind).toBe('embedded');
    expect(server.serverVersion).toMatch(/^PostgreSQL 18\./);
    const db = await createRunDatabase(server, `chatfuzz_embedded_${process.pid}`);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const fsync = await c.query('SHOW fsync');
    expect(fsync.rows[0].fsync).toBe('off');
    await c.end();
    await db.drop();
    expect(createdDatabases()).not.toContain(db.name);
    await server.stop();
    expect(fs.existsSync(server.dataDir!)).toBe(false);
    expect(fs.existsSync(path.dirname(server.dataDir!))).toBe(false);
    const probe = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 1000 });
    probe.on('error', () => {});
    await expect(probe.connect()).rejects.toThrow();
  });

  it('starts warm from the cached cluster once a cold start has filled the cache', async () => {
    const cacheDir = newCacheDir();
    const cold = await startEmbeddedPostgres({ cacheDir });
    const coldId = await systemIdentifier(cold.adminUrl);
    await cold.stop();
    // The cache holds the cluster initdb made for the cold start, as it was before that server ran.
    expect(cachedIdentifier(cacheDir)).toBe(coldId);
    const marker = fs.statSync(path.join(cacheEntry(cacheDir), 'chatfuzz-cache.json'));

    const warm = await startEmbeddedPostgres({ cacheDir });
    try {
      expect(await systemIdentifier(warm.adminUrl)).toBe(coldId);
      expect(await query(warm.adminUrl, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      // Copied, not shared: the server writes into its own dir, and the entry was not rewritten.
      expect(warm.dataDir!.startsWith(cacheDir)).toBe(false);
      expect(fs.statSync(path.join(cacheEntry(cacheDir), 'chatfuzz-cache.json')).mtimeMs).toBe(marker.mtimeMs);
      // PostgreSQL's own rules as the user it runs as: the data dir is that user's, and private.
      const owner = await serverOsUser();
      const st = fs.statSync(warm.dataDir!);
      expect(st.mode & 0o777).toBe(0o700);
      expect(st.uid).toBe(owner?.uid ?? process.getuid!());
      expect(fs.statSync(path.join(warm.dataDir!, 'global/pg_control')).uid).toBe(owner?.uid ?? process.getuid!());
    } finally {
      await warm.stop();
    }
    expect(await cacheValid(cacheDir, cacheInputs(cacheDir))).toBe(true);
  });

  it('gives every run its own password and lets nobody in over TCP without it', async () => {
    const cacheDir = newCacheDir();
    const a = await startEmbeddedPostgres({ cacheDir });
    const b = await startEmbeddedPostgres({ cacheDir });
    try {
      expect(await systemIdentifier(a.adminUrl)).toBe(await systemIdentifier(b.adminUrl));
      expect(a.secrets[0]).not.toBe(b.secrets[0]);
      const withPassword = (url: string, password: string) => {
        const u = new URL(url);
        u.password = password;
        return u.toString();
      };
      await expect(query(withPassword(b.adminUrl, a.secrets[0]!), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
      const rules = await query<{ type: string; auth_method: string }>(b.adminUrl, 'SELECT type, auth_method FROM pg_hba_file_rules');
      expect(rules.filter((r) => r.type !== 'local').map((r) => r.auth_method)).toEqual(['scram-sha-256', 'scram-sha-256']);
      expect(await query(b.adminUrl, `SHOW listen_addresses`)).toEqual([{ listen_addresses: '127.0.0.1' }]);
      // As a cluster from the cache is until its run sets the password: no password, and TCP lets nobody in.
      const socket = new pg.Client({ host: b.dataDir, port: Number(new URL(b.adminUrl).port), user: 'postgres', database: 'postgres' });
      await socket.connect();
      await socket.query('ALTER ROLE postgres PASSWORD NULL');
      await socket.end();
      for (const guess of [b.secrets[0]!, 'postgres', 'password']) {
        await expect(query(withPassword(b.adminUrl, guess), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
      }
    } finally {
      await a.stop();
      await b.stop();
    }
    // The cache holds no credential: no SCRAM verifier, neither run's password.
    const data = path.join(cacheEntry(cacheDir), 'data');
    for (const file of fs.readdirSync(data, { recursive: true, encoding: 'utf8' })) {
      const p = path.join(data, file);
      if (!fs.statSync(p).isFile()) continue;
      const bytes = fs.readFileSync(p);
      for (const secret of ['SCRAM-SHA-256$', a.secrets[0]!, b.secrets[0]!])
        expect(bytes.includes(secret), `${file} holds ${secret}`).toBe(false);
    }
  });

  describe('a bad warm-start cache falls back to initdb, quietly, and is replaced', () => {
    const pristine = newCacheDir();
    beforeAll(async () => {
      await (await startEmbeddedPostgres({ cacheDir: pristine })).stop();
    });

    const corruptions: [string, (entry: string) => void][] = [
      ['global/pg_control deleted', (e) => fs.rmSync(path.join(e, 'data/global/pg_control'))],
      [
        'a file truncated',
        (e) => {
          const file = path.join(e, 'data/global/1260');
          fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
        },
      ],
      [
        'a byte changed in pg_control (same size)',
        (e) => {
          const file = path.join(e, 'data/global/pg_control');
          const b = fs.readFileSync(file);
          b[0]! ^= 0xff;
          fs.writeFileSync(file, b);
        },
      ],
      [
        'the marker is for another server version',
        (e) => {
          const file = path.join(e, 'chatfuzz-cache.json');
          const marker = JSON.parse(fs.readFileSync(file, 'utf8'));
          marker.inputs.server = 'postgres (PostgreSQL) 17.6';
          fs.writeFileSync(file, JSON.stringify(marker));
        },
      ],
      ['no marker (a store killed before it wrote one)', (e) => fs.rmSync(path.join(e, 'chatfuzz-cache.json'))],
      [
        'a torn marker',
        (e) => {
          const file = path.join(e, 'chatfuzz-cache.json');
          fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
        },
      ],
      ['an entry with no data/', (e) => fs.rmSync(path.join(e, 'data'), { recursive: true })],
    ];

    it.each(corruptions)('%s', async (_, corrupt) => {
      const cacheDir = newCacheDir();
      fs.cpSync(pristine, cacheDir, { recursive: true });
      const before = cachedIdentifier(cacheDir);
      const inputs = cacheInputs(cacheDir);
      corrupt(cacheEntry(cacheDir));
      expect(await cacheValid(cacheDir, inputs)).toBe(false);

      const lines: string[] = [];
      const server = await startEmbeddedPostgres({ cacheDir, log: (l) => lines.push(l) });
      let fresh: string;
      try {
        expect(await query(server.adminUrl, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
        fresh = await systemIdentifier(server.adminUrl);
        expect(fresh).not.toBe(before);
      } finally {
        await server.stop();
      }
      expect(lines.join('')).not.toMatch(ALARMING);
      expect(await cacheValid(cacheDir, inputs)).toBe(true);
      expect(cachedIdentifier(cacheDir)).toBe(fresh!);
      // Nothing half-made is left beside the entry.
      expect(fs.readdirSync(path.join(cacheDir, 'embedded-postgres'))).toHaveLength(1);

      const again = await startEmbeddedPostgres({ cacheDir });
      try {
        expect(await systemIdentifier(again.adminUrl)).toBe(fresh!);
      } finally {
        await again.stop();
      }
    });
  });

  it('reclaims what a SIGKILLed run left (its server and dir), and leaves a live run alone', async () => {
    const cacheDir = newCacheDir();
    const mine = await startEmbeddedPostgres({ cacheDir });
    const run = await runInChild(cacheDir);
    try {
      const workers = childrenOf(run.postmasterPid);
      expect(workers.length).toBeGreaterThan(0);
      await run.kill();
      // The leak: the killed run's server outlives it.
      expect(runningProcess(run.postmasterPid)).toBeDefined();

      const next = await startEmbeddedPostgres({ cacheDir });
      try {
        expect([run.postmasterPid, ...workers].filter((pid) => runningProcess(pid))).toEqual([]);
        expect(fs.existsSync(path.dirname(run.dataDir))).toBe(false);
        // This process lives: its server and dir are untouched.
        expect(fs.existsSync(path.join(mine.dataDir!, 'postmaster.pid'))).toBe(true);
        expect(await query(mine.adminUrl, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        await next.stop();
      }
    } finally {
      await run.cleanUp();
      await mine.stop();
    }
  });

  it('removes the dir of a run killed with its whole process group at once, not a minute later', async () => {
    const cacheDir = newCacheDir();
    const run = await runInChild(cacheDir, { group: true });
    try {
      await run.kill();
      expect(fs.existsSync(run.dataDir)).toBe(true);
      const next = await startEmbeddedPostgres({ cacheDir });
      await next.stop();
      expect(fs.existsSync(path.dirname(run.dataDir))).toBe(false);
      expect(runningProcess(run.postmasterPid)).toBeUndefined();
    } finally {
      await run.cleanUp();
    }
  });
});

/**
 * Starts an embedded server in a child node process (its own process group with `group`), which
 * reports its data dir and postmaster pid; kill() SIGKILLs the child (or its group) and waits for it.
 */
async function runInChild(cacheDir: string, options: { group?: boolean } = {}) {
  const script = `
    import fs from 'node:fs';
    import { startEmbeddedPostgres } from ${JSON.stringify(pathToFileURL(path.join(import.meta.dirname, 'embedded-postgres.ts')).href)};
    const s = await startEmbeddedPostgres();
    const postmasterPid = Number(fs.readFileSync(s.dataDir + '/postmaster.pid', 'utf8').split('\\n')[0]);
    console.log(JSON.stringify({ dataDir: s.dataDir, postmasterPid }));
    setInterval(() => {}, 1 << 30);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, CHATFUZZ_CACHE_DIR: cacheDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group,
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const kill = async () => {
    if (exited()) return;
    const gone = once(child, 'exit');
    if (options.group) process.kill(-child.pid!, 'SIGKILL');
    else child.kill('SIGKILL');
    await gone;
  };
  try {
    const report = await new Promise<{ dataDir: string; postmasterPid: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child.on('exit', (code) => reject(new Error(`the child exited (${code}) before it reported its server: ${stderr}`)));
    });
    return {
      ...report,
      kill,
      /** Whatever a failed test left running. */
      cleanUp: async () => {
        await kill();
        if (runningProcess(report.postmasterPid)) process.kill(report.postmasterPid, 'SIGQUIT');
      },
    };
  } catch (e) {
    await kill();
    throw e;
  }
}

/** The processes whose parent is `pid` (a postmaster's are its server processes). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return kids;
}
