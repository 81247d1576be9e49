import { inject } from 'vitest';
import type { DatabaseServer } from '../harness/db/database-server.js';

/** The suite's PostgreSQL as a DatabaseServer the harness can create run databases on. */
export function testServer(): DatabaseServer {
  return { kind: 'url', adminUrl: inject('pgAdminUrl'), serverVersion: 'test', secrets: [], stop: async () => {} };
}

/** The machine's PostgreSQL 15 (trust auth), for tests that must show nothing outside the run is touched. */
export const MACHINE_PG = process.env.CHATFUZZ_MACHINE_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
