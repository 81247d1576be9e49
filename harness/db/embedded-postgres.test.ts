import fs from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { createRunDatabase, createdDatabases } from './run-database.js';

describe('startEmbeddedPostgres', () => {
  it('starts a throwaway PostgreSQL 18, and stop() removes its data directory', async () => {
    const hooks = [process.listenerCount('beforeExit'), process.listenerCount('exit')];
    const server = await startEmbeddedPostgres();
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
    const probe = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 1000 });
    probe.on('error', () => {});
    await expect(probe.connect()).rejects.toThrow();
  });
});
