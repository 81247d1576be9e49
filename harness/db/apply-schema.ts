import path from 'node:path';
import pg from 'pg';
import { UsageError } from '../errors.js';
import { CANONICAL_SCHEMA_SQL } from '../contract/canonical-schema.js';
import type { TargetDefinition } from '../contract/define-target.js';
import { readMigrations, type MigrationScript } from './read-migrations.js';

/** Applies a target's DDL (canonical, its own SQL, or its migrations in order) to a fresh database; bad DDL is the target's config error. */
export async function applySchema(url: string, def: Pick<TargetDefinition, 'schema' | 'name'>): Promise<void> {
  const schema = def.schema;
  const scripts: MigrationScript[] =
    schema === undefined || schema === 'canonical'
      ? [{ file: '', statements: [CANONICAL_SCHEMA_SQL] }]
      : 'migrations' in schema
        ? readMigrations(path.resolve(schema.migrations))
        : [{ file: '', statements: [schema.sql] }];
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    for (const s of scripts) {
      try {
        for (const sql of s.statements) await client.query(sql);
      } catch (e) {
        throw new UsageError(
          `target ${def.name}: its schema SQL failed${s.file ? ` in ${path.relative(process.cwd(), s.file) || s.file}` : ''}: ${(e as Error).message}`,
        );
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}
