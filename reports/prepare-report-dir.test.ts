import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.js';
import { prepareReportDir } from './prepare-report-dir.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-report-dir-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('prepareReportDir', () => {
  it('creates a missing folder, nested, and leaves nothing else in it', async () => {
    const dir = path.join(root, 'a', 'b', 'c');
    expect(await prepareReportDir(dir)).toEqual([path.join(root, 'a'), path.join(root, 'a', 'b'), dir]);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
    // An existing folder with files in it is fine, and they stay.
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'x');
    expect(await prepareReportDir(dir)).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('a file, or a folder under a file, is a usage error naming it', async () => {
    const file = path.join(root, 'file');
    fs.writeFileSync(file, 'x');
    await expect(prepareReportDir(file)).rejects.toThrow(UsageError);
    await expect(prepareReportDir(file)).rejects.toThrow(
      `--report ${file}: ${file} is a file, not a folder; pass a folder you can write to (--report DIR)`,
    );
    await expect(prepareReportDir(path.join(file, 'sub'))).rejects.toThrow(/a file, not a folder|ENOTDIR/);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it.runIf(process.platform === 'linux')('a path where nothing can be created (/proc) fails at once instead of hanging', async () => {
    // fs.mkdir(…, { recursive: true }) never returns on this path.
    await expect(prepareReportDir('/proc/chatfuzz-nope/x')).rejects.toThrow(
      /--report \/proc\/chatfuzz-nope\/x: cannot create \/proc\/chatfuzz-nope \(ENOENT/,
    );
  });

  it.runIf(process.platform === 'linux')('a folder nobody may write, root included (sysfs), is a usage error', async () => {
    await expect(prepareReportDir('/sys/fs')).rejects.toThrow(/--report \/sys\/fs: cannot write files there \((EACCES|EPERM|EROFS)/);
    await expect(prepareReportDir('/sys/chatfuzz-nope')).rejects.toThrow(/cannot create \/sys\/chatfuzz-nope \((EACCES|EPERM|EROFS)/);
  });
});
