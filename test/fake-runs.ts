import crypto from 'node:crypto';
import pg from 'pg';
import { withDatabase, type DatabaseServer } from '../harness/db/database-server.js';
import { holdRunLock, type HeldRunLock } from '../harness/db/leftovers/hold-database-run-lock.js';

/** A run id of this chatfuzz's form, random so test files sharing a server never collide; `second` tells runs of one file apart. */
export function fakeRunId(second = 0): string {
  return `20200101_0000${String(second).padStart(2, '0')}_${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * Databases that look like other chatfuzz runs' on the test server: created by `create`, a run made
 * live by holding its lock (`holdLock`), a database kept in use by a session (`openSession`);
 * `drop()` ends all of it and drops every database it created, whatever a test did meanwhile.
 */
export class FakeRuns {
  private readonly locks: HeldRunLock[] = [];
  private readonly sessions: pg.Client[] = [];

  private constructor(
    readonly server: DatabaseServer,
    readonly admin: pg.Client,
    readonly databases: readonly string[],
  ) {}

  /** Creates `databases` (any names) on `server`. */
  static async create(server: DatabaseServer, databases: readonly string[]): Promise<FakeRuns> {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    for (const name of databases) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    return new FakeRuns(server, admin, databases);
  }

  /** Holds run `runId`'s lock, as a live run does. */
  async holdLock(runId: string): Promise<void> {
    this.locks.push(await holdRunLock(this.server, runId));
  }

  /** Opens a session on `database`, as a worker of a run still going would. */
  async openSession(database: string): Promise<void> {
    const c = new pg.Client({ connectionString: withDatabase(this.server.adminUrl, database) });
    await c.connect();
    this.sessions.push(c);
  }

  /** Which of the created databases exist now, sorted. */
  async existing(): Promise<string[]> {
    return (
      await this.admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY 1', [this.databases])
    ).rows.map((r) => r.datname);
  }

  /** Ends the sessions and locks, and drops every database created. */
  async drop(): Promise<void> {
    for (const s of this.sessions) await s.end().catch(() => {});
    for (const l of this.locks) await l.release();
    for (const name of this.databases) await this.admin.query(`DROP DATABASE IF EXISTS ${this.admin.escapeIdentifier(name)} WITH (FORCE)`);
    await this.admin.end();
  }
}
