import pg from 'pg';
import { UsageError } from '../errors.js';
import { CANONICAL_SCHEMA_SQL } from '../contract/canonical-schema.js';
import type { TargetDefinition } from '../contract/define-target.js';

/** Applies a target's DDL (canonical or its own SQL) to a fresh database; bad DDL is the target's config error. */
export async function applySchema(url: string, def: Pick<TargetDefinition, 'schema' | 'name'>): Promise<void> {
  const sql = def.schema === undefined || def.schema === 'canonical' ? CANONICAL_SCHEMA_SQL : def.schema.sql;
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } catch (e) {
    throw new UsageError(`target ${def.name}: its schema SQL failed: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
