// The worker side of an app instance (app-instance.ts): one worker thread per logical client,
// so the app's module graph, process.env and globalThis are this client's alone. It imports the
// app's modules through tsx's API, replaces the aliased specifiers and answers calls from the
// cell: a function of a loaded module, or a route handler called with a Request.
import Module, { createRequire, register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { setCurrentRequest } from './current-request.js';
import { serializeError, type AppWorkerData, type ToAppWorker, type FromAppWorker } from './app-instance-protocol.js';

const data = workerData as AppWorkerData;
const port = parentPort!;
const send = (m: FromAppWorker) => port.postMessage(m);

installAliases(data.aliases, data.emptyModule);

process.on('uncaughtException', (e) => send({ type: 'uncaught', error: serializeError(e) }));
process.on('unhandledRejection', (e) => send({ type: 'uncaught', error: serializeError(e) }));

const modules = new Map<number, unknown>();

port.on('message', (m: ToAppWorker) => {
  void handle(m).then(
    (value) => send({ type: 'result', id: m.id, ok: true, value }),
    (e) => send({ type: 'result', id: m.id, ok: false, error: serializeError(e) }),
  );
});

async function handle(m: ToAppWorker): Promise<unknown> {
  if (m.type === 'load') {
    modules.set(m.id, await importApp(m.file, m.parent));
    return { module: m.id };
  }
  if (m.type === 'call') {
    const { holder, fn } = at(modules.get(m.module), m.path);
    if (typeof fn !== 'function') {
      if (m.args.length === 0) return fn;
      throw new TypeError(`${m.path.join('.')} is not a function in ${m.file}`);
    }
    return await fn.apply(holder, m.args);
  }
  // A route: a Request built from the operation, the handler's Response read to its end.
  const handler = at(modules.get(m.module), [m.exportName]).fn;
  if (typeof handler !== 'function')
    throw new TypeError(
      `${m.file} has no ${m.exportName} export (a route handler: export async function ${m.exportName}(request: Request))`,
    );
  const init = m.init;
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers = {
    ...(typeof init.body === 'object' && init.body !== null ? { 'content-type': 'application/json' } : {}),
    ...(init.headers ?? {}),
  };
  const request = new Request(new URL(init.url ?? '/', 'http://localhost'), { method: init.method ?? m.exportName, headers, body });
  setCurrentRequest(request);
  try {
    const response = await handler(request);
    if (!(response instanceof Response)) throw new TypeError(`${m.exportName} in ${m.file} returned ${typeof response}, not a Response`);
    const text = await response.text();
    return { status: response.status, body: text, headers: Object.fromEntries(response.headers) };
  } finally {
    setCurrentRequest(undefined);
  }
}

// One module graph per thread: a module two loads import is one instance (one client, one pool).
async function importApp(specifier: string, parent: string): Promise<unknown> {
  const url = specifier.startsWith('file:') ? specifier : pathToFileURL(createRequire(fileURLToPath(parent)).resolve(specifier)).href;
  const mod: any = await import(url);
  // A .ts file run as CommonJS comes back as { default: module.exports } (itself { __esModule, … }).
  let exports = mod;
  while (exports?.default && typeof exports.default === 'object' && exports.default.__esModule) exports = exports.default;
  if (exports === mod && mod?.default && typeof mod.default === 'object' && Object.keys(mod).length === 1 && !('module.exports' in mod)) {
    // CommonJS without __esModule: module.exports is the default.
    return { ...mod.default, default: mod.default };
  }
  return exports;
}

function at(root: unknown, keys: string[]): { holder: any; fn: any } {
  let holder: any;
  let value: any = root;
  for (const k of keys) {
    holder = value;
    value = value?.[k];
    // CommonJS interop: a named export may only exist on the default export.
    if (value === undefined && holder === root && (root as any)?.default) value = (root as any).default[k];
  }
  return { holder, fn: value };
}

// Aliases match the specifier as written (`@/app/(auth)/auth`) or, for a key that is a path, the
// file it resolves to (any extension); `server-only` is an empty module, as in bin/chatfuzz.mjs.
function installAliases(aliases: AppWorkerData['aliases'], emptyModule: string): void {
  const bySpecifier = new Map<string, string>([['server-only', emptyModule]]);
  const byFile = new Map<string, string>();
  for (const a of aliases) (a.fromFile ? byFile : bySpecifier).set(a.from, a.to);
  const stem = (f: string) => f.replace(/\.(c|m)?(t|j)sx?$/, '').replace(/[\\/]index$/, '');
  const resolveFilename = (Module as any)._resolveFilename;
  (Module as any)._resolveFilename = function (request: string, ...rest: unknown[]) {
    const direct = bySpecifier.get(request);
    if (direct) return direct;
    const resolved: string = resolveFilename.call(this, request, ...rest);
    return byFile.get(stem(resolved)) ?? resolved;
  };
  const hooks = new URL('./alias-hooks.mjs', import.meta.url);
  register(hooks.href, import.meta.url, {
    data: {
      bySpecifier: Object.fromEntries([...bySpecifier].map(([k, v]) => [k, pathToFileURL(v).href])),
      byFile: Object.fromEntries([...byFile].map(([k, v]) => [k, pathToFileURL(v).href])),
    },
  });
}
