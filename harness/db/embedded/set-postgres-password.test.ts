import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { setPostgresPassword } from './set-postgres-password.js';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-password-test-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

async function connects(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => {});
  return c.connect().then(
    () => c.end().then(() => true),
    () => false,
  );
}

describe('setPostgresPassword', () => {
  it('sets the password over the unix socket, storing only a SCRAM verifier of it', async () => {
    const server = await startEmbeddedPostgres({ cacheDir });
    try {
      const url = new URL(server.adminUrl);
      await setPostgresPassword(server.dataDir!, Number(url.port), 'a-new-password');
      expect(await connects(server.adminUrl)).toBe(false);
      url.password = 'a-new-password';
      expect(await connects(url.toString())).toBe(true);
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      const { rows } = await c.query(`SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'`);
      await c.end();
      expect(rows[0].rolpassword).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      expect(rows[0].rolpassword).not.toContain('a-new-password');
    } finally {
      await server.stop();
    }
  });
});
