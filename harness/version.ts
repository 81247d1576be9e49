import { createRequire } from 'node:module';

/** chatfuzz's own version, written into results and case files. */
export const VERSION: string = createRequire(import.meta.url)('../package.json').version;
