import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * The packages of `names` that are not installed where chatfuzz can import them: Node's lookup of a
 * bare specifier, `node_modules/<name>/package.json` in `fromDir` or a folder above it.
 */
export function missingPackages(names: readonly string[], fromDir: string = HERE): string[] {
  return names.filter((name) => {
    for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, 'node_modules', name, 'package.json'))) return false;
      if (path.dirname(dir) === dir) return true;
    }
  });
}

/**
 * Throws a UsageError (exit 2) naming the `npm install -D …` command when any of `names` (optional
 * peer dependencies of chatfuzz) is missing; `what` says what needs them ("the built-in target prisma-upsert").
 */
export function requirePackages(names: readonly string[], what: string, fromDir?: string): void {
  const missing = missingPackages(names, fromDir);
  if (missing.length === 0) return;
  throw new UsageError(
    `${what} needs ${missing.length === 1 ? 'the package' : 'the packages'} ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed ` +
      `(optional peer dependencies of chatfuzz): npm install -D ${missing.join(' ')}`,
  );
}

/** The package a failed import could not find ("Cannot find package 'postgres'…"), or undefined for any other error. */
export function packageNotFound(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' && err?.code !== 'MODULE_NOT_FOUND') return undefined;
  const m = /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/'.][^/']*)/.exec(String(err.message));
  return m?.[1];
}
