import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import type { AppInstanceContext, LoadedModule, RouteCaller, RouteRequestInit, RouteResponse } from './define-target.js';
import { deserializeError, type AppWorkerData, type FromAppWorker, type ToAppWorker } from './app-instance-protocol.js';

/** A route handler's 4xx answer: the app refused the request (a clean refusal). */
export class RouteRefusal extends Error {
  constructor(readonly response: RouteResponse) {
    super(`refused with ${response.status}: ${response.body.slice(0, 300)}`);
  }
}

/** A route handler's 5xx answer: the app failed. */
export class RouteError extends Error {
  constructor(readonly response: RouteResponse) {
    super(`failed with ${response.status}: ${response.body.slice(0, 300)}`);
  }
}

/** How one logical client's instance of the app is started. */
export interface AppInstanceOptions {
  client: number;
  /** The target's file: relative specifiers and aliases resolve from its folder (the working directory when unknown). */
  targetFile?: string;
  /** Environment variables of the instance on top of the process's. */
  env: Record<string, string>;
  alias?: Record<string, string>;
  /** The instance's stdout and stderr, line by line (the cell's report keeps them; they never reach the terminal). */
  onOutput?(stream: 'stdout' | 'stderr', line: string): void;
}

const BOOT = fileURLToPath(new URL('./app-instance-boot.mjs', import.meta.url));
const EMPTY_MODULE = fileURLToPath(new URL('../../bin/empty-module.cjs', import.meta.url));

/**
 * One logical client's instance of the app: a worker thread (its own module graph, process.env
 * and globalThis) that imports the app's modules through tsx and runs their functions on request.
 */
export class AppInstance implements AppInstanceContext {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private exited: Error | undefined;
  private readonly base: string;

  constructor(private readonly o: AppInstanceOptions) {
    this.base = o.targetFile ? path.dirname(o.targetFile) : process.cwd();
    const workerData: AppWorkerData = {
      aliases: Object.entries(o.alias ?? {}).map(([from, to]) => {
        const fromFile = from.startsWith('./') || from.startsWith('../') || path.isAbsolute(from);
        return {
          from: fromFile ? path.resolve(this.base, from).replace(/\.(c|m)?(t|j)sx?$/, '') : from,
          to: path.resolve(this.base, to),
          fromFile,
        };
      }),
      emptyModule: EMPTY_MODULE,
    };
    this.worker = new Worker(BOOT, { workerData, env: { ...process.env, ...o.env }, stdout: true, stderr: true });
    this.worker.unref();
    for (const stream of ['stdout', 'stderr'] as const) {
      let partial = '';
      this.worker[stream].setEncoding('utf8');
      this.worker[stream].on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const l of lines) o.onOutput?.(stream, l);
      });
    }
    this.worker.on('message', (m: FromAppWorker) => {
      if (m.type === 'uncaught') {
        // The instance's crash is the cell's uncaught error, as a driver's crash in the harness's own thread would be.
        (process as any).emit('uncaughtException', deserializeError(m.error), 'uncaughtException');
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(deserializeError(m.error));
    });
    const stop = (why: Error) => {
      this.exited ??= why;
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    };
    this.worker.on('error', (e) => stop(new Error(`the app instance of client ${o.client} crashed: ${e?.message ?? String(e)}`)));
    this.worker.on('exit', (code) => stop(new Error(`the app instance of client ${o.client} exited (code ${code})`)));
  }

  private request<T>(m: DistributiveOmit<ToAppWorker, 'id'> & { id?: number }): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = m.id ?? this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...m, id });
    });
  }

  /** Where `specifier` is imported from: relative ones from the target's folder, the others (packages, tsconfig paths) as the target would. */
  private resolve(specifier: string): string {
    if (specifier.startsWith('file:')) return specifier;
    if (specifier.startsWith('./') || specifier.startsWith('../') || path.isAbsolute(specifier))
      return pathToFileURL(path.resolve(this.base, specifier)).href;
    return specifier;
  }

  /** Imports `specifier` in this instance; its functions run there (arguments and results are copied). */
  async load(specifier: string): Promise<LoadedModule> {
    const file = this.resolve(specifier);
    const id = this.nextId++;
    try {
      await this.request({ type: 'load', id, file, parent: this.parentUrl() });
    } catch (e) {
      throw new UsageError(
        `ctx.load(${JSON.stringify(specifier)}) for client ${this.o.client} failed: ${(e as Error)?.message ?? String(e)}`,
      );
    }
    return moduleProxy((p, args) => this.request({ type: 'call', module: id, file: specifier, path: p, args }));
  }

  /** Loads a route handler (`POST` by default) in this instance: each call sends it a Request and reads its Response. */
  async route(specifier: string, exportName = 'POST'): Promise<RouteCaller> {
    const file = this.resolve(specifier);
    const id = this.nextId++;
    try {
      await this.request({ type: 'load', id, file, parent: this.parentUrl() });
    } catch (e) {
      throw new UsageError(
        `ctx.route(${JSON.stringify(specifier)}) for client ${this.o.client} failed: ${(e as Error)?.message ?? String(e)}`,
      );
    }
    return async (init: RouteRequestInit) => {
      const r = await this.request<RouteResponse>({ type: 'route', module: id, file: specifier, exportName, init });
      if (r.status >= 500) throw new RouteError(r);
      if (r.status >= 400) throw new RouteRefusal(r);
      return r;
    };
  }

  private parentUrl(): string {
    return pathToFileURL(this.o.targetFile ?? path.join(process.cwd(), 'chatfuzz.target.ts')).href;
  }

  /** Stops the instance (its connections close with it); calls in flight reject. */
  async close(): Promise<void> {
    this.exited ??= new Error(`the app instance of client ${this.o.client} was closed`);
    await this.worker.terminate().catch(() => {});
  }
}

type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;

// Every property is a function of the module (nested ones too: `mod.db.query(…)`); awaiting a
// nested property reads its value. The module itself is not thenable, so `await ctx.load()` works.
function moduleProxy(call: (path: string[], args: unknown[]) => Promise<unknown>, at: string[] = []): any {
  const fn = (...args: unknown[]) => call(at, args);
  return new Proxy(fn, {
    get(_t, key) {
      if (typeof key !== 'string') return undefined;
      if (key === 'then') return at.length === 0 ? undefined : (res: any, rej: any) => call(at, []).then(res, rej);
      return moduleProxy(call, [...at, key]);
    },
    apply(_t, _this, args) {
      return call(at, args);
    },
  });
}
