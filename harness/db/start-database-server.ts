// db: the PostgreSQL a run uses and the databases it creates there. Starts or reaches a server
// (embedded, a URL, Testcontainers), creates one database per cell and drops only what it
// created (run-database.ts), applies a target's schema (apply-schema.ts) and keeps passwords
// out of output (redact-url.ts). Hands on: a DatabaseServer and RunDatabases.
import { UsageError } from '../errors.js';
import type { DatabaseServer } from './database-server.js';
import { readServerVersion } from './server-version.js';

/**
 * Picks the server from `--db` (URL, `embedded`, `container`) or `DATABASE_URL`, embedded when neither is set.
 */
export async function startDatabaseServer(db: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<DatabaseServer> {
  const choice = db || env.DATABASE_URL || 'embedded';
  if (choice === 'embedded') {
    const { startEmbeddedPostgres } = await import('./embedded/embedded-postgres.js');
    return startEmbeddedPostgres();
  }
  if (choice === 'container') {
    const { startContainerPostgres } = await import('./container-postgres.js');
    return startContainerPostgres();
  }
  if (!/^postgres(ql)?:\/\//.test(choice)) {
    throw new UsageError(`--db must be a postgres:// URL, "embedded" or "container" (got "${choice.replace(/:[^@/]*@/, ':***@')}")`);
  }
  const serverVersion = await readServerVersion(choice);
  const password = safePassword(choice);
  return {
    kind: 'url',
    adminUrl: choice,
    serverVersion,
    secrets: password ? [password, encodeURIComponent(password)] : [],
    stop: async () => {},
  };
}

function safePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
