import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { loadConfig } from './load-config.js';
import { parseArgs } from './parse-args.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-config-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function project(name: string, config: string, file = 'chatfuzz.config.ts'): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'tools'), { recursive: true });
  fs.writeFileSync(path.join(dir, file), config);
  return dir;
}

describe('chatfuzz.config.ts', () => {
  it('is found in the working directory; its settings are defaults, and every flag given wins', async () => {
    const dir = project(
      'full',
      `export default {
      targets: ['./chatfuzz/target.ts', 'naive'], scenarios: ['mixed'], mode: 'stress', runs: 7, timeBudget: '2m',
      seed: 5, db: 'embedded', report: 'out', ci: true, isolation: 'serializable', callTimeout: 2500, corpus: false,
    };`,
    );
    const config = await loadConfig(null, dir);
    expect(config!.file).toBe(path.join(dir, 'chatfuzz.config.ts'));
    expect(parseArgs([], config!.defaults)).toMatchObject({
      targets: ['./chatfuzz/target.ts', 'naive'],
      scenarios: ['mixed'],
      mode: 'stress',
      runs: 7,
      timeBudgetMs: 120_000,
      seed: 5,
      db: 'embedded',
      reportDir: './out',
      ci: true,
      isolation: 'serializable',
      callTimeoutMs: 2500,
      noCorpus: true,
    });
    expect(
      parseArgs(
        ['--target', 'upsert', '--mode', 'scheduled', '--runs', '3', '--db', 'postgres://x/y', '--report', 'elsewhere'],
        config!.defaults,
      ),
    ).toMatchObject({
      targets: ['upsert'],
      mode: 'scheduled',
      runs: 3,
      db: 'postgres://x/y',
      reportDir: 'elsewhere',
      scenarios: ['mixed'],
    });
  });

  it('--config names another file; its paths are relative to it', async () => {
    const dir = project('other', "export default { targets: ['../target.ts'], report: 'r' };", 'tools/fuzz.config.mjs');
    const config = await loadConfig('tools/fuzz.config.mjs', dir);
    expect(config!.defaults).toEqual({ targets: ['./target.ts'], reportDir: './tools/r' });
  });

  it('no config file: nothing changes', async () => {
    fs.mkdirSync(path.join(root, 'none'), { recursive: true });
    expect(await loadConfig(null, path.join(root, 'none'))).toBeUndefined();
  });

  it('a broken config is a usage error that lists every problem, or says what is missing', async () => {
    const bad = project('bad', "export default { targets: [], mode: 'fast', runs: 0, timeBudget: 'soon', colour: true };");
    const err = await loadConfig(null, bad).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    for (const p of [
      '`targets` must be a non-empty array',
      '`mode` must be one of scheduled, stress, exhaustive',
      '`runs` must be a positive integer',
      "`timeBudget` must be a duration like '30s'",
      'unknown field `colour`',
    ]) {
      expect(err.message).toContain(p);
    }
    await expect(loadConfig(null, project('nodefault', 'export const targets = [];'))).rejects.toThrow(
      /has no default export: write `export default defineConfig/,
    );
    await expect(loadConfig(null, project('notargets', 'export default { runs: 5 };'))).rejects.toThrow(
      /`targets` is missing: list the targets to fuzz/,
    );
    await expect(loadConfig('missing.config.ts', bad)).rejects.toThrow(/--config missing.config.ts: no such file/);
    await expect(loadConfig(null, project('throws', "throw new Error('boom');"))).rejects.toThrow(/the module failed to load: boom/);
  });
});
