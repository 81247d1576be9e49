// The cache on real files: what restore() copies, what makes it refuse an entry, and how store()
// publishes (atomically, keeping a valid entry, replacing a bad one, cleaning after killed stores).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTree } from '../../../test/write-tree.js';
import { DataDirCache } from './data-dir-cache.js';
import { serverOsUser } from './server-os-user.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-data-dir-cache-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (what: string) => path.join(root, `${what}-${n++}`);
const INPUTS = { server: 'postgres (PostgreSQL) 18.4', initdb: ['--no-sync'] };

/** A stand-in data dir: the two files a cluster cannot be without, more files, and an empty dir. */
function dataDir(tag = 'a'): string {
  const dir = writeTree(root, `source-${n++}`, {
    PG_VERSION: '18\n',
    'global/pg_control': crypto.randomBytes(8192).toString('latin1'),
    'base/1/1259': `relation ${tag}`.repeat(1000),
    'postgresql.conf': `# ${tag}\n`,
  });
  fs.mkdirSync(path.join(dir, 'pg_tblspc'));
  return dir;
}

/** Every path under `dir` with a file's bytes (null for a dir). */
function tree(dir: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = path.join(dir, rel);
    out[rel] = fs.statSync(p).isDirectory() ? null : fs.readFileSync(p, 'latin1');
  }
  return out;
}

async function restored(cache: DataDirCache): Promise<Record<string, string | null>> {
  const target = fresh('target');
  fs.mkdirSync(target);
  await cache.restore(target);
  return tree(target);
}

async function stored(source = dataDir()): Promise<DataDirCache> {
  const cache = new DataDirCache(fresh('cache'), INPUTS);
  await cache.store(source);
  return cache;
}

describe('DataDirCache', () => {
  it('restores what was stored, byte for byte, with the modes PostgreSQL wants, owned by the given user', async () => {
    const source = dataDir();
    const cache = await stored(source);
    expect(await cache.valid()).toBe(true);
    const target = fresh('target');
    fs.mkdirSync(target);
    const owner = (await serverOsUser()) ?? { uid: process.getuid!(), gid: process.getgid!() };
    await cache.restore(target, owner);
    expect(tree(target)).toEqual(tree(source));
    for (const rel of fs.readdirSync(target, { recursive: true, encoding: 'utf8' })) {
      const st = fs.statSync(path.join(target, rel));
      expect([st.mode & 0o777, st.uid, st.gid]).toEqual([st.isDirectory() ? 0o700 : 0o600, owner.uid, owner.gid]);
    }
  });

  it('an entry is keyed by its inputs: other inputs find no entry', async () => {
    const cache = await stored();
    const other = new DataDirCache(cache.root, { ...INPUTS, server: 'postgres (PostgreSQL) 17.6' });
    expect(other.dir).not.toBe(cache.dir);
    expect(await other.valid()).toBe(false);
    await expect(restored(other)).rejects.toThrow(/no readable marker/);
    // Key order does not matter.
    expect(new DataDirCache(cache.root, { initdb: INPUTS.initdb, server: INPUTS.server }).dir).toBe(cache.dir);
  });

  const tamperings: [string, (entry: string) => void, RegExp][] = [
    ['a file deleted', (e) => fs.rmSync(path.join(e, 'data/global/pg_control')), /ENOENT/],
    ['a file truncated', (e) => fs.truncateSync(path.join(e, 'data/base/1/1259'), 10), /differs from the manifest/],
    ['a byte changed', (e) => fs.writeFileSync(path.join(e, 'data/PG_VERSION'), '17\n'), /differs from the manifest/],
    ['the marker gone', (e) => fs.rmSync(path.join(e, 'chatfuzz-cache.json')), /no readable marker/],
    [
      'the marker for other inputs',
      (e) => {
        const m = JSON.parse(fs.readFileSync(path.join(e, 'chatfuzz-cache.json'), 'utf8'));
        fs.writeFileSync(path.join(e, 'chatfuzz-cache.json'), JSON.stringify({ ...m, inputs: { ...m.inputs, server: 'x' } }));
      },
      /another format, version/,
    ],
    [
      'the marker of another format',
      (e) => {
        const m = JSON.parse(fs.readFileSync(path.join(e, 'chatfuzz-cache.json'), 'utf8'));
        fs.writeFileSync(path.join(e, 'chatfuzz-cache.json'), JSON.stringify({ ...m, format: 'chatfuzz-data-dir-cache/0' }));
      },
      /another format, version/,
    ],
    [
      'a manifest without pg_control',
      (e) => {
        const m = JSON.parse(fs.readFileSync(path.join(e, 'chatfuzz-cache.json'), 'utf8'));
        m.items = m.items.filter((i: { path: string }) => i.path !== 'global/pg_control');
        fs.writeFileSync(path.join(e, 'chatfuzz-cache.json'), JSON.stringify(m));
      },
      /malformed/,
    ],
  ];

  it.each(tamperings)('refuses an entry with %s, and the next store replaces it', async (_, tamper, why) => {
    const cache = await stored(dataDir('old'));
    tamper(cache.dir);
    expect(await cache.valid()).toBe(false);
    await expect(restored(cache)).rejects.toThrow(why);
    const source = dataDir('new');
    await cache.store(source);
    expect(await restored(cache)).toEqual(tree(source));
    expect(fs.readdirSync(cache.root)).toEqual([path.basename(cache.dir)]);
  });

  it('never writes outside the target, whatever the manifest says', async () => {
    const cache = await stored();
    const markerFile = path.join(cache.dir, 'chatfuzz-cache.json');
    const m = JSON.parse(fs.readFileSync(markerFile, 'utf8'));
    for (const evil of ['../escaped', '/tmp/escaped', 'base/../../escaped']) {
      fs.writeFileSync(markerFile, JSON.stringify({ ...m, items: [{ path: evil, kind: 'dir' }, ...m.items] }));
      const target = fresh('target');
      fs.mkdirSync(target);
      await expect(cache.restore(target)).rejects.toThrow(/malformed/);
      expect(fs.readdirSync(target)).toEqual([]);
    }
    expect(fs.existsSync(path.join(root, 'escaped'))).toBe(false);
  });

  it('keeps a valid entry another run published (unless told to replace it)', async () => {
    const first = dataDir('first');
    const cache = await stored(first);
    await cache.store(dataDir('second'));
    expect(await restored(cache)).toEqual(tree(first));
    const third = dataDir('third');
    await cache.store(third, { replace: true });
    expect(await restored(cache)).toEqual(tree(third));
    expect(fs.readdirSync(cache.root)).toEqual([path.basename(cache.dir)]);
  });

  it('concurrent stores leave one whole entry, and nothing else', async () => {
    const cacheRoot = fresh('cache');
    const sources = ['p', 'q', 'r', 's'].map(dataDir);
    await Promise.all(sources.map((s) => new DataDirCache(cacheRoot, INPUTS).store(s)));
    const cache = new DataDirCache(cacheRoot, INPUTS);
    expect(await cache.valid()).toBe(true);
    expect(sources.map(tree)).toContainEqual(await restored(cache));
    expect(fs.readdirSync(cacheRoot)).toEqual([path.basename(cache.dir)]);
  });

  it("removes what killed stores left (a dead process's temp entry), never a running store's", async () => {
    const cache = await stored();
    const name = path.basename(cache.dir);
    const dead = path.join(cache.root, `.${name}.tmp-${2 ** 22 + 1}-0badcafe`);
    const live = path.join(cache.root, `.${name}.tmp-${process.pid}-0badcafe`);
    const oldEntry = path.join(cache.root, `.${name}.old-${2 ** 22 + 1}-0badcafe`);
    for (const d of [dead, live, oldEntry]) fs.mkdirSync(path.join(d, 'data'), { recursive: true });
    expect(await cache.valid()).toBe(true);
    await cache.store(dataDir());
    expect(fs.readdirSync(cache.root).sort()).toEqual([path.basename(live), name].sort());
  });

  it('stores nothing from a dir holding something other than files and dirs', async () => {
    const source = dataDir();
    fs.symlinkSync('/etc/passwd', path.join(source, 'link'));
    const cache = new DataDirCache(fresh('cache'), INPUTS);
    await expect(cache.store(source)).rejects.toThrow(/neither a file nor a directory/);
    expect(fs.readdirSync(cache.root)).toEqual([]);
  });
});
