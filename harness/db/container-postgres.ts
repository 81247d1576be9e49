import { InfraError } from '../errors.js';
import { requirePackages } from '../require-packages.js';
import type { DatabaseServer } from './database-server.js';
import { readServerVersion } from './server-version.js';

/** The image `--db container` runs; the same pin as docker-compose.yml. */
export const POSTGRES_IMAGE = 'postgres:16.6-alpine';

/** Starts PostgreSQL in a Testcontainers container; without a Docker engine it fails with exit 3. */
export async function startContainerPostgres(): Promise<DatabaseServer> {
  // Optional peer dependencies: only this provider needs Docker's client libraries.
  requirePackages(['testcontainers', '@testcontainers/postgresql'], '--db container');
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (e) {
    throw new InfraError(
      `--db container needs a running Docker engine, and none answered (${firstLine(e)}). ` +
        'Use the embedded PostgreSQL (omit --db) or a running server (--db postgres://user@host:5432/db).',
      { cause: e },
    );
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  let container;
  try {
    container = await new PostgreSqlContainer(POSTGRES_IMAGE)
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off'])
      .start();
  } catch (e) {
    throw new InfraError(`could not start the PostgreSQL container ${POSTGRES_IMAGE}: ${firstLine(e)}`, { cause: e });
  }
  const adminUrl = container.getConnectionUri();
  const stop = async () => {
    await container.stop().catch(() => {});
  };
  try {
    const serverVersion = await readServerVersion(adminUrl);
    return { kind: 'container', adminUrl, serverVersion, secrets: [container.getPassword()], stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}
