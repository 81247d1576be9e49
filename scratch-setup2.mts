import pg from 'pg';
import { startDatabaseServer } from './harness/db/start-database-server.js';
import { createRunDatabase } from './harness/db/run-database.js';
import { applySchema } from './harness/db/apply-schema.js';
import upsert from './targets/upsert.js';
const server = await startDatabaseServer(process.argv[2]);
const tpl = await createRunDatabase(server, `chatfuzz_s${Date.now()}_t1`);
await applySchema(tpl.url, upsert);
const admin = new pg.Client({ connectionString: server.adminUrl }); await admin.connect();
const time = async (label: string, f: () => Promise<unknown>) => { const ts: number[] = []; for (let i = 0; i < 5; i++) { const t = performance.now(); await f(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); console.log(label.padEnd(50), ts[2]!.toFixed(1)); };
let k = 0;
for (const strat of ['WAL_LOG', 'FILE_COPY']) {
  await time(`create from template ${strat} + drop`, async () => { const n = `chatfuzz_s_x${k++}`; await admin.query(`CREATE DATABASE ${n} TEMPLATE ${tpl.name} STRATEGY ${strat}`); await admin.query(`DROP DATABASE ${n} WITH (FORCE)`); });
  await time(`  create only ${strat}`, async () => { const n = `chatfuzz_s_y${k++}`; await admin.query(`CREATE DATABASE ${n} TEMPLATE ${tpl.name} STRATEGY ${strat}`); });
}
await time('drop only', async () => { const r = await admin.query("select datname from pg_database where datname like 'chatfuzz_s_y%' limit 1"); if (r.rows[0]) await admin.query(`DROP DATABASE ${r.rows[0].datname} WITH (FORCE)`); });
await time('connect+query+end new pg.Client', async () => { const c = new pg.Client({ connectionString: tpl.url }); await c.connect(); await c.query('select 1'); await c.end(); });
const s = await admin.query('show checkpoint_timeout'); console.log(s.rows);
const r = await admin.query("select name, setting from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','wal_level','shared_buffers','max_wal_size','file_copy_method')"); console.log(r.rows.map((x) => x.name + '=' + x.setting).join(' '));
for (const x of (await admin.query("select datname from pg_database where datname like 'chatfuzz_s%'")).rows) await admin.query(`DROP DATABASE ${x.datname} WITH (FORCE)`);
await admin.end(); await server.stop();
