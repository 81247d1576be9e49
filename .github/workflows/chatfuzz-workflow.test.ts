import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseArgs } from '../../harness/cli/parse-args.js';

const FILE = path.join(import.meta.dirname, 'chatfuzz.yml');

// It cannot run here (no GitHub runner): check that it parses and says what the gate needs.
describe('.github/workflows/chatfuzz.yml', () => {
  it('is valid YAML with the paths filter, a PostgreSQL service, the gate and the report artifact', async () => {
    const wf = parse(await readFile(FILE, 'utf8'), { strict: true, uniqueKeys: true });
    expect(wf.name).toBe('chatfuzz');
    // A paths filter on targets/ (and the persistence code) for pull requests and pushes.
    expect(wf.on.pull_request.paths).toContain('targets/**');
    expect(wf.on.push.paths).toContain('targets/**');
    const job = wf.jobs.fuzz;
    expect(job.services.postgres.image).toMatch(/^postgres:\d+/);
    expect(job.services.postgres.ports).toContain('5432:5432');
    expect(job.env.DATABASE_URL).toMatch(/^postgres:\/\/postgres:[^@]+@localhost:5432\//);
    const steps: any[] = job.steps;
    const fuzz = steps.find((s) => s.name === 'Fuzz');
    expect(fuzz.run).toContain('npm run fuzz --');
    expect(fuzz.run).toContain('--baseline baseline/results.json');
    const upload = steps.find((s) => String(s.uses).startsWith('actions/upload-artifact@'));
    expect(upload.if).toBe('always()');
    expect(upload.with.path).toBe('reports/ci/');
    const junit = steps.find((s) => String(s.with?.report_paths ?? '').endsWith('junit.xml'));
    expect(junit.with.report_paths).toBe('reports/ci/junit.xml');
  });

  it('passes the CLI only flags it accepts', async () => {
    const wf = parse(await readFile(FILE, 'utf8'));
    const run: string = wf.jobs.fuzz.steps.find((s: any) => s.name === 'Fuzz').run;
    const args = /args="([^"]+)"/.exec(run)![1]!.split(' ');
    const extra = /args="\$args ([^"]+)"/.exec(run)![1]!.split(' ');
    const opts = parseArgs([...args, ...extra]);
    // --all: the repository has no config, and without one a run is the short demo.
    expect(opts).toMatchObject({
      ci: true,
      all: true,
      timeBudgetMs: 300_000,
      seed: 1,
      reportDir: 'reports/ci',
      baseline: 'baseline/results.json',
    });
  });
});
