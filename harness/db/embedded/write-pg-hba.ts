import fs from 'node:fs/promises';
import path from 'node:path';

// The unix socket is created inside the data dir (unix_socket_directories), which is mode 0700: only
// the server's own OS user and root can reach it, the same who can read the data files anyway.
const PG_HBA = `# Written by chatfuzz for every run.
local   all   postgres                 trust
host    all   all        127.0.0.1/32  scram-sha-256
host    all   all        ::1/128       scram-sha-256
`;

/**
 * Makes `dataDir`'s pg_hba.conf let the postgres role in without a password only over the unix socket
 * inside that private data dir, and ask every TCP connection for a scram-sha-256 password.
 */
export async function writePgHba(dataDir: string, owner?: { uid: number; gid: number }): Promise<void> {
  const file = path.join(dataDir, 'pg_hba.conf');
  await fs.writeFile(file, PG_HBA, { mode: 0o600 });
  await fs.chmod(file, 0o600);
  if (owner) await fs.chown(file, owner.uid, owner.gid);
}
