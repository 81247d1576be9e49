import { redactUrl } from '../db/redact-url.js';
import type { ChatfuzzDatabase, ChatfuzzDatabases } from '../db/leftovers/find-leftover-databases.js';

/** How many names a warning spells out before `… and N more`. */
const NAMES_SHOWN = 4;

/** `7.3 MB`-style size of a total in bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} kB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/**
 * The drop-leftovers command for the server a run used: `db` is the --db URL the user passed, undefined
 * when it came from DATABASE_URL (which the command reads too); a password is shown as *** and never printed.
 */
export function dropLeftoversCommand(db: string | undefined): string {
  if (!db) return 'npx chatfuzz drop-leftovers';
  const shown = redactUrl(db);
  const command = `npx chatfuzz drop-leftovers --db '${shown.replace(/'/g, `'\\''`)}'`;
  return shown === db ? command : `${command} (your --db URL, its password in place of ***)`;
}

function names(dbs: readonly ChatfuzzDatabase[]): string {
  const shown = dbs
    .slice(0, NAMES_SHOWN)
    .map((d) => d.name)
    .join(', ');
  return dbs.length > NAMES_SHOWN ? `${shown} and ${dbs.length - NAMES_SHOWN} more` : shown;
}

function total(dbs: readonly ChatfuzzDatabase[]): string {
  const known = dbs.filter((d) => d.bytes !== null);
  return known.length ? ` (${formatBytes(known.reduce((n, d) => n + d.bytes!, 0))})` : '';
}

/** `1 database`, `3 databases`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The 1–3 lines (no trailing newline) a run prints when the server holds databases of killed runs (with
 * the command that drops them) or chatfuzz_* databases it cannot vouch for; undefined when there are none.
 */
export function leftoverWarning(found: ChatfuzzDatabases, db: string | undefined): string | undefined {
  const lines: string[] = [];
  if (found.dead.length) {
    const runs = new Set(found.dead.map((d) => d.runId)).size;
    lines.push(
      `chatfuzz: ${plural(found.dead.length, 'database')}${total(found.dead)} on this server ${found.dead.length === 1 ? 'was' : 'were'} left by ${plural(runs, 'killed chatfuzz run')} (no run holds ${found.dead.length === 1 ? 'it' : 'them'}, no one is connected): ${names(found.dead)}`,
    );
    lines.push(`  remove ${found.dead.length === 1 ? 'it' : 'them'} with: ${dropLeftoversCommand(db)}`);
  }
  const unsure = [...found.inUse, ...found.unknown];
  if (unsure.length) {
    // Never offered for dropping: a session may be using them, or no lock tells whether their run lives.
    lines.push(
      `chatfuzz: note: ${plural(unsure.length, 'other chatfuzz_* database')}${total(unsure)} may be in use or from an older chatfuzz: ${names(unsure)}; drop ${unsure.length === 1 ? 'it' : 'them'} yourself once nothing uses ${unsure.length === 1 ? 'it' : 'them'}`,
    );
  }
  return lines.length ? lines.join('\n') : undefined;
}
