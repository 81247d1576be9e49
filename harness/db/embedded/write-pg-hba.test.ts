import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serverOsUser } from './server-os-user.js';
import { writePgHba } from './write-pg-hba.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-pg-hba-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writePgHba', () => {
  it('trusts only the postgres role on the unix socket, and asks scram-sha-256 of every TCP connection', async () => {
    fs.writeFileSync(path.join(dir, 'pg_hba.conf'), 'host all all 0.0.0.0/0 trust\n');
    const owner = await serverOsUser();
    await writePgHba(dir, owner);
    const file = path.join(dir, 'pg_hba.conf');
    const rules = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split(/\s+/));
    expect(rules.filter((r) => r.at(-1) === 'trust')).toEqual([['local', 'all', 'postgres', 'trust']]);
    expect(rules.filter((r) => r[0] !== 'local').every((r) => r[0] === 'host' && r.at(-1) === 'scram-sha-256')).toBe(true);
    const st = fs.statSync(file);
    expect([st.mode & 0o777, st.uid]).toEqual([0o600, owner?.uid ?? process.getuid!()]);
  });
});
