import type { TestProject } from 'vitest/node';
import { startDatabaseServer } from '../harness/db/start-database-server.js';
import type { DatabaseServer } from '../harness/db/database-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgKind: string;
  }
}

let server: DatabaseServer | undefined;

/** One PostgreSQL for the whole suite: CHATFUZZ_TEST_DB / DATABASE_URL when set, else an embedded server. */
export async function setup(project: TestProject) {
  server = await startDatabaseServer(process.env.CHATFUZZ_TEST_DB ?? process.env.DATABASE_URL ?? 'embedded', {});
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgKind', server.kind);
}

export async function teardown() {
  await server?.stop();
}
