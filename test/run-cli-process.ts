import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * How long a chatfuzz process (or a wait on one) may take before a test calls it hung: a hang guard under
 * vitest's testTimeout (30 min), never a deadline a busy machine could reach (a test is bounded by its trial counts).
 */
export const HANG_MS = 900_000;

/** Runs `npm run fuzz -- …` as a user would (the chatfuzz command, a separate process) and captures its output; the corpus stays out unless asked for. */
export function runFuzzProcess(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; corpus?: boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/chatfuzz.mjs'), ...args, ...(opts.corpus ? [] : ['--no-corpus'])], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chatfuzz ${args.join(' ')} did not end in time\n${stderr}`));
    }, opts.timeoutMs ?? HANG_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A chatfuzz process still running: its output so far, a wait for a line of it, and its end. */
export interface RunningFuzz {
  pid: number;
  output(): string;
  /** Resolves with the first match of `re` in stdout + stderr; rejects if the process ends first or after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts chatfuzz as users start it: `npm run fuzz -- …` (npm, then the command), or `sh -c` running
 * node (a project's script without `exec`); the caller signals `pid`, the process it started.
 */
export function startFuzzProcess(args: string[], opts: { via: 'npm' | 'sh'; env?: NodeJS.ProcessEnv }): RunningFuzz {
  const command =
    opts.via === 'npm'
      ? spawn('npm', ['run', '-s', 'fuzz', '--', ...args, '--no-corpus'], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1', ...opts.env },
        })
      : spawn('sh', ['-c', `${JSON.stringify(process.execPath)} bin/chatfuzz.mjs "$@"`, 'sh', ...args, '--no-corpus'], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1', ...opts.env },
        });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d;
    for (const l of listeners) l();
  };
  command.stdout!.on('data', onData);
  command.stderr!.on('data', onData);
  let done = false;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    command.on('close', (code, signal) => {
      done = true;
      for (const l of listeners) l();
      resolve({ code, signal });
    }),
  );
  return {
    pid: command.pid!,
    output: () => out,
    ended,
    waitFor: (re, timeoutMs = HANG_MS) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${re} in time:\n${out}`));
        }, timeoutMs);
        const check = () => {
          const m = out.match(re);
          if (m) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(m);
          } else if (done) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`ended before ${re}:\n${out}`));
          }
        };
        listeners.add(check);
        check();
      }),
  };
}
