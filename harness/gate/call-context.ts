import { AsyncLocalStorage } from 'node:async_hooks';

/** Which call a statement belongs to; set around every call the harness makes on a target. */
export interface CallContext {
  call: number;
  client: number;
}

/** Carries the current call through the target's async code to the statements it sends. */
export const callContext = new AsyncLocalStorage<CallContext>();
