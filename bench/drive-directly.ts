// The floor stress mode is measured against: a target's calls driven with no harness at all (no
// gate, no recorder, no snapshot, no invariants), each logical client's calls in turn and the
// clients at once, as stress mode drives them. Only the users each trial needs are registered.
import pg from 'pg';
import { canonicalRegisterUsers } from '../harness/contract/canonical-schema.js';
import { NO_APP_INSTANCE, type ChatStore, type TargetDefinition } from '../harness/contract/define-target.js';
import { applySchema } from '../harness/db/apply-schema.js';
import type { DatabaseServer } from '../harness/db/database-server.js';
import { createRunDatabase } from '../harness/db/run-database.js';
import type { Workload } from '../harness/workload/workload.js';

/** Runs `workload` `trials` times on a canonical-schema target straight on a pg.Pool; returns the calls per second after `warmup` trials. */
export async function driveDirectly(
  def: TargetDefinition,
  server: DatabaseServer,
  name: string,
  workload: Workload,
  trials: number,
  warmup = 20,
): Promise<{ callsPerSec: number; failedCalls: number }> {
  const db = await createRunDatabase(server, name);
  const pool = new pg.Pool({ connectionString: db.url, max: 32 });
  pool.on('error', () => {});
  try {
    await applySchema(db.url, def);
    const store = (await def.create({ pool, databaseUrl: db.url, ...NO_APP_INSTANCE })) as ChatStore;
    let calls = 0;
    let failedCalls = 0;
    let t0 = 0;
    for (let i = 0; i < trials + warmup; i++) {
      if (i === warmup) {
        t0 = performance.now();
        calls = 0;
        failedCalls = 0;
      }
      const id = (x: string) => `d${i}_${x}`;
      await canonicalRegisterUsers(pool, workload.users.map(id));
      await Promise.all(
        workload.clients.map(async (list) => {
          for (const c of list) {
            calls++;
            const msg = c.messages?.[0];
            try {
              if (c.op === 'createSession') await store.createSession!({ sessionId: id(c.session), userId: id(c.user), title: c.title });
              else if (c.op === 'logMessage')
                await store.logMessage({
                  sessionId: id(c.session),
                  userId: id(c.user),
                  messageId: id(msg!.id),
                  role: msg!.role,
                  content: msg!.content,
                });
              else
                await store.handleChat!({
                  sessionId: id(c.session),
                  userId: id(c.user),
                  messages: c.messages!.map((m) => ({ messageId: id(m.id), role: m.role, content: m.content })),
                });
            } catch {
              failedCalls++;
            }
          }
        }),
      );
    }
    const callsPerSec = calls / ((performance.now() - t0) / 1000);
    await store.close?.();
    return { callsPerSec, failedCalls };
  } finally {
    await pool.end().catch(() => {});
    await db.drop();
  }
}
