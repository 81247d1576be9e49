import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTree } from '../../test/write-tree.js';
import { UsageError } from '../errors.js';
import { readMigrations } from './read-migrations.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-migrations-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const tree = (name: string, files: Record<string, string>) => writeTree(root, name, files);

const names = (dir: string) => readMigrations(dir).map((m) => path.relative(dir, m.file));

describe('readMigrations', () => {
  it('a Drizzle folder runs in journal order, each file split at its statement breakpoints', () => {
    const dir = tree('drizzle', {
      'meta/_journal.json': JSON.stringify({
        entries: [
          { idx: 1, tag: '0000_b' },
          { idx: 0, tag: '0001_a' },
        ],
      }),
      '0000_b.sql': 'CREATE TABLE b (id int);',
      '0001_a.sql': 'CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE INDEX a_id ON a (id);\n',
      'notes.sql': 'SELECT 1;',
    });
    expect(names(dir)).toEqual(['0001_a.sql', '0000_b.sql']);
    expect(readMigrations(dir)[0]!.statements).toEqual(['CREATE TABLE a (id int);\n', '\nCREATE INDEX a_id ON a (id);\n']);
  });

  it('a Prisma folder runs <name>/migration.sql in name order; the lock file is not SQL', () => {
    const dir = tree('prisma', {
      '20240102000000_second/migration.sql': 'ALTER TABLE t ADD c int;',
      '20240101000000_init/migration.sql': 'CREATE TABLE t (id int);',
      'migration_lock.toml': 'provider = "postgresql"',
    });
    expect(names(dir)).toEqual(['20240101000000_init/migration.sql', '20240102000000_second/migration.sql']);
  });

  it('a folder of .sql files runs in name order, and text is kept exactly (comments, dollar quotes, backticks)', () => {
    const body = '-- `quoted` ; comment\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; /* ; */\n';
    const dir = tree('plain', { '2.sql': 'SELECT 2;', '1.sql': body, 'README.md': '# not SQL' });
    expect(names(dir)).toEqual(['1.sql', '2.sql']);
    expect(readMigrations(dir)[0]!.statements).toEqual([body]);
    expect(readMigrations(path.join(dir, '1.sql'))).toEqual([{ file: path.join(dir, '1.sql'), statements: [body] }]);
  });

  it('a missing path, an empty folder or a broken journal is a usage error that names it', () => {
    expect(() => readMigrations(path.join(root, 'nope'))).toThrow(UsageError);
    expect(() => readMigrations(path.join(root, 'nope'))).toThrow(/no such file or folder: .*nope/);
    expect(() => readMigrations(tree('empty', { 'a.txt': '' }))).toThrow(/holds no migrations/);
    expect(() => readMigrations(tree('broken', { 'meta/_journal.json': '{' }))).toThrow(/is not a Drizzle journal/);
    expect(() => readMigrations(tree('gap', { 'meta/_journal.json': JSON.stringify({ entries: [{ idx: 0, tag: '0000_x' }] }) }))).toThrow(
      /names 0000_x/,
    );
  });
});
