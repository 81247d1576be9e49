// startServer: starts an application as a process of its own (an HTTP chat API, say) for a black-box
// target, and keeps track of every one started, so a run leaves none behind and keeps its logs.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** How to start a server process and how to tell it is ready. */
export interface StartServerOptions {
  /** Shown in errors and logs; defaults to the command's file name. */
  name?: string;
  command: string;
  args?: string[];
  cwd?: string;
  /** Merged over the harness's own environment. */
  env?: Record<string, string>;
  /** Ready once a whole line of its output (stdout or stderr, ended by a newline) matches, or once a GET of `url` gets any HTTP answer. */
  ready: RegExp | { url: string };
  /** How long it may take to become ready (default 15 s). */
  timeoutMs?: number;
}

/** A started server process; `match` is what the `ready` RegExp matched (null for a URL). */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly match: RegExpMatchArray | null;
  /** Its stdout and stderr as they came, the last ~1 MB of it. */
  output(): string;
  /** SIGTERM, SIGKILL 2 s later; resolves once it has exited. */
  stop(): Promise<void>;
}

/** The output of a server that has exited. */
export interface ServerLog {
  name: string;
  pid: number;
  output: string;
  exitCode: number | null;
  signal: string | null;
}

const OUTPUT_CAP = 1024 * 1024;
const KILL_AFTER_MS = 2000;
const DEFAULT_TIMEOUT_MS = 15_000;
const POLL_MS = 100;
// Output that keeps arriving after exit (a grandchild holding the pipes) must not hold a stop() forever.
const CLOSE_GRACE_MS = 200;

interface Entry {
  name: string;
  pid: number;
  child: ChildProcess;
  out: OutputBuffer;
  exited: Promise<void>;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  stopping?: Promise<void>;
}

const running = new Set<Entry>();
let finished: Entry[] = [];
let exitHookInstalled = false;

/** Starts `command` (no shell) and resolves once it is ready; rejects, with its last output, if it exits first or times out. */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const name = options.name ?? path.basename(options.command);
  const commandLine = [options.command, ...(options.args ?? [])].join(' ');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  installExitHook();
  // Not detached: a Ctrl-C in the terminal reaches the whole process group, servers included.
  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const out = new OutputBuffer();
  const entry: Entry = { name, pid: child.pid ?? -1, child, out, exit: null, exited: undefined! };
  entry.exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      entry.exit = { code, signal };
      if (running.delete(entry)) finished.push(entry);
      setTimeout(resolve, CLOSE_GRACE_MS).unref();
    });
    child.once('close', () => resolve());
  });

  const regex = options.ready instanceof RegExp ? new RegExp(options.ready.source, options.ready.flags.replace(/[gy]/g, '')) : undefined;
  let onMatch: ((m: RegExpMatchArray) => void) | undefined;
  const lines = { stdout: '', stderr: '' };
  const feed = (stream: 'stdout' | 'stderr', chunk: string) => {
    out.append(chunk);
    if (!regex) return;
    const parts = (lines[stream] + chunk).split(/\r?\n/);
    lines[stream] = parts.pop()!;
    // Only whole lines count: a port number cut in two would otherwise match half of it.
    for (const line of parts) {
      const m = regex.exec(line);
      if (m) onMatch?.(m);
    }
    // A line longer than the output cap is not a ready line.
    if (lines[stream].length > OUTPUT_CAP) lines[stream] = '';
  };
  child.stdout!.setEncoding('utf8').on('data', (c: string) => feed('stdout', c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => feed('stderr', c));

  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  // Later errors are failed kills of a process that just exited: nothing the caller can act on.
  child.on('error', () => {});
  if (spawnError || child.pid === undefined) {
    throw new Error(`server ${name} (${commandLine}) could not be started: ${spawnError?.message ?? 'no pid'}`);
  }
  entry.pid = child.pid;
  if (!entry.exit) running.add(entry);
  else finished.push(entry);

  const failure = (why: string) => new Error(`server ${name} (${commandLine}) ${why}; last output:\n${out.tail(20) || '(none)'}`);

  let settled = false;
  try {
    const match = await new Promise<RegExpMatchArray | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(failure(`was not ready after ${timeoutMs} ms (pid ${entry.pid}, stopped)`)), timeoutMs);
      const done =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          settled = true;
          clearTimeout(timer);
          f(v);
        };
      onMatch = done(resolve);
      void entry.exited.then(() => done(reject)(failure(`exited before it was ready (${describeExit(entry.exit)})`)));
      if (!regex)
        void pollUrl((options.ready as { url: string }).url, () => settled).then((ok) => {
          if (ok) done(resolve)(null);
        });
    });
    return { name, pid: entry.pid, match, output: () => out.text(), stop: () => stopEntry(entry) };
  } catch (e) {
    settled = true;
    await stopEntry(entry);
    throw e;
  }
}

/** Stops every server still running (what a target forgot to stop). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map(stopEntry));
}

/** The logs of servers that exited since the last call; handed over once, then forgotten. */
export function takeServerLogs(): ServerLog[] {
  const taken = finished;
  finished = [];
  return taken.map((e) => ({
    name: e.name,
    pid: e.pid,
    output: e.out.text(),
    exitCode: e.exit?.code ?? null,
    signal: e.exit?.signal ?? null,
  }));
}

function stopEntry(entry: Entry): Promise<void> {
  if (entry.exit) return entry.exited;
  entry.stopping ??= (async () => {
    entry.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!entry.exit) entry.child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    await entry.exited;
    clearTimeout(timer);
  })();
  return entry.stopping;
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work runs at exit: a server must not outlive the harness, graceful or not.
  process.on('exit', () => {
    for (const e of running) {
      try {
        e.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

async function pollUrl(url: string, stopped: () => boolean): Promise<boolean> {
  while (!stopped()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  return false;
}

function describeExit(exit: Entry['exit']): string {
  if (!exit) return 'still running';
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** The tail of a process's output, bounded. */
class OutputBuffer {
  private buf = '';
  append(s: string) {
    this.buf += s;
    // Trimmed at twice the cap, so appending stays cheap.
    if (this.buf.length > 2 * OUTPUT_CAP) this.buf = this.buf.slice(-OUTPUT_CAP);
  }
  text(): string {
    return this.buf.length > OUTPUT_CAP ? this.buf.slice(-OUTPUT_CAP) : this.buf;
  }
  tail(n: number): string {
    return this.text().replace(/\n$/, '').split('\n').slice(-n).join('\n');
  }
}
