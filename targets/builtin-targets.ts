import type { TargetRegistry } from '../harness/contract/load-target.js';
import type { TargetDefinition } from '../harness/contract/define-target.js';

/** The built-in targets by name, loaded on demand; the one place they are listed. */
export const builtinTargets: TargetRegistry = {
  naive: async () => (await import('./naive.js')).default,
  'session-first': async () => (await import('./session-first.js')).default,
  upsert: async () => (await import('./upsert.js')).default,
  'no-owner-check': async () => (await import('./no-owner-check.js')).default,
  'swallow-errors': async () => (await import('./swallow-errors.js')).default,
  'client-seq': async () => (await import('./client-seq.js')).default,
  'assistant-logging-before': async () => (await import('./assistant-logging-before.js')).default,
  'assistant-logging-after': async () => (await import('./assistant-logging-after.js')).default,
  'jaaz-chat-before': async () => (await import('./jaaz-chat-before.js')).default,
  'jaaz-chat-after': async () => (await import('./jaaz-chat-after.js')).default,
  'prisma-upsert': async () => (await import('./prisma-upsert.js')).default,
  'retry-duplicates': async () => (await import('./retry-duplicates.js')).default,
  'serializable-retry': async () => (await import('./serializable-retry.js')).default,
  'postgresjs-session-first': async () => (await import('./postgresjs-session-first.js')).default,
  'postgresjs-tx': async () => (await import('./postgresjs-tx.js')).default,
  'http-chat': async () => (await import('./http-chat.js')).default,
  'drizzle-postgresjs': async () => (await import('./drizzle-postgresjs.js')).default,
  // Issue 25: targets of the app's own operations, judged by the serializable invariant.
  'credits-rmw': async () => (await import('./credits-rmw.js')).default as unknown as TargetDefinition,
  'credits-atomic': async () => (await import('./credits-atomic.js')).default as unknown as TargetDefinition,
  'claim-handle': async () => (await import('./claim-handle.js')).default as unknown as TargetDefinition,
  'claim-handle-upsert': async () => (await import('./claim-handle-upsert.js')).default as unknown as TargetDefinition,
};
