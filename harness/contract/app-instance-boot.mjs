// An app instance's worker thread starts here: tsx is registered once for the whole thread (one
// module graph: every ctx.load of a client shares the app's modules), then the worker's own code runs.
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

register();
registerCjs();
await import('./app-instance-worker.ts');
