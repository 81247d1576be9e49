import os from 'node:os';
import path from 'node:path';

/** The folder chatfuzz keeps its caches in: $CHATFUZZ_CACHE_DIR, else $XDG_CACHE_HOME/chatfuzz, else ~/.cache/chatfuzz. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHATFUZZ_CACHE_DIR) return path.resolve(env.CHATFUZZ_CACHE_DIR);
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and is to be ignored.
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'chatfuzz');
  return path.join(os.homedir(), '.cache', 'chatfuzz');
}
