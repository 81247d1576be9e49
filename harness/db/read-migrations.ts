import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

/** One SQL script to run, in order; `statements` splits it where its tool marks statement boundaries. */
export interface MigrationScript {
  file: string;
  statements: string[];
}

// Drizzle marks the statement boundaries of its migrations; its migrator runs each piece on its own.
const DRIZZLE_BREAKPOINT = /^\s*-->\s*statement-breakpoint\s*$/m;

/**
 * The SQL a migrations path stands for, in the order its tool applies it: a single `.sql` file;
 * a Drizzle folder (`meta/_journal.json`) in journal order; a Prisma folder (`<name>/migration.sql`)
 * in name order; or a folder of `.sql` files in name order. The text is sent as written, so
 * comments, dollar quotes and any quoting survive.
 */
export function readMigrations(location: string): MigrationScript[] {
  const stat = fs.statSync(location, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`schema.migrations: no such file or folder: ${location}`);
  if (stat.isFile()) return [script(location)];
  const journal = path.join(location, 'meta', '_journal.json');
  if (fs.existsSync(journal)) {
    let entries: { idx: number; tag: string }[];
    try {
      entries = JSON.parse(fs.readFileSync(journal, 'utf8')).entries;
      if (!Array.isArray(entries)) throw new Error('no "entries" array');
    } catch (e) {
      throw new UsageError(`schema.migrations: ${journal} is not a Drizzle journal (${(e as Error).message})`);
    }
    return [...entries]
      .sort((a, b) => a.idx - b.idx)
      .map((e) => {
        const file = path.join(location, `${e.tag}.sql`);
        if (!fs.existsSync(file)) throw new UsageError(`schema.migrations: the Drizzle journal names ${e.tag}, but ${file} does not exist`);
        return {
          file,
          statements: fs
            .readFileSync(file, 'utf8')
            .split(DRIZZLE_BREAKPOINT)
            .filter((s) => s.trim() !== ''),
        };
      });
  }
  const names = fs.readdirSync(location).sort();
  const prisma = names.filter((n) => fs.existsSync(path.join(location, n, 'migration.sql')));
  if (prisma.length) return prisma.map((n) => script(path.join(location, n, 'migration.sql')));
  const sql = names.filter((n) => n.endsWith('.sql'));
  if (!sql.length)
    throw new UsageError(
      `schema.migrations: ${location} holds no migrations (a Drizzle meta/_journal.json, Prisma <name>/migration.sql folders, or .sql files)`,
    );
  return sql.map((n) => script(path.join(location, n)));
}

function script(file: string): MigrationScript {
  return { file, statements: [fs.readFileSync(file, 'utf8')] };
}
