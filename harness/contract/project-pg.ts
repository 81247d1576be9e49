import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type pg from 'pg';
import { UsageError } from '../errors.js';

/**
 * The project's own `pg`, when the target's folder resolves one other than chatfuzz's: ctx.pool is
 * then built from it, so the project's `instanceof pg.Pool` (@prisma/adapter-pg's) holds. Undefined
 * when the project has none or shares chatfuzz's; a UsageError naming the fix when it is not pg 8.
 */
export function projectPg(targetFile: string | undefined): typeof pg | undefined {
  if (!targetFile) return undefined;
  const theirs = createRequire(targetFile);
  let resolved: string;
  try {
    resolved = theirs.resolve('pg');
  } catch {
    return undefined;
  }
  if (resolved === createRequire(import.meta.url).resolve('pg')) return undefined;
  const pkg = packageJsonOf(resolved);
  const version = pkg ? String(JSON.parse(fs.readFileSync(pkg, 'utf8')).version ?? '') : '';
  if (!/^8\./.test(version)) {
    throw new UsageError(
      `the project's pg ${version || '(unknown version)'} (${pkg ? path.dirname(pkg) : resolved}) is not pg 8, which ctx.pool is built on: install pg@8 in the project (npm install pg@8), or add \`gate: 'wire'\` to the target and build the app's own client from ctx.databaseUrl`,
    );
  }
  const mod = theirs('pg');
  return (mod?.default ?? mod) as typeof pg;
}

function packageJsonOf(file: string): string | undefined {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p) && JSON.parse(fs.readFileSync(p, 'utf8')).name === 'pg') return p;
  }
  return undefined;
}
