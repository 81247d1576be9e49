import pg from 'pg';
import { InfraError } from '../errors.js';
import { redactUrl } from './redact-url.js';

/** Connects once to check the server answers; returns e.g. `PostgreSQL 15.20`. */
export async function readServerVersion(url: string, timeoutMs = 5000): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    const r = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${r.rows[0]!.server_version.split(' ')[0]}`;
  } catch (e) {
    throw new InfraError(
      `cannot reach PostgreSQL at ${redactUrl(url)}: ${(e as Error).message || String(e)}. ` +
        'Start the server, fix --db / DATABASE_URL, or omit both to use the embedded PostgreSQL.',
      { cause: e },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
