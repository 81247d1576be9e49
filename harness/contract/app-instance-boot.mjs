// An app instance's worker thread starts here: tsx loads the worker's TypeScript (app-instance-worker.ts).
import { tsImport } from 'tsx/esm/api';

await tsImport('./app-instance-worker.ts', import.meta.url);
