// What a run of `npm run fuzz` starts and must end, whatever happens: the database server, the
// cell workers, the run lock, the report folders it created. Owned by one object, cleaned up once,
// also on a signal or when the process that started chatfuzz goes away.
import { rmdir } from 'node:fs/promises';
import { stopAllServers } from '../contract/start-server.js';
import type { DatabaseServer } from '../db/database-server.js';
import type { HeldRunLock } from '../db/leftovers/hold-database-run-lock.js';
import { redactSecrets } from '../db/redact-url.js';
import { createdDatabases, dropDatabasesOfRun, dropRunDatabase } from '../db/run-database.js';
import { SIGNAL_EXIT_CODES, type InterruptSignal } from '../run/interrupted-results.js';
import type { CliIo } from './cli-io.js';
import type { CellWorkerPool } from './workers/cell-worker-pool.js';

/** A run's resources; set each field as it is started, call close() once at the end (it waits for a clean-up a signal began). */
export class RunResources {
  /** The database server being started; `server` once it is up. */
  starting?: Promise<DatabaseServer>;
  server?: DatabaseServer;
  workers?: CellWorkerPool;
  runId?: string;
  runLock?: HeldRunLock;
  /** What never reaches the output (the server's password). */
  secrets: readonly string[] = [];
  /** Report folders this run created and has not written yet: removed again when they stay empty. */
  createdReportDirs: string[] = [];
  /** The exit code of a signal that stopped the run. */
  interrupted?: number;
  /** Once the cells run: what an interruption still writes (the finished cells' verdicts). */
  partial?: { write(signal: InterruptSignal): Promise<void> };
  private cleaning?: Promise<void>;
  // An interrupted run's report being written: the clean-up (which removes empty report folders) waits for it.
  private writing?: Promise<void>;
  private readonly onSignal = (signal: NodeJS.Signals) =>
    this.stop(
      signal,
      SIGNAL_EXIT_CODES[signal as InterruptSignal] ?? 130,
      signal in SIGNAL_EXIT_CODES ? (signal as InterruptSignal) : 'SIGINT',
    );
  private readonly parentWatch: NodeJS.Timeout;

  constructor(private readonly io: CliIo) {
    for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.once(signal, this.onSignal);
    // `npm run` and `npx` start chatfuzz through `sh -c`: a SIGTERM to npm ends the shell and npm but
    // never reaches this process, which would run on orphaned. A new parent pid says so.
    const parent = process.ppid;
    this.parentWatch = setInterval(() => {
      if (process.ppid !== parent) this.stop(`the process that started it (pid ${parent}) has ended`, 143, 'SIGTERM');
    }, 250);
    this.parentWatch.unref();
  }

  /** Writes a line to stderr with the secrets removed. */
  err(s: string): void {
    this.io.stderr.write(redactSecrets(s, [...this.secrets]) + '\n');
  }

  /** Ends everything the run started; the first call does the work, later ones wait for it. */
  close(): Promise<void> {
    for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.off(signal, this.onSignal);
    clearInterval(this.parentWatch);
    return this.cleanUpOnce();
  }

  private stop(why: string, code: number, signal: InterruptSignal): void {
    if (this.interrupted !== undefined) return;
    this.interrupted = code;
    this.err(`\nchatfuzz: ${why}: dropping the run's databases and stopping its server…`);
    // The report is written first: its case files are already there, and the clean-up may take a while.
    const written = (this.partial?.write(signal) ?? Promise.resolve()).catch((e) => {
      this.err(`chatfuzz: could not write the interrupted run's report: ${(e as Error).message}`);
    });
    this.writing = written;
    void written.finally(() => this.cleanUpOnce()).finally(() => process.exit(code));
  }

  private cleanUpOnce(): Promise<void> {
    return (this.cleaning ??= (async () => {
      await this.writing;
      await this.cleanUp();
      // A run that ended before its report leaves no empty folders behind (rmdir keeps any with files in them).
      for (const d of this.createdReportDirs.reverse()) await rmdir(d).catch(() => {});
    })());
  }

  private async cleanUp(): Promise<void> {
    // Target servers first (also on Ctrl-C): their connections would keep the run's databases from being dropped.
    await Promise.all([stopAllServers(), this.workers?.close()]);
    // A server still starting is waited for, so it is stopped too.
    const server = await Promise.resolve(this.server ?? this.starting).catch(() => undefined);
    if (!server) return;
    for (const name of createdDatabases()) await dropRunDatabase(server, name).catch(() => {});
    // What a worker created and could not drop (it was killed, or its target crashed it), and a
    // database whose CREATE was still in flight when the list above was taken (a signal as a cell starts).
    if (this.runId) await dropDatabasesOfRun(server, this.runId).catch(() => {});
    // Let go only now: until its databases are gone the run must not look dead.
    await this.runLock?.release();
    await server.stop();
  }
}
