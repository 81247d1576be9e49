import { PassThrough } from 'node:stream';
import type { CliIo } from '../harness/cli/cli-io.js';

/** A CliIo whose stdout and stderr are kept in memory, for calling runCli-style entry points in-process. */
export function capturedIo(env: NodeJS.ProcessEnv = {}): { io: CliIo; stdout(): string; stderr(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  return { io: { stdout, stderr, env, cwd: process.cwd() }, stdout: () => out, stderr: () => err };
}
