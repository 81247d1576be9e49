import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { missingPackages, packageNotFound, requirePackages } from './require-packages.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-require-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('optional peer dependencies', () => {
  it('finds a package in node_modules of the folder or one above it, scoped or not', () => {
    fs.mkdirSync(path.join(dir, 'node_modules', '@scope', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', '@scope', 'b', 'package.json'), '{}');
    fs.mkdirSync(path.join(dir, 'node_modules', 'a'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'a', 'package.json'), '{}');
    const deep = path.join(dir, 'src', 'lib');
    fs.mkdirSync(deep, { recursive: true });
    expect(missingPackages(['a', '@scope/b', 'c'], deep)).toEqual(['c']);
  });

  it('a missing one is a usage error (exit 2) naming the npm install command and what needs it', () => {
    expect(() => requirePackages(['a'], 'the built-in target x', dir)).not.toThrow();
    let e: unknown;
    try {
      requirePackages(['a', 'c', '@scope/d'], 'the built-in target x', dir);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    expect((e as Error).message).toBe(
      'the built-in target x needs the packages c, @scope/d, which are not installed (optional peer dependencies of chatfuzz): npm install -D c @scope/d',
    );
  });

  it('the packages chatfuzz lists as optional peers are found in the clone', () => {
    expect(
      missingPackages([
        'postgres',
        'drizzle-orm',
        '@prisma/client',
        '@prisma/adapter-pg',
        'prisma',
        'testcontainers',
        '@testcontainers/postgresql',
      ]),
    ).toEqual([]);
  });

  it("packageNotFound reads the package out of Node's not-found errors only", async () => {
    const err = await import('chatfuzz-no-such-package-' + 'x').catch((e) => e);
    expect(packageNotFound(err)).toBe('chatfuzz-no-such-package-x');
    expect(packageNotFound(Object.assign(new Error("Cannot find package '@a/b' imported from /x"), { code: 'ERR_MODULE_NOT_FOUND' }))).toBe(
      '@a/b',
    );
    expect(packageNotFound(new Error('boom'))).toBeUndefined();
  });
});
