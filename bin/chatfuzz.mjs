#!/usr/bin/env node
// The `chatfuzz` command. chatfuzz ships as TypeScript source run by tsx; the user's config and
// targets are loaded through tsx's API with their own tsconfig (harness/contract/import-user-module.ts).
// Server code of Next.js apps imports `server-only`, which throws outside React Server Components
// (its non-`react-server` build): here it resolves to an empty module, from ESM and CommonJS alike.
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { register as registerTsx } from 'tsx/esm/api';

const EMPTY = fileURLToPath(new URL('./empty-module.cjs', import.meta.url));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'server-only' ? EMPTY : resolveFilename.call(this, request, ...rest);
};
register('./server-only-hooks.mjs', import.meta.url);
registerTsx();
// `chatfuzz --workers N` forks this same command as its cell workers (CELL_WORKER_ENV in harness/cli/workers/cell-worker-pool.ts).
if (process.env.CHATFUZZ_CELL_WORKER === '1') (await import('../harness/cli/workers/cell-worker-main.ts')).runCellWorker();
else await import('../harness/cli/main.ts');
