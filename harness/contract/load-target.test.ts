import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, expect, inject, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-load-target-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; output: string; report: string }> {
  const report = path.join(root, `r${Math.random().toString(36).slice(2)}`);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let output = '';
  for (const s of [stdout, stderr])
    s.on('data', (d) => {
      output += d;
    });
  const code = await runCli([...argv, '--db', inject('pgAdminUrl'), '--no-corpus', '--report', report, '--runs', '1', '--workers', '1'], {
    stdout,
    stderr,
    env: { NO_COLOR: '1' },
    cwd: process.cwd(),
  });
  return { code, output, report };
}

it('a target module with named exports only exits 2: no default export, its named exports, and the one to make the default', async () => {
  const r = await cli(['--target', './test/fixtures/no-default-target.ts']);
  expect(r.code, r.output).toBe(2);
  expect(r.output).toContain(
    'chatfuzz: --target ./test/fixtures/no-default-target.ts has no default export: write `export default defineTarget({ ... })`',
  );
  expect(r.output).toContain('its named exports: chatTarget, retries; chatTarget looks like a target: add `export default chatTarget`');
  // Not the list of missing fields a module's namespace object would get.
  expect(r.output).not.toMatch(/not a valid target|create\(ctx\)/);
  expect(fs.existsSync(path.join(r.report, 'results.json'))).toBe(false);
});

it('a target module that exports nothing exits 2 with the line to write and no list', async () => {
  const file = path.join(root, 'empty-target.ts');
  fs.writeFileSync(file, 'export {};\n');
  const r = await cli(['--target', file]);
  expect(r.code, r.output).toBe(2);
  expect(r.output).toMatch(/has no default export: write `export default defineTarget\(\{ \.\.\. \}\)`\n/);
  expect(r.output).not.toMatch(/named exports/);
});
