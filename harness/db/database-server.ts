/** A PostgreSQL server the run may create its own databases on. */
export interface DatabaseServer {
  kind: 'url' | 'embedded' | 'container';
  /** Connection string of a database the run connects to for CREATE/DROP DATABASE. */
  adminUrl: string;
  serverVersion: string;
  /** Passwords to keep out of every output. */
  secrets: string[];
  /** How CREATE DATABASE copies a template (PostgreSQL 15+); unset: the server's default (WAL_LOG), which spares a shared server FILE_COPY's checkpoints. */
  copyStrategy?: 'FILE_COPY' | 'WAL_LOG';
  /** Where an embedded server keeps its files (removed by stop()). */
  dataDir?: string;
  /** Stops what the run started (embedded, container); a no-op for a user's server. */
  stop(): Promise<void>;
}

/** Replaces the database name of a connection string. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}
