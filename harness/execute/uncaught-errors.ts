/** Errors raised outside every promise the harness awaits, collected instead of ending the process. */
export interface UncaughtErrors {
  /** Hands over what was raised since the last call, one line each with where it was thrown. */
  take(): string[];
  /** Whether an error was raised since the last take(). */
  pending(): boolean;
  /** Calls `fn` at the next error (at once when one is pending), so calls in flight can be abandoned as a crashed server abandons them; returns what stops listening. */
  onError(fn: () => void): () => void;
  /** Stops catching: the process's own behaviour applies again. */
  dispose(): void;
}

// A driver bug (postgres.js rejects nothing and throws from a timer when a connection dies inside
// sql.begin) ends a server process; in the harness it would end the run. Caught, it is a finding
// of the trial it happened in.
/** Catches uncaught exceptions and unhandled rejections from now until dispose(). */
export function catchUncaught(): UncaughtErrors {
  let seen: string[] = [];
  // Listeners leave when their call ends: a promise waiting for a crash that never comes would keep every call's state alive.
  const listeners = new Set<() => void>();
  const onError = (e: unknown) => {
    seen.push(describe(e));
    for (const fn of [...listeners]) fn();
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    take() {
      const out = seen;
      seen = [];
      return out;
    },
    pending: () => seen.length > 0,
    onError(fn) {
      if (seen.length) {
        fn();
        return () => {};
      }
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    dispose() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return `a non-Error value: ${String(e)}`;
  const at = e.stack
    ?.split('\n')
    .find((l) => /^\s+at /.test(l))
    ?.trim()
    .replace(/\(?file:\/\/\S*?node_modules\//, '(')
    .replace(/^at /, '');
  return `${e.name}: ${e.message}${at ? ` (at ${at})` : ''}`;
}
