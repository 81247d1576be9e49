import { TargetContractError } from '../errors.js';

/** The ChatStore and TargetDefinition methods the harness calls around the calls it judges. */
export type LifecycleMethod = 'create' | 'registerUsers' | 'snapshot' | 'close';

/**
 * How long create(), registerUsers(), snapshot() and close() may take: ten call timeouts, at least
 * a second (50 s with the default --call-timeout 5s, so a target's create() that starts a server
 * (startServer waits 15 s for it) has room). One knob: --call-timeout scales both.
 */
export function lifecycleTimeoutMs(callTimeoutMs: number): number {
  return Math.max(1000, 10 * callTimeoutMs);
}

/** The contract error for a lifecycle method still pending after `ms`: it names the method and the fix. */
export function lifecycleTimeoutError(method: LifecycleMethod, ms: number, target?: string): TargetContractError {
  const who = target ? `target ${target}: ` : '';
  return new TargetContractError(
    `${who}${method}() did not settle within ${ms} ms (ten times --call-timeout): make ${method}() resolve (await what it starts; a query waiting on a connection or a lock that never comes hangs it), or raise --call-timeout if it is only slow`,
  );
}

/** `work`, or a lifecycleTimeoutError once it has been pending for `ms` (the work itself is left running, its late rejection ignored). */
export async function withinLifecycleTimeout<T>(method: LifecycleMethod, ms: number, work: PromiseLike<T>, target?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const p = Promise.resolve(work);
  p.catch(() => {});
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(lifecycleTimeoutError(method, ms, target)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
