import crypto from 'node:crypto';
import pg from 'pg';

const ITERATIONS = 4096;

/** The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, PostgreSQL's text form). */
function scramVerifier(password: string): string {
  const salt = crypto.randomBytes(16);
  const salted = crypto.pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const hmac = (text: string) => crypto.createHmac('sha256', salted).update(text).digest();
  const storedKey = crypto.createHash('sha256').update(hmac('Client Key')).digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${hmac('Server Key').toString('base64')}`;
}

/**
 * Sets the postgres role's password over the unix socket in `socketDir`; only a verifier is sent, so
 * the password itself never reaches the server (nor its log).
 */
export async function setPostgresPassword(socketDir: string, port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(scramVerifier(password))}`);
  } finally {
    await client.end().catch(() => {});
  }
}
