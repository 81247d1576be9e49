// A cell worker: a child process of `chatfuzz --workers N` (bin/chatfuzz.mjs with CHATFUZZ_CELL_WORKER
// set). It loads targets and scenarios by name, as the CLI does, runs each cell it is sent with
// runCell and sends back its progress and result.
import { loadTargets, type LoadedTarget } from '../../contract/load-target.js';
import { stopAllServers } from '../../contract/start-server.js';
import { runCell } from '../../run/run-cell.js';
import type { TrialProgress } from '../../run/reporter.js';
import { builtinScenarios } from '../../../scenarios/builtin-scenarios.js';
import { builtinTargets } from '../../../targets/builtin-targets.js';
import { CELL_WORKER_ENV, type FromWorker, type ToWorker, type WorkerJob } from './cell-worker-pool.js';

// A TTY repaints ten times a second: more trial messages only cost the worker time.
const TRIAL_EVERY_MS = 100;

/** Serves cell jobs from the parent process until it disconnects or signals. */
export function runCellWorker(): void {
  // Processes the target starts are not workers.
  delete process.env[CELL_WORKER_ENV];
  const send = (m: FromWorker) => new Promise<void>((resolve) => process.send!(m, undefined, {}, () => resolve()));
  const targets = new Map<string, Promise<LoadedTarget>>();
  let abort: AbortController | undefined;
  const targetOf = (t: WorkerJob['target']) => {
    const key = `${t.cwd}\0${t.spec}`;
    let loaded = targets.get(key);
    if (!loaded) {
      loaded = loadTargets([t.spec], { registry: builtinTargets, scenarioNames: builtinScenarios.map((s) => s.name), cwd: t.cwd }).then(
        (l) => l[0]!,
      );
      targets.set(key, loaded);
    }
    return loaded;
  };
  const run = async (job: WorkerJob) => {
    abort = new AbortController();
    let last = -Infinity;
    let phase = '';
    const onTrial = (p: TrialProgress) => {
      const now = performance.now();
      const key = `${p.failed}|${p.shrinking}`;
      if (key === phase && now - last < TRIAL_EVERY_MS) return;
      phase = key;
      last = now;
      void send({ type: 'trial', progress: p });
    };
    try {
      const scenario = builtinScenarios.find((s) => s.name === job.scenario);
      if (!scenario) throw new Error(`unknown scenario ${job.scenario}`);
      const result = await runCell(
        { ...job, target: await targetOf(job.target), scenario, server: { ...job.server, stop: async () => {} } },
        { reporters: [{ onTrial }], abort: abort.signal },
      );
      await send({ type: 'done', result });
    } catch (e) {
      const err = e as Error;
      await send({ type: 'failed', error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack } });
    }
  };
  process.on('message', (m: ToWorker) => {
    if (m.type === 'run') void run(m.job);
    else if (m.type === 'abort') abort?.abort();
  });
  // Ctrl-C reaches the whole process group: the parent drops the databases, a worker stops the servers its target started.
  const stop = () => {
    void stopAllServers().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
