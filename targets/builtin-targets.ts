import type { TargetDefinition } from '../harness/contract/define-target.js';
import type { TargetRegistry } from '../harness/contract/load-target.js';
import { requirePackages } from '../harness/require-packages.js';

/** What the Prisma targets import, and the CLI that generates their clients on first use (scripts/prisma-generate.mjs). */
const PRISMA = ['@prisma/client', '@prisma/adapter-pg', 'prisma'];

/** A loader that first refuses (exit 2, naming `npm install -D …`) when an optional peer dependency the target imports is missing. */
function needing(packages: readonly string[], name: string, load: () => Promise<TargetDefinition>): () => Promise<TargetDefinition> {
  return async () => {
    requirePackages(packages, `the built-in target ${name}`);
    return load();
  };
}

/** The built-in targets by name, loaded on demand; the one place they are listed. */
export const builtinTargets: TargetRegistry = {
  naive: async () => (await import('./naive.js')).default,
  'session-first': async () => (await import('./session-first.js')).default,
  upsert: async () => (await import('./upsert.js')).default,
  'no-owner-check': async () => (await import('./no-owner-check.js')).default,
  'swallow-errors': async () => (await import('./swallow-errors.js')).default,
  'client-seq': async () => (await import('./client-seq.js')).default,
  'assistant-logging-before': needing(
    PRISMA,
    'assistant-logging-before',
    async () => (await import('./assistant-logging-before.js')).default,
  ),
  'assistant-logging-after': needing(PRISMA, 'assistant-logging-after', async () => (await import('./assistant-logging-after.js')).default),
  'jaaz-chat-before': async () => (await import('./jaaz-chat-before.js')).default,
  'jaaz-chat-after': async () => (await import('./jaaz-chat-after.js')).default,
  'prisma-upsert': needing(PRISMA, 'prisma-upsert', async () => (await import('./prisma-upsert.js')).default),
  'retry-duplicates': async () => (await import('./retry-duplicates.js')).default,
  'serializable-retry': async () => (await import('./serializable-retry.js')).default,
  'postgresjs-session-first': needing(
    ['postgres'],
    'postgresjs-session-first',
    async () => (await import('./postgresjs-session-first.js')).default,
  ),
  'postgresjs-tx': needing(['postgres'], 'postgresjs-tx', async () => (await import('./postgresjs-tx.js')).default),
  'http-chat': async () => (await import('./http-chat.js')).default,
  'drizzle-postgresjs': needing(
    ['drizzle-orm', 'postgres'],
    'drizzle-postgresjs',
    async () => (await import('./drizzle-postgresjs.js')).default,
  ),
  // Declared app semantics (issue 24).
  'semantic-chat': async () => (await import('./semantic-chat.js')).default,
  'delete-no-owner-check': async () => (await import('./delete-no-owner-check.js')).default,
  'soft-delete-accepts': async () => (await import('./soft-delete-accepts.js')).default,
  // Issue 25: targets of the app's own operations, judged by the serializable invariant.
  'credits-rmw': async () => (await import('./credits-rmw.js')).default as unknown as TargetDefinition,
  'credits-atomic': async () => (await import('./credits-atomic.js')).default as unknown as TargetDefinition,
  'claim-handle': async () => (await import('./claim-handle.js')).default as unknown as TargetDefinition,
  'claim-handle-upsert': async () => (await import('./claim-handle-upsert.js')).default as unknown as TargetDefinition,
  // Deep races (issue 23), each with its fixed twin, on postgres.js through the wire gate.
  'blob-lost-update': needing(['postgres'], 'blob-lost-update', async () => (await import('./blob-lost-update.js')).blobLostUpdate(false)),
  'blob-lost-update-fixed': needing(['postgres'], 'blob-lost-update-fixed', async () =>
    (await import('./blob-lost-update.js')).blobLostUpdate(true),
  ),
  'delete-four-statements': needing(['postgres'], 'delete-four-statements', async () =>
    (await import('./delete-four-statements.js')).deleteFourStatements(false),
  ),
  'delete-four-statements-fixed': needing(['postgres'], 'delete-four-statements-fixed', async () =>
    (await import('./delete-four-statements.js')).deleteFourStatements(true),
  ),
  'count-then-insert': needing(['postgres'], 'count-then-insert', async () =>
    (await import('./count-then-insert.js')).countThenInsert(false),
  ),
  'count-then-insert-fixed': needing(['postgres'], 'count-then-insert-fixed', async () =>
    (await import('./count-then-insert.js')).countThenInsert(true),
  ),
  'lock-order-deadlock': needing(['postgres'], 'lock-order-deadlock', async () =>
    (await import('./lock-order-deadlock.js')).lockOrderDeadlock(false),
  ),
  'lock-order-deadlock-fixed': needing(['postgres'], 'lock-order-deadlock-fixed', async () =>
    (await import('./lock-order-deadlock.js')).lockOrderDeadlock(true),
  ),
};
