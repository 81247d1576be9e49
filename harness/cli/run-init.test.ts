import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTree } from '../../test/write-tree.js';
import { detectProject, runInit } from './run-init.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-init-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const project = (name: string, files: Record<string, string>) => writeTree(root, name, files);

async function init(cwd: string): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => {
    out += d;
  });
  const code = await runInit([], { stdout, stderr: new PassThrough(), env: {}, cwd });
  return { code, out };
}

describe('chatfuzz init', () => {
  it('detects Prisma, Drizzle (its `out` folder) and plain pg, with their migrations', () => {
    expect(detectProject(project('p', { 'prisma/schema.prisma': '', 'prisma/migrations/1_init/migration.sql': '' }))).toEqual({
      stack: 'prisma',
      migrations: 'prisma/migrations',
    });
    expect(
      detectProject(project('d', { 'drizzle.config.ts': "export default { out: './db/migrations/' }", 'db/migrations/0000_x.sql': '' })),
    ).toEqual({ stack: 'drizzle', migrations: 'db/migrations' });
    expect(detectProject(project('g', { 'package.json': '{}' }))).toEqual({ stack: 'pg' });
  });

  it('writes the skeleton for the stack, keeps package.json as it was but for the script, and overwrites nothing', async () => {
    const pkg = '{\n    "name": "app",\n    "scripts": {\n        "dev": "next dev"\n    }\n}\n';
    const dir = project('prisma-app', { 'package.json': pkg, 'prisma/schema.prisma': '', 'chatfuzz.config.ts': '// mine\n' });
    const { code, out } = await init(dir);
    expect(code).toBe(0);
    expect(out).toContain('skipped chatfuzz.config.ts (it exists)');
    expect(fs.readFileSync(path.join(dir, 'chatfuzz.config.ts'), 'utf8')).toBe('// mine\n');
    const target = fs.readFileSync(path.join(dir, 'chatfuzz/target.ts'), 'utf8');
    expect(target).toContain('new PrismaClient({ adapter: new PrismaPg(pool) })');
    expect(target).toContain("schema: { sql: 'CREATE TABLE …' }");
    expect(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe(
      '{\n    "name": "app",\n    "scripts": {\n        "dev": "next dev",\n        "fuzz": "chatfuzz"\n    }\n}\n',
    );
  });

  it('needs a package.json: it runs in the project root', async () => {
    await expect(init(project('bare', { 'README.md': '' }))).rejects.toThrow(/no package.json in .*run it in your project's root/);
  });
});
