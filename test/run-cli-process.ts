import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Runs `npm run fuzz -- …` as a user would (the chatfuzz command, a separate process) and captures its output; the corpus stays out unless asked for. */
export function runFuzzProcess(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; corpus?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/chatfuzz.mjs'), ...args, ...(opts.corpus ? [] : ['--no-corpus'])], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`chatfuzz ${args.join(' ')} did not end in time\n${stderr}`)); }, opts.timeoutMs ?? 90_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
