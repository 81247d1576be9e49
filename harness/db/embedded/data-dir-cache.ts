import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import fss from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { runningProcess } from '../running-process.js';

const FORMAT = 'chatfuzz-data-dir-cache/1';
/** Written last into an entry: an entry without it, or whose files disagree with it, is not used. */
const MARKER = 'chatfuzz-cache.json';
/** Files a data dir cannot be without: a manifest lacking them did not describe a cluster. */
const REQUIRED = ['PG_VERSION', 'global/pg_control'];
/**
 * Nearly a thousand small files: synchronous calls copy them several times faster than the thread
 * pool does, and giving the event loop a turn this often keeps timers and signals served meanwhile.
 */
const SLICE_MS = 10;

type Item = { path: string; kind: 'dir' } | { path: string; kind: 'file'; size: number; sha256: string };
interface Marker {
  format: string;
  inputs: unknown;
  items: Item[];
}
type Owner = { uid: number; gid: number };

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

/** A manifest path stays inside the dir it is resolved against. */
function safe(p: unknown): p is string {
  return typeof p === 'string' && p !== '' && !path.isAbsolute(p) && path.normalize(p) === p && !p.split(/[\\/]/).includes('..');
}

async function walk(root: string, rel = ''): Promise<Item[]> {
  const items: Item[] = [];
  const entries = (await fs.readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = rel ? path.join(rel, e.name) : e.name;
    const st = await fs.lstat(path.join(root, p));
    if (st.isDirectory()) items.push({ path: p, kind: 'dir' }, ...(await walk(root, p)));
    else if (st.isFile()) items.push({ path: p, kind: 'file', size: st.size, sha256: '' });
    else throw new Error(`${path.join(root, p)} is neither a file nor a directory`);
  }
  return items;
}

class CacheMiss extends Error {}

/** Calls `fn` on each item in order, synchronously for up to SLICE_MS at a time. */
async function inSlices<T>(items: readonly T[], fn: (item: T) => void): Promise<void> {
  let since = performance.now();
  for (const item of items) {
    fn(item);
    if (performance.now() - since > SLICE_MS) {
      await nextTurn();
      since = performance.now();
    }
  }
}

/**
 * The warm-start cache of one kind of freshly initialised PostgreSQL data dir (everything that shapes
 * it is in `inputs`): restore() copies an entry only if every file matches the manifest written last
 * when it was stored, store() publishes an entry atomically, so a half-written, killed, stale or
 * corrupt entry is never used and is replaced by the next store().
 */
export class DataDirCache {
  /** This kind's entry: `data/` plus the marker. */
  readonly dir: string;
  private readonly inputs: string;

  constructor(
    readonly root: string,
    inputs: Record<string, unknown>,
  ) {
    this.inputs = canonical(inputs);
    this.dir = path.join(root, `data-dir-${sha256(this.inputs).slice(0, 16)}`);
  }

  /** Fills the empty dir `target` from the entry (owned by `owner` when given); rejects when there is no valid entry, leaving `target` partly filled. */
  async restore(target: string, owner?: Owner): Promise<void> {
    await this.read((item, data) => {
      const to = path.join(target, item.path);
      // The modes initdb gives (no group access): PostgreSQL refuses to start on a looser data dir.
      if (item.kind === 'dir') fss.mkdirSync(to, { mode: 0o700 });
      else fss.writeFileSync(to, data!, { mode: 0o600, flag: 'wx' });
      if (owner) fss.chownSync(to, owner.uid, owner.gid);
    });
  }

  /** Whether the entry is whole and matches its manifest. */
  async valid(): Promise<boolean> {
    return this.read(() => {}).then(
      () => true,
      () => false,
    );
  }

  /**
   * Copies the data dir `source` (initialised, never started) into the cache as this kind's entry,
   * replacing an invalid one (or, with `replace`, any); a valid entry another run publishes meanwhile is kept.
   */
  async store(source: string, options: { replace?: boolean } = {}): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    await this.sweep();
    const suffix = () => `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    const tmp = path.join(this.root, `.${path.basename(this.dir)}.tmp-${suffix()}`);
    try {
      await fs.mkdir(path.join(tmp, 'data'), { recursive: true, mode: 0o700 });
      const items = await walk(source);
      await inSlices(items, (item) => {
        const to = path.join(tmp, 'data', item.path);
        if (item.kind === 'dir') return fss.mkdirSync(to, { mode: 0o700 });
        const data = fss.readFileSync(path.join(source, item.path));
        Object.assign(item, { size: data.length, sha256: sha256(data) });
        fss.writeFileSync(to, data, { mode: 0o600 });
      });
      const marker: Marker = { format: FORMAT, inputs: JSON.parse(this.inputs), items };
      await fs.writeFile(path.join(tmp, MARKER), JSON.stringify(marker), { mode: 0o600 });
      for (let attempt = 0; ; attempt++) {
        try {
          await fs.rename(tmp, this.dir);
          return;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if ((code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') || attempt >= 3) throw e;
          if (!(options.replace && attempt === 0) && (await this.valid())) return;
          // Moved aside first: readers see the old entry or none, never one half deleted.
          const old = path.join(this.root, `.${path.basename(this.dir)}.old-${suffix()}`);
          if (
            await fs.rename(this.dir, old).then(
              () => true,
              () => false,
            )
          )
            await fs.rm(old, { recursive: true, force: true });
        }
      }
    } finally {
      await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** Reads the entry, handing each item in manifest order (a dir before what it holds) with a file's verified bytes. */
  private async read(each: (item: Item, data?: Buffer) => void): Promise<void> {
    let marker: Marker;
    try {
      marker = JSON.parse(await fs.readFile(path.join(this.dir, MARKER), 'utf8'));
    } catch (e) {
      throw new CacheMiss(`no readable marker: ${(e as Error).message}`);
    }
    if (marker?.format !== FORMAT || canonical(marker.inputs) !== this.inputs || !Array.isArray(marker.items)) {
      throw new CacheMiss('the marker is for another format, version or set of initdb flags');
    }
    const items = marker.items;
    if (
      !items.every((i) => safe(i?.path) && (i.kind === 'dir' || i.kind === 'file')) ||
      !REQUIRED.every((r) => items.some((i) => i.kind === 'file' && i.path === r))
    ) {
      throw new CacheMiss('the manifest is malformed');
    }
    await inSlices(items, (item) => {
      if (item.kind === 'dir') return each(item);
      let data: Buffer;
      try {
        data = fss.readFileSync(path.join(this.dir, 'data', item.path));
      } catch (e) {
        throw new CacheMiss((e as Error).message);
      }
      if (data.length !== item.size || sha256(data) !== item.sha256) throw new CacheMiss(`${item.path} differs from the manifest`);
      each(item, data);
    });
  }

  /** Removes what killed stores left behind (temp and set-aside entries of processes no longer running). */
  private async sweep(): Promise<void> {
    for (const name of await fs.readdir(this.root).catch(() => [] as string[])) {
      const m = /^\.data-dir-[0-9a-f]+\.(?:tmp|old)-(\d+)-[0-9a-f]+$/.exec(name);
      if (m && !runningProcess(Number(m[1]))) await fs.rm(path.join(this.root, name), { recursive: true, force: true }).catch(() => {});
    }
  }
}
