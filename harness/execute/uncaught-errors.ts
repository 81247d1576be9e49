/** Errors raised outside every promise the harness awaits, collected instead of ending the process. */
export interface UncaughtErrors {
  /** Hands over what was raised since the last call, one line each with where it was thrown. */
  take(): string[];
  /** Resolves at the first error not yet taken: calls in flight are abandoned then, as a crashed server abandons them. */
  crashed(): Promise<void>;
  /** Stops catching: the process's own behaviour applies again. */
  dispose(): void;
}

// A driver bug (postgres.js rejects nothing and throws from a timer when a connection dies inside
// sql.begin) ends a server process; in the harness it would end the run. Caught, it is a finding
// of the trial it happened in.
/** Catches uncaught exceptions and unhandled rejections from now until dispose(). */
export function catchUncaught(): UncaughtErrors {
  let seen: string[] = [];
  let signal!: () => void;
  let next = new Promise<void>((r) => { signal = r; });
  const onError = (e: unknown) => { seen.push(describe(e)); signal(); };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    take() {
      const out = seen;
      if (out.length) { seen = []; next = new Promise<void>((r) => { signal = r; }); }
      return out;
    },
    crashed: () => next,
    dispose() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return `a non-Error value: ${String(e)}`;
  const at = e.stack?.split('\n').find((l) => /^\s+at /.test(l))?.trim().replace(/\(?file:\/\/\S*?node_modules\//, '(').replace(/^at /, '');
  return `${e.name}: ${e.message}${at ? ` (at ${at})` : ''}`;
}
