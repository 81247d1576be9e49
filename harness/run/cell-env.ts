import pg from 'pg';
import { TargetContractError, UsageError } from '../errors.js';
import { lifecycleTimeoutMs, withinLifecycleTimeout } from '../execute/lifecycle-timeout.js';
import type { LoadedTarget } from '../contract/load-target.js';
import { asStore, validateStore } from '../contract/validate-target.js';
import type { IsolationLevel } from '../contract/define-target.js';
import { applySchema } from '../db/apply-schema.js';
import type { DatabaseServer } from '../db/database-server.js';
import { createRunDatabase, type RunDatabase } from '../db/run-database.js';
import type { TrialEnv } from '../execute/run-trial.js';
import type { CellSpec } from './cell-spec.js';
import { createTrialPool, type TrialPool } from '../gate/trial-pool.js';
import { WireProxy } from '../gate/wire-proxy.js';
import { ControlConnection } from '../gate/control-connection.js';
import type { ChatStore } from '../contract/define-target.js';
import { catchUncaught } from '../execute/uncaught-errors.js';
import { latencySampler } from '../faults/latency-sampler.js';
import { AppInstance } from '../contract/app-instance.js';
import { projectPg } from '../contract/project-pg.js';
import type { AppInstanceContext } from '../contract/define-target.js';

/** The application_name of the connections handed to targets, so pg_stat_activity tells them from the harness's. */
export const TARGET_APPLICATION_NAME = 'chatfuzz target';

/** The application_name of the harness's own connections to a cell's database (snapshots, locks, kills). */
export const HARNESS_APPLICATION_NAME = 'chatfuzz harness';

/** What a cell's set-up needs: its spec's run settings, target, server, index and template. */
export type CellEnvSpec = Pick<CellSpec, 'run' | 'target' | 'server' | 'cellIndex' | 'template'>;

/** A cell's database with the target's schema, the gated pool, the target's store and the harness's own connections. */
export interface CellEnv {
  db: RunDatabase;
  pool: TrialPool;
  env: TrialEnv;
  /** The isolation the target's connections run at, when not the server default. */
  isolation?: IsolationLevel;
  /** The wire gate's proxy, for targets with `gate: 'wire'`. */
  wire?: WireProxy;
  /** Connections on the cell's database that no gate sees (none with the wire gate, whose target never learns the database's own URL). */
  ungatedConnections(): Promise<{ connections: number; applications: string[] }>;
  /** What the target's app instances printed, `[c1 stderr] line` (the last OUTPUT_LINES lines). */
  output: string[];
  /** Closes the store, every connection and drops the database; safe after a partial set-up. */
  close(): Promise<void>;
}

/** Creates the cell's database and everything its trials share; a target that cannot start is a UsageError. */
export async function openCellEnv(o: CellEnvSpec): Promise<CellEnv> {
  const { def } = o.target;
  const { run } = o;
  // A project with its own pg 8 gets ctx.pool from it (PrismaPg's instanceof check); another major is refused (before any database exists), naming the fix.
  const driver = projectPg(o.target.file);
  // The cell's database is `chatfuzz_<runId>_<cellIndex + 1>`.
  const db = await createRunDatabase(o.server, `chatfuzz_${run.runId}_${o.cellIndex + 1}`, o.template);
  const isolation = def.isolation ?? run.isolation ?? undefined;
  const pool = createTrialPool(
    {
      connectionString: db.url,
      max: 32,
      connectionTimeoutMillis: Math.max(1000, run.callTimeoutMs),
      application_name: TARGET_APPLICATION_NAME,
      // Every transaction of the target's connections, explicit or implicit, starts at this level.
      ...(isolation ? { options: `-c default_transaction_isolation=${isolation.replace('-', '\\ ')}` } : {}),
    },
    driver,
  );
  const harnessPool = new pg.Pool({ connectionString: db.url, max: 2, application_name: HARNESS_APPLICATION_NAME });
  harnessPool.on('error', () => {});
  // A wire target connects wherever its URL says: the proxy's, one per logical client.
  const wire = def.gate === 'wire' ? new WireProxy(db.url) : undefined;
  let env: TrialEnv | undefined;
  const uncaught = catchUncaught();
  let control: ControlConnection | undefined;
  // Wire targets get a store per logical client, each built from that client's own URL; others one store (client 0).
  const stores = new Map<number, Promise<ChatStore>>();
  // The app instances (ctx.load, ctx.route) live as long as the store built with them.
  const instances: AppInstance[] = [];
  const output: string[] = [];
  const closeStores = async (waitMs: number) => {
    const all = await Promise.all([...stores.values()].map((s) => s.catch(() => undefined)));
    stores.clear();
    // A close() that returns nothing (a synchronous one) or throws is fine: the store is done either way.
    await Promise.all(
      all.map(
        (s) =>
          s?.close &&
          Promise.race([
            Promise.resolve()
              .then(() => s.close!())
              .catch(() => {}),
            sleep(waitMs),
          ]),
      ),
    );
    await Promise.all(instances.splice(0).map((i) => i.close()));
  };
  const appContext = (client: number, url: string): AppInstanceContext => {
    let instance: AppInstance | undefined;
    const app = () => {
      if (!wire)
        throw new UsageError(
          `target ${def.name}: ctx.load and ctx.route need the wire gate (each logical client's own URL): add \`gate: 'wire'\` or \`env: ['DATABASE_URL']\` to the definition`,
        );
      if (!instance) {
        instance = new AppInstance({
          client,
          targetFile: o.target.file,
          alias: def.alias,
          env: Object.fromEntries((def.env ?? []).map((name) => [name, url])),
          onOutput: (stream, line) => {
            output.push(`[c${client + 1} ${stream}] ${line}`);
            if (output.length > OUTPUT_LINES) output.shift();
          },
        });
        instances.push(instance);
      }
      return instance;
    };
    return { load: async (s) => app().load(s), route: async (s, e) => app().route(s, e) };
  };
  const close = async () => {
    await closeStores(2000);
    await wire?.close();
    await pool.destroy();
    await harnessPool.end().catch(() => {});
    await control?.end().catch(() => {});
    await db.drop();
    uncaught.dispose();
  };
  try {
    if (!o.template) await applySchema(db.url, def);
    // The proxy passes startup untouched, so the level is the database's default (this cell's database only).
    if (wire && isolation)
      await harnessPool.query(
        `ALTER DATABASE ${pg.escapeIdentifier(db.name)} SET default_transaction_isolation = '${isolation.replace('-', ' ')}'`,
      );
    const create = async (client: number): Promise<ChatStore> => {
      let store: unknown;
      try {
        const url = wire ? await wire.urlFor(client) : db.url;
        const ctx = { pool, databaseUrl: url, ...(wire ? { client } : {}), ...appContext(client, url) };
        // A create() that never settles would hang the run with nothing printed but its header.
        store = await withinLifecycleTimeout(
          'create',
          lifecycleTimeoutMs(run.callTimeoutMs),
          Promise.resolve().then(() => def.create(ctx)),
          def.name,
        );
      } catch (e) {
        if (e instanceof UsageError) throw e;
        throw new UsageError(
          `target ${def.name}: create()${wire ? ` for client ${client}` : ''} threw: ${(e as Error)?.message ?? String(e)}`,
        );
      }
      const problems = validateStore(store, def);
      if (problems.length) throw new UsageError(`target ${def.name} (${o.target.source}):\n  - ${problems.join('\n  - ')}`);
      return asStore(store);
    };
    const storeOf = (client: number) => {
      let s = stores.get(client);
      if (!s) {
        s = create(client);
        stores.set(client, s);
      }
      return s;
    };
    const store = await storeOf(0);
    // Scheduled mode watches locks through it and every mode kills connections through it, often at the same moment.
    control = new ControlConnection({ connectionString: db.url, application_name: HARNESS_APPLICATION_NAME });
    await control.connect();
    const latency = run.mode === 'stress' && run.latency ? latencySampler(run.latency, run.seed) : undefined;
    env = {
      def,
      store,
      pool,
      harnessPool,
      callTimeoutMs: run.callTimeoutMs,
      inputRules: def.api?.input,
      control,
      latency,
      uncaught,
      restart: async () => {
        // A crashed store's connections may never answer: its close is not waited for long. Its
        // connections are not cut here: a postgres.js client whose sockets close retries its queued
        // queries on the same client URL, into the next trial's calls (a no-leaks false alarm).
        await closeStores(250);
        env!.store = await storeOf(0);
      },
      ...(wire ? { wire, clientStores: async (n: number) => Promise.all(Array.from({ length: n }, (_, c) => storeOf(c))) } : {}),
    };
  } catch (e) {
    await close();
    throw e;
  }
  // Every connection the harness opens is named; the gated pool's are TARGET_APPLICATION_NAME.
  const ungatedConnections = async () => {
    if (wire) return { connections: 0, applications: [] };
    const r = await harnessPool.query<{ app: string; n: number }>(
      `SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
          AND application_name NOT IN ($1, $2) GROUP BY 1 ORDER BY 1`,
      [TARGET_APPLICATION_NAME, HARNESS_APPLICATION_NAME],
    );
    return { connections: r.rows.reduce((a, x) => a + x.n, 0), applications: r.rows.map((x) => x.app || '(no application_name)') };
  };
  return { db, pool, env, output, ungatedConnections, ...(isolation ? { isolation } : {}), ...(wire ? { wire } : {}), close };
}

/** How many lines of the app instances' output a cell keeps. */
const OUTPUT_LINES = 200;

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms).unref());
}
