import { startDatabaseServer } from './harness/db/start-database-server.js';
import { createRunDatabase } from './harness/db/run-database.js';
import { applySchema } from './harness/db/apply-schema.js';
import { runCell } from './harness/run/run-cell.js';
import { loadTargets } from './harness/contract/load-target.js';
import { builtinTargets } from './targets/builtin-targets.js';
import { builtinScenarios } from './scenarios/builtin-scenarios.js';
const t00 = performance.now();
const server = await startDatabaseServer(process.argv[2]);
console.log('server start', Math.round(performance.now() - t00));
const names = ['upsert', 'prisma-upsert', 'postgresjs-tx', 'http-chat', 'drizzle-postgresjs'];
const targets = await loadTargets(names, { registry: builtinTargets, scenarioNames: builtinScenarios.map((s) => s.name) });
let i = 0;
for (let rep = 0; rep < 2; rep++) {
  let t = performance.now();
  const db = await createRunDatabase(server, `chatfuzz_x${Date.now()}_${i++}`);
  const c = performance.now() - t; t = performance.now();
  await applySchema(db.url, targets[0]!.def);
  const a = performance.now() - t; t = performance.now();
  await db.drop();
  console.log('create', c.toFixed(1), 'schema', a.toFixed(1), 'drop', (performance.now() - t).toFixed(1));
}
const sc = builtinScenarios.find((s) => s.name === 'concurrent-duplicates')!;
for (const tg of targets) for (const runs of [1, 1, 50]) {
  const t = performance.now();
  const r = await runCell({ target: tg, scenario: sc, mode: 'scheduled', server, runId: 'x' + Date.now(), cellIndex: i++, cellCount: 1, runs, timeBudgetMs: null, seed: 1, callTimeoutMs: 5000, reportDir: '/tmp/xx', reporters: [] });
  console.log(tg.def.name, runs, Math.round(performance.now() - t), r.outcome, r.runs);
}
await server.stop();
